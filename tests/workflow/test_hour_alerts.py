"""Issue 20 (must show): an urgent 12345 order is alerted by the hour, in working hours — a reminder before its
2-working-hour sign-for deadline, 催办 within one sweep period after it, 督办 after the agency's working minutes —
each received by a real SMTP server (aiosmtpd); and a leader's 督办 by hand is recorded through the case engine and
reaches the officer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from db.engine import read_session
from db.models import Event, Outbox
from tests.helpers import make_staff
from tests.hotline_helpers import act, detail, local, new_order
from tests.hotline_helpers import clock as clock_of
from tests.workflow.sweep_helpers import register_on, run
from workflow.disclosure import actions as dwf
from workflow.sweeps.scheduler import JOBS

PERIOD = timedelta(seconds=JOBS["escalation"][0])  # the escalation sweep runs every minute
assert JOBS["reminders"][0] == JOBS["escalation"][0] == 60


def _events(engine: Any, oid: int, action: str, kind: str = "workorder") -> list[Event]:
    with read_session(engine) as s:
        return list(s.exec(select(Event).where(Event.case_kind == kind, Event.case_id == oid, Event.action == action)
                           .order_by(col(Event.id))).all())


def _outbox(engine: Any, oid: int, notice_type: str) -> list[Outbox]:
    with read_session(engine) as s:
        return list(s.exec(select(Outbox).where(Outbox.case_id == oid, Outbox.notice_type == notice_type)
                           .order_by(col(Outbox.id))).all())


def _deliver(db: Any, sink: Any, settings: Any, now: Any) -> list[Any]:
    before = len(sink.messages)
    run(db.engine, "outbox", now, settings=settings)
    return sink.messages[before:]


def _to(msg: Any) -> str:
    return str(msg["To"].addresses[0].addr_spec)


@pytest.mark.smtp
def test_urgent_order_reminded_before_sign_for_and_pressed_within_a_sweep_period_after(db, clock, smtp_sink) -> None:
    sink, port = smtp_sink
    settings = db.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                              "mail_from": "rexian@example.gov.cn"})
    staff = make_staff(db.engine, clock.now())
    received = local(2026, 3, 2, 9, 30)  # Monday 09:30; working hours 09:00–12:00, 14:30–18:00
    oid = new_order(db.engine, staff.front, received, urgency="紧急", category="求助", title="小区停水",
                    received_at="2026-03-02 09:30:00")
    due = local(2026, 3, 2, 11, 30)  # 2 working hours
    assert datetime.fromisoformat(clock_of(detail(db.engine, oid, staff.front, received), "sign_for")["due_at"]) == due

    # 40 working minutes left: nothing yet; 29 left: the desk (who signs for) is reminded, once
    run(db.engine, "reminders", local(2026, 3, 2, 10, 50))
    assert [o.dedupe_key for o in _outbox(db.engine, oid, "internal.reminder")] == []
    report = run(db.engine, "reminders", local(2026, 3, 2, 11, 1))
    assert report.done.get("reminded_by_the_hour") == 2  # the desk: the front desk and the instance admin
    run(db.engine, "reminders", local(2026, 3, 2, 11, 10))
    assert len(_outbox(db.engine, oid, "internal.reminder")) == 2
    mails = _deliver(db, sink, settings, local(2026, 3, 2, 11, 1))
    reminder = [m for m in mails if "时限提醒" in str(m["Subject"])]
    reminder = [m for m in reminder if _to(m) == "front@default.example.cn"]  # the desk: every front-desk account
    assert len(reminder) == 1
    assert "签收时限" in str(reminder[0]["Subject"]) and "11:30" in str(reminder[0]["Subject"])
    body = reminder[0].get_body(("plain",)).get_content()
    assert "剩余工作时间29分钟" in body and "本机关接收的12345工单" in body

    # not before the deadline; within one sweep period after it, 催办 through the 12345 workflow, to the leaders
    run(db.engine, "escalation", due - timedelta(seconds=1))
    assert _events(db.engine, oid, "urge") == []
    report = run(db.engine, "escalation", due + PERIOD - timedelta(seconds=1))
    assert report.done.get("urge") == 1
    urged = _events(db.engine, oid, "urge")
    assert len(urged) == 1 and urged[0].actor_label and "签收时限已逾期" in urged[0].payload["note"]
    assert detail(db.engine, oid, staff.leader, due + PERIOD)["overdue_level"] == 1
    mails = _deliver(db, sink, settings, due + PERIOD)
    pressed = [m for m in mails if "【催办】" in str(m["Subject"])]
    pressed = [m for m in pressed if _to(m) == "leader@default.example.cn"]  # every leader
    assert len(pressed) == 1
    assert "已逾期1分钟（工作时间）" in str(pressed[0]["Subject"])
    body = pressed[0].get_body(("plain",)).get_content()
    assert "签收时限已于2026年3月2日11:30到期" in body and "现予催办" in body

    # once only; 督办 after 120 working minutes past the deadline (11:30–12:00, lunch, 14:30–16:00)
    assert run(db.engine, "escalation", local(2026, 3, 2, 14, 0)).done.get("urge") is None
    assert run(db.engine, "escalation", local(2026, 3, 2, 15, 59)).done.get("supervise") is None
    assert run(db.engine, "escalation", local(2026, 3, 2, 16, 0)).done.get("supervise") == 1
    assert len(_events(db.engine, oid, "supervise")) == 1 and len(_events(db.engine, oid, "urge")) == 1
    mails = _deliver(db, sink, settings, local(2026, 3, 2, 16, 1))
    assert any("【督办】" in str(m["Subject"]) and _to(m) == "leader@default.example.cn" for m in mails)


def test_a_deadline_at_the_lunch_break_is_pressed_when_work_resumes(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    oid = new_order(db.engine, staff.front, local(2026, 3, 2, 10), urgency="紧急", received_at="2026-03-02 10:00:00")
    run(db.engine, "escalation", local(2026, 3, 2, 12, 5))  # due 12:00, then no working time until 14:30
    assert _events(db.engine, oid, "urge") == []
    run(db.engine, "escalation", local(2026, 3, 2, 14, 30) + PERIOD - timedelta(seconds=1))
    assert len(_events(db.engine, oid, "urge")) == 1


@pytest.mark.smtp
def test_a_leaders_supervision_by_hand_is_recorded_and_reaches_the_officer(db, clock, smtp_sink) -> None:
    sink, port = smtp_sink
    settings = db.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                              "mail_from": "rexian@example.gov.cn"})
    staff = make_staff(db.engine, clock.now())
    t0 = local(2026, 3, 2, 10, 0)
    oid = new_order(db.engine, staff.front, t0, received_at="2026-03-02 09:15:00")
    act(db.engine, oid, "sign_for", staff.front, t0)
    act(db.engine, oid, "assign", staff.front, t0, assignee_id=staff.officer.id)
    _deliver(db, sink, settings, t0)  # the assignment notice
    res = act(db.engine, oid, "supervise", staff.leader, local(2026, 3, 3, 10), note="群众反映强烈，请今日内办结")
    assert res.state == "signed_for"
    ev = _events(db.engine, oid, "supervise")
    assert len(ev) == 1 and ev[0].actor_label == staff.leader.label
    assert ev[0].payload["by_hand"] is True and ev[0].payload["note"] == "群众反映强烈，请今日内办结"
    d = detail(db.engine, oid, staff.leader, local(2026, 3, 3, 10))
    assert d["overdue_level"] == 0  # the automatic ladder is untouched
    mails = _deliver(db, sink, settings, local(2026, 3, 3, 10))
    assert len(mails) == 1 and _to(mails[0]) == "officer@default.example.cn"
    assert str(mails[0]["Subject"]).startswith("【督办】") and staff.leader.label in str(mails[0]["Subject"])
    assert "群众反映强烈，请今日内办结" in mails[0].get_body(("plain",)).get_content()
    # an officer may not press; a leader may 催办 a disclosure application too
    with pytest.raises(Exception, match="权限"):
        act(db.engine, oid, "urge", staff.officer, local(2026, 3, 3, 11))
    case = register_on(db.engine, staff, local(2026, 3, 2).date())
    dwf.act(db.engine, case, "urge", {"note": "请尽快答复"}, staff.leader, local(2026, 3, 3, 11))
    assert _events(db.engine, case, "urge", "disclosure")[0].payload["by_hand"] is True
    mails = _deliver(db, sink, settings, local(2026, 3, 3, 11))
    assert [(_to(m), str(m["Subject"])[:4]) for m in mails if "催办" in str(m["Subject"])] == [
        ("officer@default.example.cn", "【催办】")]
