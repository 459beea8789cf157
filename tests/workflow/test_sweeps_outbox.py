"""The outbox sweep delivers what the deadline sweeps enqueued, inside working hours, once (real SMTP)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import SweepStatus
from tests.helpers import make_staff
from tests.workflow.sweep_helpers import at, outbox, register_on, run


@pytest.mark.smtp
def test_night_reminder_is_delivered_at_the_start_of_working_hours_once(db, clock, smtp_sink) -> None:
    sink, port = smtp_sink
    settings = db.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                              "mail_from": "gongkai@example.gov.cn"})
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, date(2026, 9, 8))  # reply due 10/12 (Monday after 国庆)
    run(db.engine, "outbox", at(date(2026, 9, 9), 10), settings=settings)  # receipt and assignment notices
    before = len(sink.messages)
    run(db.engine, "reminders", at(date(2026, 10, 10), 6, 30))  # make-up Saturday, before working hours
    assert run(db.engine, "outbox", at(date(2026, 10, 10), 7), settings=settings).done == {}
    sent = run(db.engine, "outbox", at(date(2026, 10, 10), 9), settings=settings)
    assert sent.done["sent"] == 1 and sent.remaining == 0
    assert run(db.engine, "outbox", at(date(2026, 10, 10), 9, 1), settings=settings).done == {}
    new = sink.messages[before:]
    assert len(new) == 1
    msg = new[0]
    assert msg["To"].addresses[0].addr_spec == "officer@default.example.cn"
    assert "时限提醒" in str(msg["Subject"]) and "2026年10月12日" in str(msg["Subject"])
    assert "剩余1个工作日" in msg.get_body(("plain",)).get_content()
    row = next(o for o in outbox(db.engine, "internal.reminder", case) if o.status == "sent")
    assert msg["Message-ID"] == row.message_id
    with read_session(db.engine) as s:
        status = s.get(SweepStatus, "outbox")
        assert status is not None and status.last_instance == "test" and status.last_error is None
        assert s.exec(select(SweepStatus).where(SweepStatus.job == "reminders")).one().last_stats["done"] == {
            "reminded": 1, "rung_1": 1, "held_to_working_hours": 1}
