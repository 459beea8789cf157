"""One notice that cannot be built never stalls the others (issue 15): planted among 20 good ones, the 20 are
delivered to a real SMTP server (aiosmtpd) in the first sweep, the bad one is retried, then dead-lettered on
its own and shown to the admin with its reason; the admin's retry is recorded in the audit trail."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Event, Outbox
from notifications.fixtures import fixture_context
from notifications.outbox import deliver_due, enqueue
from tests.web.conftest import Web, token

pytestmark = pytest.mark.smtp
NOTICE = "disclosure.submission_ack"  # the acknowledgement an online applicant receives by email
BAD_NAME = "张三\r\nBcc: everyone@example.com"


def _plant(web: Web) -> int:
    """20 good acknowledgements and, in the middle of them, one addressed to a name with a line break."""
    bad = 0
    with write_session(web.db.engine) as s:
        for i in range(21):
            name = BAD_NAME if i == 10 else f"申请人{i}"
            oid = enqueue(s, agency_id=web.staff.agency_id, notice_type=NOTICE, channel="email",
                          context=fixture_context(NOTICE), dedupe_key=f"iso-{i}", now=web.clock.now(),
                          recipient=f"applicant{i}@example.com", recipient_name=name)
            if i == 10:
                assert oid is not None
                bad = oid
        s.commit()
    return bad


def _deliver(web: Web, at: datetime, settings: Any) -> Any:
    """deliver_due in a thread of its own (Playwright may own this thread's event loop; tests.web.conftest)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(deliver_due, web.db.engine, at, instance="w1", batch_size=50, settings=settings).result()


def _outbox(web: Web) -> dict[int | None, Outbox]:
    with read_session(web.db.engine) as s:
        rows = list(s.exec(select(Outbox)).all())
        for r in rows:
            s.expunge(r)
    return {r.id: r for r in rows}


def test_unbuildable_row_is_dead_lettered_alone_and_the_batch_delivered(web_any: Web, smtp_sink) -> None:
    web = web_any
    sink, port = smtp_sink
    settings = web.db.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout": 5.0, "mail_from": "gk@example.gov.cn",
        "outbox_max_attempts": 3, "outbox_backoff_seconds": [0, 60, 300]})
    bad = _plant(web)
    t = web.clock.now()

    first = _deliver(web, t, settings)
    assert (first.claimed, first.sent, first.retried, first.dead) == (21, 20, 1, 0)
    assert len(sink.messages) == 20 and "everyone@example.com" not in str([m["To"] for m in sink.messages])
    rows = _outbox(web)
    assert sum(r.status == "sent" for r in rows.values()) == 20
    # retried with back-off, never left in "sending" with 0 attempts
    assert (rows[bad].status, rows[bad].attempts, rows[bad].locked_by) == ("pending", 1, None)
    assert "CR or LF" in rows[bad].last_error

    for minutes in (2, 10):  # the back-off of attempts 2 and 3; outbox_max_attempts = 3
        _deliver(web, t + timedelta(minutes=minutes), settings)
    rows = _outbox(web)
    assert (rows[bad].status, rows[bad].attempts) == ("dead", 3)
    assert len(sink.messages) == 20 and sum(r.status == "sent" for r in rows.values()) == 20
    with read_session(web.db.engine) as s:  # delivery itself never writes audit rows
        assert not s.exec(select(Event).where(Event.case_kind == "outbox")).all()

    admin = web.login("admin")
    page = admin.get("/admin/system")
    assert page.status_code == 200
    row_html = page.text.split(f'id="dead-{bad}"')[1].split("</tr>")[0]
    assert "收件人姓名或地址含有换行等控制字符" in row_html and "<td>3</td>" in row_html

    r = web.post(admin, f"/admin/system/outbox/{bad}/retry", {}, page="/admin/system")
    assert r.status_code == 303
    assert _outbox(web)[bad].status == "pending"
    with read_session(web.db.engine) as s:
        [event] = s.exec(select(Event).where(Event.case_kind == "outbox", Event.case_id == bad)).all()
    assert (event.action, event.actor_id, event.actor_label) == ("retry_dead_letter", web.staff.admin.id, "管理员")
    assert event.payload["attempts"] == 3 and event.from_state == "dead" and event.to_state == "pending"
    audit = admin.get("/admin/audit").text
    assert "重新发送文书" in audit and f"第 {bad} 号文书" in audit


def test_api_retry_records_the_admin(client, staff, db, clock) -> None:
    with write_session(db.engine) as s:
        oid = enqueue(s, agency_id=staff.agency_id, notice_type=NOTICE, channel="email",
                      context=fixture_context(NOTICE), dedupe_key="api-dead", now=clock.now(),
                      recipient="a@example.com", recipient_name=BAD_NAME)
        row = s.get(Outbox, oid)
        row.status, row.attempts, row.last_error = "dead", 3, "unbuildable: ValueError: address parts cannot contain CR or LF"
        s.commit()
    admin = token(client, "default-admin")
    body = client.get("/api/admin/scheduler", headers=admin).json()
    [dead] = body["outbox"]["dead_letters"]
    assert dead["reason"].startswith("收件人姓名或地址含有换行") and dead["title"]
    r = client.post(f"/api/admin/outbox/{oid}/retry", headers=admin)
    assert r.status_code == 200 and r.json() == {"id": oid, "status": "pending"}
    with read_session(db.engine) as s:
        events = s.exec(select(Event).where(Event.case_kind == "outbox").order_by(col(Event.id))).all()
    assert [(e.actor_id, e.action) for e in events] == [(staff.admin.id, "retry_dead_letter")]
