"""kill -9 of ``banli worker`` processes in the middle of their notices, and two workers whose clocks are 6 minutes
apart, against a real SMTP server (aiosmtpd) that counts what it accepts by Message-ID (issue 15) — the machinery
shared by tests/test_worker_processes.py (a run that must hold) and bench/worker_kill_bench.py (the figures, and the
window between the SMTP server's acceptance and the worker's "sent" mark, measured).

Message-IDs are ``<outbox-<id>.<agency>@<domain>>``: one per outbox row, the same on a resend.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Agency, Outbox
from notifications import outbox
from notifications.fixtures import fixture_context
from notifications.mailer import SmtpBackend
from settings import Settings

ROOT = Path(__file__).resolve().parents[1]
NOTICE = "internal.reminder"
_MID = re.compile(rb"^Message-ID:\s*<outbox-(\d+)\.", re.M | re.I)


class CountingSink:
    """An aiosmtpd handler that takes ``delay_s`` per message (a relay's own work) and records, when it accepts a
    message (just before answering 250), the outbox id in its Message-ID and the instant (``time.monotonic``)."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay = delay_s
        self.accepted: list[tuple[int, float]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        m = _MID.search(envelope.original_content or envelope.content)
        self.accepted.append((int(m.group(1)) if m else -1, time.monotonic()))
        return "250 OK"

    def per_row(self, ids: set[int] | None = None) -> Counter[int]:
        return Counter(i for i, _ in self.accepted if ids is None or i in ids)


@contextlib.contextmanager
def smtp_server(delay_s: float = 0.0) -> Iterator[tuple[CountingSink, int]]:
    from aiosmtpd.controller import Controller

    from tests.smtp_sink import free_port

    sink, port = CountingSink(delay_s), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def enqueue_notices(engine: Engine, n: int, tag: str, now: datetime) -> list[int]:
    """``n`` staff reminders due at ``now``, each to its own address."""
    with write_session(engine) as s:
        agency = s.exec(select(Agency).order_by(col(Agency.id))).first()
        assert agency is not None and agency.id is not None
        ids = [outbox.enqueue(s, agency_id=agency.id, notice_type=NOTICE, channel="email",
                              context=fixture_context(NOTICE), dedupe_key=f"{tag}-{i}", now=now,
                              recipient=f"officer{i}@example.gov.cn") for i in range(n)]
        s.commit()
    return [int(i) for i in ids]


def worker_env(url: str, var_dir: Path, smtp_port: int, lease_s: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANLI_")}
    env.update(BANLI_DATABASE_URL=url, BANLI_VAR_DIR=str(var_dir), BANLI_SECRET_KEY="test-secret-key-0123456789",
               BANLI_MAIL_FROM="gongkai@example.gov.cn", BANLI_SMTP_HOST="127.0.0.1", BANLI_SMTP_PORT=str(smtp_port),
               BANLI_OUTBOX_LEASE_SECONDS=str(lease_s), PYTHONPATH=str(ROOT))
    return env


def start_worker(env: dict[str, str], name: str, now: datetime, batch_size: int) -> subprocess.Popen[str]:
    """``banli worker --once --only outbox`` whose clock reads ``now``."""
    return subprocess.Popen([sys.executable, "-c", "import sys, app; sys.exit(app.main())", "worker", "--once",
                             "--only", "outbox", "--instance", name, "--batch-size", str(batch_size),
                             "--now", now.isoformat()], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _statuses(engine: Engine, ids: list[int]) -> list[Outbox]:
    with read_session(engine) as s:
        return list(s.exec(select(Outbox).where(col(Outbox.id).in_(ids))).all())


def _finish(p: subprocess.Popen[str], timeout: float = 300) -> str:
    out, err = p.communicate(timeout=timeout)
    assert p.returncode == 0, f"exit {p.returncode}\n{out}\n{err[-3000:]}"
    return out


@dataclass
class KillRun:
    kills: int = 0
    mid_batch: int = 0  # kills that landed while the worker still had notices to send
    held: list[set[int]] = field(default_factory=list)  # per kill: the rows the killed worker had claimed
    in_window: list[set[int]] = field(default_factory=list)  # per kill: accepted by the SMTP server, not marked sent
    messages: int = 0
    rows: int = 0
    doubled: dict[int, int] = field(default_factory=dict)  # outbox id → times accepted, where more than once
    lost: list[int] = field(default_factory=list)
    not_sent: list[int] = field(default_factory=list)
    elapsed_s: float = 0.0


def kill_cycles(engine: Engine, env: dict[str, str], sink: CountingSink, ids: list[int], *, kills: int, now: datetime,
                batch_size: int, lease_s: int, rng: random.Random, max_delay_s: float) -> KillRun:
    """``kills`` times: start a worker, let it deliver for a random 0–``max_delay_s`` s after the SMTP server
    accepted its first message, kill -9 it; then, after one lease, a last worker drains the rest. Counts what the
    SMTP server accepted per row."""
    run, started, wanted = KillRun(), time.monotonic(), set(ids)
    for k in range(kills):
        name = f"killed-{k}"
        before = len(sink.accepted)
        p = start_worker(env, name, now, batch_size)
        deadline = time.monotonic() + 120
        while len(sink.accepted) == before and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0, max_delay_s))
        if p.poll() is None:
            p.kill()
            run.kills += 1
        p.communicate()
        rows = _statuses(engine, ids)
        by_it = {i for i, _ in sink.accepted[before:]}  # accepted while this worker ran
        held = {int(r.id) for r in rows if r.status == "sending" and r.locked_by == name and r.id is not None}
        run.held.append(held)
        run.in_window.append(held & by_it)
        run.mid_batch += any(r.status in ("pending", "sending") for r in rows if r.id not in held)
    time.sleep(lease_s + 0.5)  # the killed workers' leases run out (on the database's clock)
    _finish(start_worker(env, "after", now, batch_size))
    run.elapsed_s = time.monotonic() - started
    per_row = sink.per_row(wanted)
    run.messages, run.rows = sum(per_row.values()), len(per_row)
    run.doubled = {i: k for i, k in per_row.items() if k > 1}
    run.lost = sorted(wanted - set(per_row))
    run.not_sent = sorted(int(r.id or 0) for r in _statuses(engine, ids) if r.status != "sent")
    return run


@dataclass
class SkewRun:
    messages: int
    rows: int
    doubled: dict[int, int]
    sent_by: list[int]  # notices each worker reports sent


def skewed_pair(engine: Engine, env: dict[str, str], sink: CountingSink, ids: list[int], *, now: datetime,
                skew: timedelta, batch_size: int) -> SkewRun:
    """Two workers at once, one whose clock reads ``now`` and one ``now + skew``."""
    procs = [start_worker(env, "clock-a", now, batch_size), start_worker(env, "clock-b", now + skew, batch_size)]
    outs = [_finish(p) for p in procs]
    per_row = sink.per_row(set(ids))
    return SkewRun(sum(per_row.values()), len(per_row), {i: k for i, k in per_row.items() if k > 1},
                   [_sent(out) for out in outs])


def _sent(out: str) -> int:
    for line in out.splitlines():
        if line.strip().startswith("outbox:"):
            m = re.search(r"sent=(\d+)", line)
            return int(m.group(1)) if m else 0
    return 0


@dataclass
class Window:
    rows: int
    cycle_ms: float  # per notice, claim to mark, on average
    window_ms: list[float]  # per notice: from the SMTP server's acceptance to the worker's committed "sent" mark

    def summary(self) -> str:
        w = sorted(self.window_ms)
        return (f"{self.rows} notices, {self.cycle_ms:.1f} ms each; acceptance → committed mark: median "
                f"{statistics.median(w):.1f} ms, p95 {w[int(len(w) * 0.95)]:.1f} ms, max {w[-1]:.1f} ms — a kill at a "
                f"random instant of the delivery leaves ≈ {statistics.fmean(w) / self.cycle_ms:.2f} notices to be "
                f"sent twice (mean window / time per notice)")


def measure_window(engine: Engine, settings: Settings, sink: CountingSink, port: int, n: int,
                   now: datetime) -> Window:
    """Deliver ``n`` notices in this process and time, per notice, the window a kill -9 would turn into a
    duplicate: from the SMTP server accepting the message to the worker's "sent" mark being committed."""
    ids = enqueue_notices(engine, n, "window", now)
    marked: dict[int, float] = {}
    one, many = outbox.mark_sent, outbox.mark_sent_many

    def timed_one(engine: Engine, job: Any, *args: Any, **kwargs: Any) -> bool:
        done = one(engine, job, *args, **kwargs)
        marked[job.id] = time.monotonic()
        return done

    def timed_many(engine: Engine, rows: Any, *args: Any, **kwargs: Any) -> None:
        many(engine, rows, *args, **kwargs)
        at = time.monotonic()
        marked.update({oid: at for oid, *_ in rows})

    s = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "mail_from": "gk@example.gov.cn"})
    outbox.mark_sent, outbox.mark_sent_many = timed_one, timed_many  # type: ignore[assignment]
    try:
        started = time.monotonic()
        outbox.deliver_due(engine, now, instance="timed", settings=s, backend=SmtpBackend(s))
        elapsed = time.monotonic() - started
    finally:
        outbox.mark_sent, outbox.mark_sent_many = one, many  # type: ignore[assignment]
    accepted = {i: t for i, t in sink.accepted if i in set(ids)}
    return Window(len(ids), elapsed * 1000 / len(ids), [(marked[i] - accepted[i]) * 1000 for i in ids])
