"""Reminders before due across 国庆 2026 (10/1–10/7 off, Saturday 10/10 a make-up working day).

An application received Tuesday 2026-09-08 has its reply due Monday 10/12 (20 working days). Its
working days left: 9/29 → 5, 10/8 → 3, 10/10 (make-up Saturday) → 1, 10/12 → 0.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.helpers import make_staff
from tests.workflow.sweep_helpers import at, clock_of, outbox, register_on, reminder_days, run
from workflow.disclosure import actions as wf

RECEIVED = date(2026, 9, 8)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def test_reply_due_after_national_day_reminded_on_the_right_working_days(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    reply = clock_of(db.engine, case, "reply")
    assert reply.due_date == date(2026, 10, 12)
    for d in _days(date(2026, 9, 20), date(2026, 10, 13)):
        first = run(db.engine, "reminders", at(d, 10))
        again = run(db.engine, "reminders", at(d, 16))
        assert again.done.get("reminded", 0) == 0, (d, again.done)
        if d in (date(2026, 10, 3), date(2026, 10, 11)):
            assert first.done == {"rest_day_agencies": 1}
    got = reminder_days(outbox(db.engine, "internal.reminder", case), reply.id)
    assert got == [("2026-09-29", 5, 5), ("2026-10-08", 3, 3), ("2026-10-10", 1, 1), ("2026-10-12", 0, 0)]
    rows = [o for o in outbox(db.engine, "internal.reminder", case) if o.dedupe_key.startswith(f"reminder:{reply.id}:")]
    assert {o.recipient for o in rows} == {f"user:{staff.officer.id}"}
    assert rows[0].context["notice"]["clock_label"] == "答复期限"
    assert rows[0].context["case"]["number"].startswith("依申")


def test_catch_up_after_downtime_sends_only_the_current_rung(db, clock) -> None:
    """Down from 9/28 until Friday 10/9 (2 working days left): the 3-day rung fires, saying 2; the 5-day one is superseded."""
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    reply = clock_of(db.engine, case, "reply")
    run(db.engine, "reminders", at(date(2026, 9, 28), 10))
    for d in _days(date(2026, 10, 9), date(2026, 10, 12)):
        run(db.engine, "reminders", at(d, 10))
    got = reminder_days(outbox(db.engine, "internal.reminder", case), reply.id)
    assert got == [("2026-10-09", 3, 2), ("2026-10-10", 1, 1), ("2026-10-12", 0, 0)]


def test_night_reminder_is_held_until_working_hours(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    reply = clock_of(db.engine, case, "reply")
    report = run(db.engine, "reminders", at(date(2026, 9, 29), 2))  # 02:00 on a working day
    assert report.done["held_to_working_hours"] >= 1
    row = next(o for o in outbox(db.engine, "internal.reminder", case) if f":{reply.id}:" in o.dedupe_key)
    from zoneinfo import ZoneInfo

    held = row.next_attempt_at if row.next_attempt_at.tzinfo else row.next_attempt_at.replace(tzinfo=ZoneInfo("UTC"))
    assert held == at(date(2026, 9, 29), 9)


def test_moved_deadline_reminds_again_for_the_new_version(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    reply = clock_of(db.engine, case, "reply")
    run(db.engine, "reminders", at(date(2026, 10, 8), 10))  # rung 3 (3 left)
    wf.act(db.engine, case, "request_extension", {"days": 2, "reason": "需调取档案"}, staff.officer,
           at(date(2026, 10, 8), 11))
    wf.act(db.engine, case, "approve_extension", {}, staff.leader, at(date(2026, 10, 8), 11, 30))
    moved = clock_of(db.engine, case, "reply")
    assert moved.due_date == date(2026, 10, 14) and moved.deadline_version == reply.deadline_version + 1
    run(db.engine, "reminders", at(date(2026, 10, 8), 14))
    run(db.engine, "reminders", at(date(2026, 10, 8), 15))
    keys = [o.dedupe_key for o in outbox(db.engine, "internal.reminder", case) if f":{reply.id}:" in o.dedupe_key]
    uid = staff.officer.id
    assert keys == [f"reminder:{reply.id}:v{reply.deadline_version}:r3:user:{uid}",
                    f"reminder:{reply.id}:v{moved.deadline_version}:r5:user:{uid}"]


def test_unassigned_and_paused_clocks_get_no_reminder(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    unassigned = register_on(db.engine, staff, RECEIVED, assign=False)
    report = run(db.engine, "reminders", at(date(2026, 10, 12), 10))
    assert report.done.get("reminded", 0) == 0
    assert outbox(db.engine, "internal.reminder", unassigned) == []


def test_per_kind_ladder_from_agency_settings(db, clock) -> None:
    from sqlmodel import select

    from db.engine import write_session
    from db.models import Agency

    staff = make_staff(db.engine, clock.now())
    with write_session(db.engine) as s:
        agency = s.exec(select(Agency).where(Agency.id == staff.agency_id)).one()
        agency.settings = {"reminder_ladders_wd": {"reply": [2]}}
        s.add(agency)
        s.commit()
    case = register_on(db.engine, staff, RECEIVED)
    reply = clock_of(db.engine, case, "reply")
    for d in _days(date(2026, 9, 28), date(2026, 10, 12)):
        run(db.engine, "reminders", at(d, 10))
    got = reminder_days(outbox(db.engine, "internal.reminder", case), reply.id)
    assert got == [("2026-10-09", 2, 2)]  # the only rung; w = 1 and 0 are inside its window, already sent


def test_work_orders_are_reminded_by_the_ladder_of_their_profile_cell(db, clock) -> None:
    """12345 clocks use the profile's ``reminders`` after the agency's overrides: here [2, 0] for every
    order and [4] for complaints (two ladders: one query each, with a condition naming the orders).

    Both orders (a complaint and a report, 15 working days each) are received Wednesday 9/23/2026 and due
    Wednesday 10/21 across 中秋 (Friday 9/25) and 国庆 (10/1–10/7 off, Saturday 10/10 worked): 4 working days
    left on Thursday 10/15, 2 on Monday 10/19.
    """
    from tests.hotline_helpers import set_profile

    staff = make_staff(db.engine, clock.now())
    set_profile(db.engine, "yunnan_county", {"reminders": [2, 0], "reminders.complaint": [4]})
    orders, handling = {}, {}
    for cat in ("投诉", "举报"):
        orders[cat], handling[cat] = _signed_order(db, staff, cat)
    for d in _days(date(2026, 9, 24), date(2026, 10, 22)):
        run(db.engine, "reminders", at(d, 10))
        assert run(db.engine, "reminders", at(d, 16)).done.get("reminded", 0) == 0
    got = {cat: reminder_days(outbox(db.engine, "internal.reminder", oid), handling[cat].id)
           for cat, oid in orders.items()}
    assert got == {"投诉": [("2026-10-15", 4, 4)], "举报": [("2026-10-19", 2, 2), ("2026-10-21", 0, 0)]}


def test_a_per_kind_agency_ladder_still_wins_for_work_order_clocks(db, clock) -> None:
    """``reminder_ladders_wd`` naming a clock kind is more specific than the profile's ladder."""
    from sqlmodel import select

    from db.engine import write_session
    from db.models import Agency
    from tests.hotline_helpers import set_profile

    staff = make_staff(db.engine, clock.now())
    set_profile(db.engine, "yunnan_county", {"reminders": [2, 0]})
    with write_session(db.engine) as s:
        agency = s.exec(select(Agency).where(Agency.id == staff.agency_id)).one()
        agency.settings = {**agency.settings, "reminder_ladders_wd": {"handling": [1]}}
        s.add(agency)
        s.commit()
    oid, h = _signed_order(db, staff)
    for d in _days(date(2026, 10, 12), date(2026, 10, 22)):
        run(db.engine, "reminders", at(d, 10))
    assert reminder_days(outbox(db.engine, "internal.reminder", oid), h.id) == [("2026-10-20", 1, 1)]


