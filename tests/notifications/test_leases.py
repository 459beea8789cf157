"""Outbox leases on the database's clock (issue 15): two workers whose clocks are 6 minutes apart send 100
notices to a real SMTP server (aiosmtpd) with no duplicate; a killed worker's rows are taken over within one
short lease; a batch that takes longer than a lease keeps its rows because the lease is renewed."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Agency, Outbox
from notifications.fixtures import fixture_context
from notifications.mailer import Message, SmtpBackend
from notifications.outbox import claim_due, deliver_due, enqueue
from tests.conftest import T0, Db

pytestmark = pytest.mark.smtp
NOTICE = "internal.reminder"


def _enqueue(db: Db, n: int) -> list[int]:
    with write_session(db.engine) as s:
        agency = s.exec(select(Agency)).first()
        ids = [enqueue(s, agency_id=agency.id, notice_type=NOTICE, channel="email", context=fixture_context(NOTICE),
                       dedupe_key=f"lease-{i}", now=T0, recipient=f"officer{i}@example.gov.cn") for i in range(n)]
        s.commit()
    return ids


def _settings(db: Db, port: int, lease: int = 60):
    return db.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout": 10.0,
                                          "mail_from": "gk@example.gov.cn", "outbox_lease_seconds": lease})


class SlowSmtp(SmtpBackend):
    """A real SMTP connection that takes ``delay`` seconds per message (a slow relay)."""

    def __init__(self, settings, delay: float) -> None:
        super().__init__(settings)
        self.delay = delay

    async def send(self, msg: Message, *, outbox_id: int, notice_type: str) -> None:
        await asyncio.sleep(self.delay)
        await super().send(msg, outbox_id=outbox_id, notice_type=notice_type)


def test_two_workers_with_clocks_six_minutes_apart_send_nothing_twice(db: Db, smtp_sink) -> None:
    sink, port = smtp_sink
    ids = _enqueue(db, 100)
    settings = _settings(db, port)

    def worker(name: str, skew_minutes: int) -> int:
        # small batches and a slow relay, so each worker's claims are out while the other looks for work
        stats = deliver_due(db.engine, T0 + timedelta(minutes=skew_minutes), instance=name, batch_size=5,
                            settings=settings, backend=SlowSmtp(settings, 0.02))
        return stats.sent

    with ThreadPoolExecutor(2) as pool:
        sent = [f.result() for f in [pool.submit(worker, "w1", 0), pool.submit(worker, "w2", 6)]]
    per_row = Counter(sink.ids())
    assert sum(sent) == 100 and all(s > 0 for s in sent), sent  # both worked
    assert len(per_row) == 100 and max(per_row.values()) == 1, [k for k, v in per_row.items() if v > 1]
    with read_session(db.engine) as s:
        assert {o.status for o in s.exec(select(Outbox)).all()} == {"sent"}
    assert len(ids) == 100


def test_a_killed_workers_rows_are_taken_over_within_one_short_lease(db: Db, smtp_sink) -> None:
    sink, port = smtp_sink
    _enqueue(db, 3)
    settings = _settings(db, port, lease=5)
    held = claim_due(db.engine, T0, instance="killed", limit=10, lease_seconds=5)  # claimed, then kill -9
    assert len(held) == 3
    far_ahead = T0 + timedelta(hours=2)  # whatever the other worker's own clock says
    assert deliver_due(db.engine, far_ahead, instance="w2", settings=settings).claimed == 0
    time.sleep(5.5)
    stats = deliver_due(db.engine, T0, instance="w2", settings=settings)
    assert stats.sent == 3 and len(sink.messages) == 3


def test_a_batch_longer_than_its_lease_keeps_its_rows(db: Db, smtp_sink) -> None:
    sink, port = smtp_sink
    _enqueue(db, 12)
    settings = _settings(db, port, lease=5)
    stolen = []

    def slow() -> int:  # 12 × 0.6 s: past the 5 s lease, renewed every third of it
        return deliver_due(db.engine, T0, instance="slow", batch_size=50, settings=settings,
                           backend=SlowSmtp(settings, 0.6)).sent

    def other() -> None:  # another worker looks for work every half second meanwhile
        for _ in range(16):
            time.sleep(0.5)
            stolen.extend(claim_due(db.engine, T0 + timedelta(hours=1), instance="other", limit=50, lease_seconds=5))

    with ThreadPoolExecutor(2) as pool:
        fut = pool.submit(slow)
        pool.submit(other).result()
        assert fut.result() == 12
    assert stolen == [] and len(sink.messages) == 12


def test_each_delivery_is_marked_while_the_next_ones_are_sent(db: Db) -> None:
    """The window in which a kill -9 sends a notice twice — from the SMTP server's acceptance to the committed
    "sent" mark — is one mark transaction plus at most MARK_EVERY_S, not the rest of the batch: with a relay taking
    0.1 s a message, no delivery waits for the seven after it."""
    import notifications.outbox as ob
    from tests.worker_kill import smtp_server

    with smtp_server(0.1) as (sink, port):
        ids = _enqueue(db, 8)
        settings = _settings(db, port)
        marked: dict[int, float] = {}
        real = ob.mark_sent_many

        def timed(engine, rows, *args, **kwargs):  # type: ignore[no-untyped-def]
            real(engine, rows, *args, **kwargs)
            marked.update({oid: time.monotonic() for oid, *_ in rows})

        ob.mark_sent_many = timed  # type: ignore[assignment]
        try:
            assert deliver_due(db.engine, T0, instance="w", settings=settings).sent == 8
        finally:
            ob.mark_sent_many = real  # type: ignore[assignment]
        windows = {oid: marked[oid] - at for oid, at in sink.accepted}
    assert sorted(windows) == sorted(ids)
    assert max(windows.values()) < 0.35, windows  # marked per batch, the first would have waited ~0.7 s
