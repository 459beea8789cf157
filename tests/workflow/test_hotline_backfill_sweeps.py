"""Issue 14 item 3 for 12345 work orders: no reminder, 催办 or 督办 for a period that had ended before the step that
recorded the order was recorded (back-filled through the case engine, or imported with its platform history) — by
the day ladder of the profile and by the hour (urgent sign-for, same-day handling) — while the order still counts
as overdue; a live order in the same sweep run is reminded and pressed as always, and an order back-filled with its
period still running gets its reminders and, once the period ends, its 催办."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from sqlmodel import col, select

from db.engine import read_session
from db.models import Clock, Event, Outbox, WorkOrder
from tests.helpers import make_staff
from tests.hotline_helpers import local, new_order
from tests.workflow.sweep_helpers import run
from workflow.hotline import actions as wf
from workflow.hotline.batch import import_file
from workflow.hotline.dashboard import build_hotline_dashboard

REASON = "上线前纸质办理，据台账补录"
RECORDED = local(2026, 3, 18, 10)  # Wednesday: when the paper steps are entered
RUN = local(2026, 3, 18, 11, 10)  # the sweeps' run after it


def _backfill(engine: Any, oid: int, action: str, who: Any, at: datetime, **payload: Any) -> None:
    wf.act(engine, oid, action, payload, who, RECORDED, effective_at=at, backfill_reason=REASON)


def _import_signed(engine: Any, path: Path, actor: Any) -> int:
    """An order the platform dispatched on 2 March and the agency signed for that morning (签收时间), imported."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["工单编号", "来电时间", "来电人", "联系电话", "诉求类型", "诉求内容", "签收时间"])
    ws.append(["IMP-1", "2026-03-02 09:00", "王建华", "13800000001", "求助", "路灯不亮", "2026-03-02 10:00"])
    wb.save(path)
    report = import_file(engine, path, None, actor, RECORDED)
    assert (report.created, report.historical) == (1, 1), report.errors
    with read_session(engine) as s:
        order = s.exec(select(WorkOrder).where(WorkOrder.order_no == "IMP-1")).one()
    assert order.id is not None
    return order.id


def _pressed(engine: Any, oid: int) -> list[str]:
    with read_session(engine) as s:
        return [e.action for e in s.exec(select(Event).where(Event.case_kind == "workorder", Event.case_id == oid)
                                         .order_by(col(Event.id))) if e.action in ("urge", "supervise")]


def _notices(engine: Any, oid: int, notice_type: str) -> list[Outbox]:
    with read_session(engine) as s:
        return list(s.exec(select(Outbox).where(Outbox.case_kind == "workorder", Outbox.case_id == oid,
                                                Outbox.notice_type == notice_type)).all())


def _overdue(engine: Any, oid: int) -> tuple[int, dict[str, bool]]:
    """The order's overdue level and, per running duty clock, whether its breach is recorded."""
    with read_session(engine) as s:
        row = s.get(WorkOrder, oid)
        assert row is not None
        clocks = s.exec(select(Clock).where(Clock.case_kind == "workorder", Clock.case_id == oid,
                                            Clock.status == "running")).all()
        return row.overdue_level, {c.kind: c.breached_at is not None for c in clocks if c.kind != "return_window"}


