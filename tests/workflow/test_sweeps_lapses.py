"""Lapses through the workflow: correction not made (视为放弃), fee unpaid (不再处理), consultee silent.

Received Tuesday 2026-09-08. A correction notice sent 9/17 gives 15 working days: 9/18, 9/20 (the
Sunday make-up day), … 9/30, 10/8, 10/9, 10/10 (make-up Saturday), 10/12 … → due 10/14; it lapses on 10/15.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from db.engine import write_session
from db.models import Disclosure
from tests.helpers import make_staff
from tests.workflow.sweep_helpers import at, case_row, clock_of, events, outbox, register_on, run
from workflow.disclosure import actions as wf
from workflow.sweeps import lapses

RECEIVED = date(2026, 9, 8)


def _lapse_days(db, case: int, start: date, end: date) -> list[tuple[str, dict[str, int]]]:
    out = []
    d = start
    while d <= end:
        report = run(db.engine, "lapses", at(d, 10))
        if report.done:
            out.append((d.isoformat(), report.done))
        d += timedelta(days=1)
    return out


def test_correction_lapses_the_day_after_its_period_across_the_holiday(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    wf.act(db.engine, case, "request_correction", {"items": ["请写明所需信息的名称"]}, staff.officer,
           at(date(2026, 9, 17), 10))
    corr = clock_of(db.engine, case, "correction_period")
    assert corr.due_date == date(2026, 10, 14)
    assert _lapse_days(db, case, date(2026, 9, 30), date(2026, 10, 20)) == [
        ("2026-10-15", {"lapse_correction": 1})]
    row = case_row(db.engine, case)
    assert row.state == "closed" and row.decision == "other.correction_lapsed"
    ev = events(db.engine, case, "lapse_correction")
    assert len(ev) == 1 and ev[0].actor_label == "系统" and ev[0].actor_id is None
    closure = outbox(db.engine, "disclosure.closure_notice", case)
    assert len(closure) == 1 and closure[0].context["notice"]["correction_last_date"] == "2026-10-14"
    assert clock_of(db.engine, case, "correction_period").status == "lapsed"


def test_fee_unpaid_is_no_longer_processed(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    wf.act(db.engine, case, "send_fee_notice", {"method": "page", "quantity": 120}, staff.officer,
           at(date(2026, 9, 10), 10))
    fee = clock_of(db.engine, case, "fee_payment")
    day_after = fee.due_date + timedelta(days=1)
    got = _lapse_days(db, case, fee.due_date, day_after + timedelta(days=3))
    assert got == [(day_after.isoformat(), {"lapse_fee": 1})]
    row = case_row(db.engine, case)
    assert row.state == "closed" and row.decision == "other.fee_unpaid"


def test_silent_consultee_resumes_the_reply_clock_at_the_consultation_due_date(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    wf.act(db.engine, case, "start_consultation", {"consultee_kind": "agency", "consultee_name": "某县财政局"},
           staff.officer, at(date(2026, 9, 10), 10))
    cons = clock_of(db.engine, case, "consultation")
    assert clock_of(db.engine, case, "reply").status == "paused"
    late = cons.due_date + timedelta(days=6)  # the sweep notices it days later (downtime)
    report = run(db.engine, "lapses", at(late, 10))
    assert report.done == {"lapse_consultation": 1}
    row = case_row(db.engine, case)
    assert row.state == "handling"
    ev = events(db.engine, case, "lapse_consultation")[0]
    assert ev.payload["resumed_on"] == cons.due_date.isoformat() and ev.payload["opinion"] == "agree"
    assert clock_of(db.engine, case, "reply").status == "running"
    assert clock_of(db.engine, case, "consultation").status == "lapsed"
    assert run(db.engine, "lapses", at(late, 11)).done == {}


def test_a_case_that_changed_meanwhile_is_skipped_not_an_error(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    wf.act(db.engine, case, "request_correction", {"items": ["请补充身份证明"]}, staff.officer,
           at(date(2026, 9, 17), 10))
    with write_session(db.engine) as s:  # an inconsistent row: the state moved on, the clock did not
        s.execute(update(Disclosure).where(Disclosure.id == case).values(state="handling"))  # type: ignore[arg-type]
        s.commit()
    report = run(db.engine, "lapses", at(date(2026, 10, 15), 10))
    assert report.done == {"skipped": 1} and report.error is None
    assert case_row(db.engine, case).state == "handling"


def test_not_before_the_guard_allows(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    wf.act(db.engine, case, "request_correction", {"items": ["请补充身份证明"]}, staff.officer,
           at(date(2026, 9, 17), 10))
    assert run(db.engine, "lapses", at(date(2026, 10, 14), 23, 59)).done == {}


def test_one_failing_case_does_not_block_the_others(db, clock, monkeypatch) -> None:
    staff = make_staff(db.engine, clock.now())
    broken, fine = (register_on(db.engine, staff, RECEIVED) for _ in range(2))
    for case in (broken, fine):
        wf.act(db.engine, case, "request_correction", {"items": ["请补充身份证明"]}, staff.officer,
               at(date(2026, 9, 17), 10))
    real = lapses.case_engine.act

    def flaky(engine, kind, case_id, *a, **kw):  # the case engine's act(), as the sweep calls it
        if case_id == broken:
            raise RuntimeError("disk full")
        return real(engine, kind, case_id, *a, **kw)

    monkeypatch.setattr(lapses.case_engine, "act", flaky)
    report = run(db.engine, "lapses", at(date(2026, 10, 15), 10))
    assert report.done == {"lapse_correction": 1, "failed": 1}
    assert report.error is not None and "disk full" in report.error
    assert case_row(db.engine, fine).state == "closed" and case_row(db.engine, broken).state == "awaiting_correction"