def test_work_orders_are_still_reminded_when_no_profile_loads(db, clock, monkeypatch) -> None:
    """A broken profile directory must not silence reminders: the agency's ladder (5, 3, 1, 0) applies."""
    from workflow.hotline import ladders as sweep_ladders

    staff = make_staff(db.engine, clock.now())
    oid, h = _signed_order(db, staff)
    monkeypatch.setattr(sweep_ladders, "profile_codes", lambda: ())
    sweep_ladders._cells.cache_clear()
    try:
        for d in _days(date(2026, 10, 12), date(2026, 10, 22)):
            run(db.engine, "reminders", at(d, 10))
    finally:
        sweep_ladders._cells.cache_clear()
    got = reminder_days(outbox(db.engine, "internal.reminder", oid), h.id)
    assert [rung for _, rung, _ in got] == [5, 3, 1, 0]


def _signed_order(db, staff, category: str = "投诉"):
    """A 12345 order received Wednesday 9/23/2026, assigned to the officer and signed for; its handling clock
    (15 working days for complaints and reports: due Wednesday 10/21, across 中秋 and 国庆)."""
    from sqlmodel import select

    from db.engine import read_session
    from db.models import Clock
    from tests.hotline_helpers import act, local, new_order

    oid = new_order(db.engine, staff.front, local(2026, 9, 23, 9, 15), received_at="2026-09-23 09:15:00",
                    category=category)
    act(db.engine, oid, "assign", staff.front, local(2026, 9, 23, 9, 20), assignee_id=staff.officer.id)
    act(db.engine, oid, "sign_for", staff.front, local(2026, 9, 23, 9, 25))
    with read_session(db.engine) as s:
        clock_row = s.exec(select(Clock).where(Clock.case_kind == "workorder", Clock.case_id == oid,
                                               Clock.kind == "handling")).one()
    assert clock_row.due_date == date(2026, 10, 21) and clock_row.assignee_id == staff.officer.id
    return oid, clock_row
