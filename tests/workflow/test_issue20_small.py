"""Issue 20 (5), the smaller items: a back-dated receipt is pressed once, at the level reached, and said on the
receipt page; no 补正告知期限 reminders for cases that need no correction; the 12345 sign-for and callback reminders
go to the desk, not the officer."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from db.engine import read_session
from db.models import Event, Outbox
from tests.helpers import make_staff, registration
from tests.hotline_helpers import act, local, new_order
from tests.workflow.sweep_helpers import at, events, register_on, run
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn


def _notices(engine, notice_type: str, case_id: int | None = None) -> list[Outbox]:  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        q = select(Outbox).where(Outbox.notice_type == notice_type)
        if case_id is not None:
            q = q.where(Outbox.case_id == case_id)
        return list(s.exec(q.order_by(col(Outbox.id))).all())


def test_a_back_dated_receipt_is_pressed_once_at_the_level_reached(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    data = registration(received_at="2026-01-05T09:00:00+08:00", assignee_id=staff.officer.id)
    late = wf.register(db.engine, RegisterIn.model_validate(data), staff.front, at(date(2026, 3, 2), 10)).id
    run(db.engine, "escalation", at(date(2026, 3, 2), 10, 5))
    assert [e.action for e in events(db.engine, late) if e.action in ("urge", "supervise")] == ["supervise"]
    levels = {o.context["notice"]["level"] for o in _notices(db.engine, "internal.overdue", late)}
    assert levels == {2}
    # a case that falls overdue while in the system still goes 催办 first, 督办 later
    fresh = register_on(db.engine, staff, date(2026, 3, 2))
    run(db.engine, "escalation", at(date(2026, 4, 1), 10))
    assert [e.action for e in events(db.engine, fresh) if e.action in ("urge", "supervise")] == ["urge"]


def test_no_correction_notice_window_reminders(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, date(2026, 3, 2))  # the 7-day window ends 3月11日
    for day in (4, 6, 10, 11):
        run(db.engine, "reminders", at(date(2026, 3, day), 10))
    labels = [o.context["notice"]["clock_label"] for o in _notices(db.engine, "internal.reminder", case)]
    assert "补正告知期限" not in labels


def test_sign_for_and_callback_reminders_go_to_the_desk(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    t0 = local(2026, 3, 2, 9, 15)
    oid = new_order(db.engine, staff.front, t0, received_at="2026-03-02 09:15:00")
    run(db.engine, "reminders", local(2026, 3, 3, 10))  # sign-for due 3 March (1 working day): the desk's
    to = {o.recipient for o in _notices(db.engine, "internal.reminder", oid)}
    assert f"user:{staff.front.id}" in to and f"user:{staff.officer.id}" not in to
    act(db.engine, oid, "sign_for", staff.front, local(2026, 3, 3, 10, 30))
    act(db.engine, oid, "assign", staff.front, local(2026, 3, 3, 10, 30), assignee_id=staff.officer.id)
    act(db.engine, oid, "reply", staff.officer, local(2026, 3, 3, 11), result_text="已处理")
    before = {o.id for o in _notices(db.engine, "internal.reminder", oid)}
    run(db.engine, "reminders", local(2026, 3, 4, 10))  # the callback (回访) is due: the desk calls back
    new = [o for o in _notices(db.engine, "internal.reminder", oid) if o.id not in before]
    assert new and all(o.context["notice"]["clock_label"] == "回访时限" for o in new)
    assert f"user:{staff.front.id}" in {o.recipient for o in new}
    assert f"user:{staff.officer.id}" not in {o.recipient for o in new}


def _presses(engine, oid: int) -> list[str]:  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        return [e.action for e in s.exec(select(Event).where(Event.case_kind == "workorder", Event.case_id == oid)
                                         .order_by(col(Event.id))).all() if e.action in ("urge", "supervise")]


def test_an_order_transferred_late_is_pressed_once_at_the_step_reached(db, clock) -> None:
    """A 12345 order entered weeks after the platform dispatched it: its sign-for period ended long before it came
    in, so it is pressed once, at the step reached (督办) — not 催办 and 督办 at once; the same by the hour for an urgent
    order entered after both of its hour steps. An order that falls overdue while in the system still goes 催办 first."""
    staff = make_staff(db.engine, clock.now())
    late = new_order(db.engine, staff.front, local(2026, 3, 2, 9), received_at="2026-01-05 09:00:00")
    urgent = new_order(db.engine, staff.front, local(2026, 3, 2, 9), received_at="2026-02-27 09:30:00",
                       urgency="紧急", category="求助", title="小区停水")
    fresh = new_order(db.engine, staff.front, local(2026, 3, 2, 9), received_at="2026-03-02 09:00:00")
    run(db.engine, "escalation", local(2026, 3, 2, 10, 5))
    assert _presses(db.engine, late) == ["supervise"]
    assert {o.context["notice"]["level"] for o in _notices(db.engine, "internal.overdue", late)} == {2}
    assert _presses(db.engine, urgent) == ["supervise"]
    run(db.engine, "escalation", local(2026, 3, 4, 10))  # the fresh order's sign-for (1 working day) has passed
    assert _presses(db.engine, fresh) == ["urge"]
    assert _presses(db.engine, late) == ["supervise"] and _presses(db.engine, urgent) == ["supervise"]
