"""Downtime catch-up: the process stops Friday 2026-11-06 at 18:00 and starts Monday 11-09 at 09:00.

Everything that fell due meanwhile happens once on the first pass, in the pass order (lapses before
escalation): the correction period that ended Friday lapses; the reply due Friday is breached at
Saturday 00:00 (recorded exactly) and urged; the reply urged last week is supervised. Reminders follow
the documented rule (the rung current on Monday; rest days have none). A second pass does nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from db.engine import read_session
from tests.helpers import make_staff
from tests.workflow.sweep_helpers import at, case_row, clock_of, events, outbox, register_on, reminder_days
from workflow.calendar.service import load_calendar
from workflow.disclosure import actions as wf
from workflow.sweeps.run import run_all
from workflow.timesource import end_of_day

FRIDAY, MONDAY = date(2026, 11, 6), date(2026, 11, 9)


def _received_for(db, due: date) -> date:
    """The receipt date whose 20-working-day reply deadline is ``due``."""
    with read_session(db.engine) as s:
        cal = load_calendar(s)
    d = due
    while cal.add_workdays_date(d, 20) > due or not cal.is_workday(d):
        d -= timedelta(days=1)
    assert cal.add_workdays_date(d, 20) == due
    return d


def _aware(dt):
    from datetime import UTC

    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _done(reports) -> dict[str, dict[str, int]]:
    return {r.job: {k: v for k, v in r.done.items() if k != "rest_day_agencies"} for r in reports}


def test_weekend_downtime_catch_up(db, clock, tmp_path) -> None:
    staff = make_staff(db.engine, clock.now())
    settings = db.settings.model_copy(update={"outbox_dir": tmp_path / "eml"})
    lapsing = register_on(db.engine, staff, date(2026, 10, 14))
    wf.act(db.engine, lapsing, "request_correction", {"items": ["请补充身份证明"]}, staff.officer,
           at(date(2026, 10, 16), 10))
    assert clock_of(db.engine, lapsing, "correction_period").due_date == FRIDAY
    urged_friday = register_on(db.engine, staff, _received_for(db, date(2026, 11, 5)))
    due_friday = register_on(db.engine, staff, _received_for(db, FRIDAY))
    supervised_monday = register_on(db.engine, staff, _received_for(db, date(2026, 10, 30)))
    r1 = register_on(db.engine, staff, _received_for(db, date(2026, 11, 10)))  # Monday: 1 working day left
    r3 = register_on(db.engine, staff, _received_for(db, date(2026, 11, 12)))  # Monday: 3 left
    r5 = register_on(db.engine, staff, _received_for(db, date(2026, 11, 16)))  # Monday: 5 left

    friday = _done(run_all(db.engine, at(FRIDAY, 18), instance="a", settings=settings))
    assert friday["escalation"]["urge"] == 2  # urged_friday (1 day over) and supervised_monday (5 days over)
    assert friday["lapses"] == {}  # the correction period ends at Friday 24:00

    monday = run_all(db.engine, at(MONDAY, 9), instance="a", settings=settings)
    done = _done(monday)
    assert [r.job for r in monday] == ["recompute", "lapses", "escalation", "reminders", "digest", "outbox"]
    assert all(r.error is None and r.remaining == 0 for r in monday)
    assert done["lapses"] == {"lapse_correction": 1}
    assert done["escalation"]["urge"] == 1 and done["escalation"]["supervise"] == 1
    assert done["escalation"]["breached"] == 1
    assert done["digest"]["digests"] >= 1

    assert case_row(db.engine, lapsing).state == "closed"
    assert _aware(clock_of(db.engine, due_friday, "reply").breached_at) == end_of_day(FRIDAY)  # Saturday 00:00
    assert [e.action for e in events(db.engine, due_friday) if e.action in ("urge", "supervise")] == ["urge"]
    assert [e.action for e in events(db.engine, supervised_monday)
            if e.action in ("urge", "supervise")] == ["urge", "supervise"]
    assert [e.action for e in events(db.engine, urged_friday) if e.action in ("urge", "supervise")] == ["urge"]
    # in order: Monday's lapse event precedes Monday's escalation events
    lapse_ev = events(db.engine, lapsing, "lapse_correction")[0]
    assert all(e.id > lapse_ev.id for c in (due_friday, supervised_monday)
               for e in events(db.engine, c) if e.action in ("urge", "supervise") and
               _aware(e.created_at) == at(MONDAY, 9))

    rows = outbox(db.engine, "internal.reminder")
    monday_rungs = {c: [(d, r) for d, r, _ in reminder_days(rows, clock_of(db.engine, c, "reply").id)
                        if d == MONDAY.isoformat()] for c in (r1, r3, r5)}
    assert monday_rungs == {r1: [("2026-11-09", 1)], r3: [("2026-11-09", 3)], r5: [("2026-11-09", 5)]}

    again = _done(run_all(db.engine, at(MONDAY, 9, 5), instance="b", settings=settings))
    assert again["lapses"] == {} and again["escalation"] == {} and again["reminders"] == {}
    assert again["digest"] == {"already_sent_today": 1}
    assert again["outbox"] == {}