def test_no_reminder_or_press_for_periods_ended_before_the_order_was_recorded(db, tmp_path) -> None:
    staff = make_staff(db.engine, local(2026, 3, 2, 8))
    front = staff.front
    # Urgent, dispatched Monday 16 March 09:30: signed for within 2 working hours (11:30) and handled the same day —
    # both deadlines two days past when a clerk records on Wednesday that it was assigned on Monday afternoon.
    by_hour = new_order(db.engine, front, RECORDED, urgency="紧急", category="求助", received_at="2026-03-16 09:30:00")
    _backfill(db.engine, by_hour, "assign", front, local(2026, 3, 16, 14, 30), assignee_id=staff.officer.id)
    # 咨询 dispatched 2 March, signed for on paper on the 3rd; its 3 working days' handling ended on the 5th, so
    # both ladder steps (催办 the next working day, 督办 five working days later) had passed by the 18th.
    by_day = new_order(db.engine, front, RECORDED, category="咨询", received_at="2026-03-02 09:00:00")
    _backfill(db.engine, by_day, "sign_for", front, local(2026, 3, 3, 10))
    # 求助 imported with its 签收时间: handling (7 working days) ended on the 11th — 催办 passed, 督办 not yet.
    imported = _import_signed(db.engine, tmp_path / "export.xlsx", staff.leader)
    # 咨询 back-filled with its handling still running (due Thursday 19th): reminded, then pressed, as usual.
    running = new_order(db.engine, front, RECORDED, category="咨询", received_at="2026-03-16 09:00:00")
    _backfill(db.engine, running, "assign", front, local(2026, 3, 16, 10), assignee_id=staff.officer.id)
    _backfill(db.engine, running, "sign_for", front, local(2026, 3, 16, 10, 30))
    # Live urgent orders of the same morning: one past its sign-for deadline (11:00), one 20 minutes before (11:30).
    breached = new_order(db.engine, front, local(2026, 3, 18, 9), urgency="紧急", category="求助",
                         received_at="2026-03-18 09:00:00")
    near = new_order(db.engine, front, local(2026, 3, 18, 9, 30), urgency="紧急", category="求助",
                     received_at="2026-03-18 09:30:00")
    recorded = (by_hour, by_day, imported)

    reminders = run(db.engine, "reminders", RUN)
    escalation = run(db.engine, "escalation", RUN)
    assert escalation.error is None and reminders.error is None
    for oid in recorded:
        assert _pressed(db.engine, oid) == [], oid
        assert _notices(db.engine, oid, "internal.overdue") == [], oid
        assert _notices(db.engine, oid, "internal.reminder") == [], oid
    # … and they count as overdue: level and breach on the order and its clocks, the leader's figures
    assert _overdue(db.engine, by_hour) == (2, {"sign_for": True, "handling": True})
    assert _overdue(db.engine, by_day) == (2, {"handling": True})
    assert _overdue(db.engine, imported) == (1, {"handling": True})
    assert escalation.done.get("history_levels", 0) >= 5
    with read_session(db.engine) as s:
        dash = build_hotline_dashboard(s, staff.agency_id, now=RUN)
    assert dash.overdue == 4  # the three recorded late and the live one past its sign-for
    # the live orders: 催办 within the sweep period after the breach, the reminder before the deadline
    assert _pressed(db.engine, breached) == ["urge"]
    assert {n.status for n in _notices(db.engine, breached, "internal.overdue")} == {"pending"}
    assert _notices(db.engine, near, "internal.reminder")
    # the order back-filled with time still to run: its reminder (one working day left), sent
    reminded = _notices(db.engine, running, "internal.reminder")
    assert [(n.recipient, n.status) for n in reminded] == [(f"user:{staff.officer.id}", "pending")]
    assert reminded[0].context["notice"]["working_days_left"] == 1

    # A level reached after the recording goes out as usual: the imported order's 督办 (6th working day after the
    # due day), the running order's 催办 once its handling has ended; the others stay quiet.
    run(db.engine, "escalation", local(2026, 3, 19, 10))
    assert _pressed(db.engine, imported) == ["supervise"]
    run(db.engine, "escalation", local(2026, 3, 20, 10))
    assert _pressed(db.engine, running) == ["urge"]
    for oid in (by_hour, by_day):
        assert _pressed(db.engine, oid) == [] and _notices(db.engine, oid, "internal.overdue") == []



def test_no_due_today_reminder_for_a_platform_deadline_already_past(db) -> None:
    """A platform's deadline instant (11:00 today) that had passed when the order was recorded in 补录 mode gets no
    "due today" reminder from the day ladder; an order whose platform deadline is later today gets it."""
    staff = make_staff(db.engine, local(2026, 3, 2, 8))
    orders = {}
    for name, due in (("past", "11:00"), ("later", "17:00")):
        oid = new_order(db.engine, staff.front, local(2026, 3, 18, 14, 30), received_at="2026-03-18 08:30:00",
                        platform_due_at=f"2026-03-18 {due}:00")
        wf.act(db.engine, oid, "sign_for", {}, staff.front, local(2026, 3, 18, 14, 30),
               effective_at=local(2026, 3, 18, 9), backfill_reason=REASON)
        wf.act(db.engine, oid, "assign", {"assignee_id": staff.officer.id}, staff.front, local(2026, 3, 18, 14, 30),
               effective_at=local(2026, 3, 18, 9, 5), backfill_reason=REASON)
        orders[name] = oid
    run(db.engine, "reminders", local(2026, 3, 18, 14, 40))
    assert _notices(db.engine, orders["past"], "internal.reminder") == []
    later = _notices(db.engine, orders["later"], "internal.reminder")
    assert [(n.context["notice"]["due_date"], n.status) for n in later] == [("2026-03-18", "pending")]
