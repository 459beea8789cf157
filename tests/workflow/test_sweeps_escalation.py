"""Overdue escalation across 国庆 2026: a reply due Wednesday 9/30 (received 9/2).

Breach at 10/1 00:00 (the due time, recorded exactly even though it falls in the holiday); 催办 on the
first overdue working day, Thursday 10/8; 督办 five working days later, Wednesday 10/14 (10/10, the
make-up Saturday, counts).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Clock, Event, WorkOrder
from tests.helpers import make_staff
from tests.workflow.sweep_helpers import at, case_row, clock_of, events, outbox, register_on, run
from workflow.cases.kind import KINDS
from workflow.hotline.kind import HOTLINE
from workflow.sweeps import escalation
from workflow.timesource import end_of_day, local_dt

RECEIVED = date(2026, 9, 2)
DUE = date(2026, 9, 30)


def _aware(dt):
    from datetime import UTC

    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def test_breach_then_urge_and_supervise_on_working_days(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    reply = clock_of(db.engine, case, "reply")
    assert reply.due_date == DUE
    seen: dict[str, int] = {}
    for i in range(0, 20):
        d = DUE + timedelta(days=i)
        first = run(db.engine, "escalation", at(d, 10))
        again = run(db.engine, "escalation", at(d, 15))
        assert again.done == {}, (d, again.done)
        for k in ("urge", "supervise"):
            if first.done.get(k):
                seen[k] = seen.get(k, 0) + 1
                assert d == {"urge": date(2026, 10, 8), "supervise": date(2026, 10, 14)}[k]
        if d == date(2026, 10, 1):
            c = clock_of(db.engine, case, "reply")
            assert _aware(c.breached_at) == end_of_day(DUE) and c.overdue_level == 0
    assert seen == {"urge": 1, "supervise": 1}
    c = clock_of(db.engine, case, "reply")
    assert c.overdue_level == 2 and _aware(c.breached_at) == end_of_day(DUE)
    assert case_row(db.engine, case).overdue_level == 2
    evs = events(db.engine, case)
    esc = [e for e in evs if e.action in ("urge", "supervise")]
    assert [(e.action, e.payload["level"], e.payload["days_overdue"], e.actor_label) for e in esc] == [
        ("urge", 1, 1, "系统"), ("supervise", 2, 6, "系统")]
    assert esc[0].payload["breached_at"] == end_of_day(DUE).isoformat()
    notices = outbox(db.engine, "internal.overdue", case)
    leaders = {o.recipient for o in notices}
    assert f"user:{staff.leader.id}" in leaders and f"user:{staff.officer.id}" not in leaders
    by_level: dict[int, int] = {}
    for o in notices:
        by_level[o.context["notice"]["level"]] = by_level.get(o.context["notice"]["level"], 0) + 1
        assert o.context["notice"]["officer"] == "承办人李明" and o.context["notice"]["unit"] == "综合科"
    assert by_level == {1: len(leaders), 2: len(leaders)}


def test_missed_levels_fire_once_each_in_order_after_downtime(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    report = run(db.engine, "escalation", at(date(2026, 10, 16), 9))  # first run after the holiday
    assert report.done["urge"] == 1 and report.done["supervise"] == 1 and report.done["breached"] == 1
    esc = [e.action for e in events(db.engine, case) if e.action in ("urge", "supervise")]
    assert esc == ["urge", "supervise"]
    assert run(db.engine, "escalation", at(date(2026, 10, 16), 9, 5)).done == {}
    levels = sorted((o.context["notice"]["level"], o.context["notice"]["days_overdue"])
                    for o in outbox(db.engine, "internal.overdue", case))
    assert {lv for lv, _ in levels} == {1, 2} and all(d == 8 for _, d in levels)


def test_escalation_decided_at_night_is_held_but_breach_is_exact(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    run(db.engine, "escalation", local_dt(2026, 10, 8, 23, 30))
    rows = outbox(db.engine, "internal.overdue", case)
    assert rows and all(_aware(o.next_attempt_at) == at(date(2026, 10, 9), 9) for o in rows)
    assert _aware(clock_of(db.engine, case, "reply").breached_at) == end_of_day(DUE)


def test_met_and_paused_clocks_are_not_escalated(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    from workflow.disclosure import actions as wf

    wf.act(db.engine, case, "reply", {"category": "disclose", "reason": "already_public",
                                      "detail": {"published_where": "本局门户网站"}}, staff.officer, at(DUE, 17))
    report = run(db.engine, "escalation", at(date(2026, 10, 20), 10))
    assert report.done == {}
    assert clock_of(db.engine, case, "reply").breached_at is None


@pytest.mark.postgres
def test_case_locked_by_an_officer_is_left_for_the_next_run(pg_db, clock) -> None:
    db = pg_db
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    with db.engine.connect() as other:
        tx = other.begin()
        other.execute(text("SELECT id FROM disclosure WHERE id = :i FOR UPDATE"), {"i": case})
        report = run(db.engine, "escalation", at(date(2026, 10, 8), 10))
        assert report.done == {"case_busy": 1}
        tx.rollback()
    assert clock_of(db.engine, case, "reply").overdue_level == 0
    report = run(db.engine, "escalation", at(date(2026, 10, 8), 10, 1))
    assert report.done["urge"] == 1


@pytest.mark.postgres
def test_concurrent_sweeps_escalate_each_clock_once(pg_db, clock) -> None:
    from concurrent.futures import ThreadPoolExecutor

    db = pg_db
    staff = make_staff(db.engine, clock.now())
    cases = [register_on(db.engine, staff, RECEIVED) for _ in range(40)]
    now = at(date(2026, 10, 16), 10)

    def one(i: int) -> dict[str, int]:
        from workflow.sweeps.run import escalate

        return escalate(db.engine, now, instance=f"t{i}", batch_size=7).done

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, range(4)))
    assert sum(r.get("urge", 0) for r in results) == 40
    assert sum(r.get("supervise", 0) for r in results) == 40
    with read_session(db.engine) as s:
        n = s.exec(select(Event).where(Event.action.in_(("urge", "supervise")))).all()  # type: ignore[attr-defined]
    assert len(n) == 80
    leaders = len({o.recipient for o in outbox(db.engine, "internal.overdue")})
    assert len(outbox(db.engine, "internal.overdue")) == 80 * leaders
    assert all(case_row(db.engine, c).overdue_level == 2 for c in cases)


# ------------------------------------------------------------------ work orders


def _work_order(db, staff, due: date) -> tuple[int, int]:
    now = at(RECEIVED, 10)
    with write_session(db.engine) as s:
        wo = WorkOrder(agency_id=staff.agency_id, order_no="GD2026090200001", state="handling", received_at=now,
                       category="complaint", content="反映人行道被占用", profile_code="yunnan_county",
                       source_hash="x" * 64, assignee_id=staff.officer.id, created_at=now, updated_at=now)
        s.add(wo)
        s.flush()
        assert wo.id is not None
        c = Clock(agency_id=staff.agency_id, case_kind="workorder", case_id=wo.id, kind="handling", amount=10,
                  start_date=RECEIVED, due_date=due, due_at=end_of_day(due), assignee_id=staff.officer.id,
                  updated_at=now)
        s.add(c)
        s.commit()
        assert c.id is not None
        return wo.id, c.id


def test_work_order_that_does_not_press_itself_is_escalated_here(db, clock, monkeypatch) -> None:
    """A kind whose descriptor does not say it presses its cases itself (``presses_itself``) is escalated by the
    sweep, which records each step and notifies the leaders (here: the work order without its own urge/supervise)."""
    monkeypatch.setitem(KINDS, "workorder", replace(HOTLINE, presses_itself=False))
    staff = make_staff(db.engine, clock.now())
    wo, _ = _work_order(db, staff, DUE)
    run(db.engine, "escalation", at(date(2026, 10, 16), 10))
    with read_session(db.engine) as s:
        row = s.get(WorkOrder, wo)
        evs = s.exec(select(Event).where(Event.case_kind == "workorder", Event.case_id == wo)).all()
    assert row is not None and row.overdue_level == 2
    assert [e.action for e in evs] == ["urge", "supervise"]
    assert {o.context["case"]["kind_label"] for o in outbox(db.engine, "internal.overdue", wo)} == {"12345工单"}


def test_work_order_escalation_goes_through_the_hotline_act(db, clock, monkeypatch) -> None:
    """The work order presses itself: each step is its own action, fired through the case engine."""
    calls: list[tuple[int, str, Any]] = []

    def fake_act(engine, kind, order_id, action, payload, actor, now):  # the case engine's act() for the order
        assert kind is HOTLINE
        calls.append((order_id, action, actor.is_system))
        with write_session(engine) as s:
            for c in s.exec(select(Clock).where(Clock.case_kind == "workorder", Clock.case_id == order_id)).all():
                c.overdue_level = {"urge": 1, "supervise": 2}[action]
                s.add(c)
            s.commit()

    monkeypatch.setattr(escalation.case_engine, "act", fake_act)
    staff = make_staff(db.engine, clock.now())
    wo, clock_id = _work_order(db, staff, DUE)
    report = run(db.engine, "escalation", at(date(2026, 10, 16), 10))
    assert calls == [(wo, "urge", True), (wo, "supervise", True)]
    assert report.done["urge"] == 1 and report.done["supervise"] == 1
    assert outbox(db.engine, "internal.overdue", wo) == []  # the leaders are notified by the 12345 act itself
    assert run(db.engine, "escalation", at(date(2026, 10, 16), 11)).done == {}
    with read_session(db.engine) as s:
        c = s.get(Clock, clock_id)
    assert c is not None and _aware(c.breached_at) == end_of_day(DUE)


def test_work_order_escalated_through_the_real_12345_workflow(db, clock) -> None:
    """An unsigned order (yunnan_county: sign for within 1 working day) is urged by the system on the first
    overdue working day and supervised five working days later, through ``workflow.hotline.actions.act``."""
    from tests.hotline_helpers import local, new_order

    staff = make_staff(db.engine, clock.now())
    oid = new_order(db.engine, staff.front, local(2026, 3, 2, 9, 15), received_at="2026-03-02 09:15:00")
    with read_session(db.engine) as s:
        sign = s.exec(select(Clock).where(Clock.case_kind == "workorder", Clock.case_id == oid,
                                          Clock.kind == "sign_for")).one()
    assert sign.due_date == date(2026, 3, 3)
    assert run(db.engine, "escalation", local(2026, 3, 3, 23)).done == {}
    first = run(db.engine, "escalation", local(2026, 3, 4, 9))
    assert first.done["urge"] == 1 and "supervise" not in first.done
    assert run(db.engine, "escalation", local(2026, 3, 10, 9)).done == {}  # 5 overdue working days
    assert run(db.engine, "escalation", local(2026, 3, 11, 9)).done["supervise"] == 1  # the 6th
    assert run(db.engine, "escalation", local(2026, 3, 11, 10)).done == {}
    with read_session(db.engine) as s:
        row = s.get(WorkOrder, oid)
        evs = s.exec(select(Event).where(Event.case_kind == "workorder", Event.case_id == oid,
                                         col(Event.action).in_(("urge", "supervise")))).all()
        c = s.get(Clock, sign.id)
    assert row is not None and row.overdue_level == 2
    assert [(e.action, e.actor_label) for e in evs] == [("urge", "系统"), ("supervise", "系统")]
    assert c is not None and _aware(c.breached_at) == end_of_day(date(2026, 3, 3))  # the due time
    notices = outbox(db.engine, "internal.overdue", oid)
    per = {(o.context["notice"]["level"], o.recipient) for o in notices}
    assert len(per) == len(notices) and {lv for lv, _ in per} == {1, 2}  # once per level and leader


def _levels(engine, oid: int) -> list[str]:
    with read_session(engine) as s:
        evs = s.exec(select(Event).where(Event.case_kind == "workorder", Event.case_id == oid,
                                         col(Event.action).in_(("urge", "supervise"))).order_by(col(Event.id))).all()
    return [e.action for e in evs]


def test_work_order_escalation_follows_the_ladder_of_its_profile_cell(db, clock) -> None:
    """The agency overrides the complaints' ladder (督办 two working days after the first overdue one, not
    five): complaints and consultations are swept by their own ladders, across 清明 2026 (4/4–4/6 off).

    Both orders are received Thursday 4/2 and not signed for (1 working day: due Friday 4/3). First overdue
    working day (index 0): Tuesday 4/7 → 催办 for both; index 2, Thursday 4/9 → 督办 for the complaint only;
    index 5, Tuesday 4/14 → 督办 for the consultation.
    """
    from tests.hotline_helpers import local, new_order, set_profile

    staff = make_staff(db.engine, clock.now())
    set_profile(db.engine, "yunnan_county", {"escalation.complaint": [
        {"action": "urge", "after_wd": 0}, {"action": "supervise", "after_wd": 2}]})
    received = local(2026, 4, 2, 9, 15)
    complaint = new_order(db.engine, staff.front, received, received_at="2026-04-02 09:15:00")
    consult = new_order(db.engine, staff.front, received, received_at="2026-04-02 09:15:00", category="咨询")
    assert run(db.engine, "escalation", local(2026, 4, 6, 10)).done == {"breached": 2}  # holiday: breach only
    assert run(db.engine, "escalation", local(2026, 4, 7, 9)).done["urge"] == 2
    assert run(db.engine, "escalation", local(2026, 4, 8, 9)).done == {}
    third = run(db.engine, "escalation", local(2026, 4, 9, 9))
    # the consultation's handling clock (3 working days: due 4/8) runs out too: breached, but its order has
    # had its 催办 — no step fired twice
    assert third.done == {"supervise": 1, "breached": 1}
    assert _levels(db.engine, complaint) == ["urge", "supervise"]
    assert _levels(db.engine, consult) == ["urge"]
    assert run(db.engine, "escalation", local(2026, 4, 13, 9)).done == {}
    assert run(db.engine, "escalation", local(2026, 4, 14, 9)).done == {"supervise": 1}
    assert _levels(db.engine, consult) == ["urge", "supervise"]
    assert run(db.engine, "escalation", local(2026, 4, 14, 10)).done == {}


def test_work_order_with_a_one_step_ladder_is_supervised_once(db, clock) -> None:
    """A ladder of one step (督办 on the third overdue working day, no 催办) fires exactly that step."""
    from tests.hotline_helpers import local, new_order, set_profile

    staff = make_staff(db.engine, clock.now())
    set_profile(db.engine, "yunnan_county", {"escalation": [{"action": "supervise", "after_wd": 2}]})
    oid = new_order(db.engine, staff.front, local(2026, 3, 2, 9, 15), received_at="2026-03-02 09:15:00")
    assert run(db.engine, "escalation", local(2026, 3, 5, 9)).done == {"breached": 1}  # index 1
    assert run(db.engine, "escalation", local(2026, 3, 6, 9)).done == {"supervise": 1}  # index 2
    assert run(db.engine, "escalation", local(2026, 3, 20, 9)).done == {}
    assert _levels(db.engine, oid) == ["supervise"]
    with read_session(db.engine) as s:
        row = s.get(WorkOrder, oid)
    assert row is not None and row.overdue_level == 1


def test_steps_the_order_passed_through_another_clock_are_not_fired_again(db, clock) -> None:
    """Signed for late (催办 3/4, 督办 3/11 on the sign-for clock), then the handling clock runs out too: the
    ladder of this cycle is spent, so the handling clock is marked at the order's level — no third step,
    no refused attempt on every later run."""
    from tests.hotline_helpers import act, local, new_order

    staff = make_staff(db.engine, clock.now())
    oid = new_order(db.engine, staff.front, local(2026, 3, 2, 9, 15), received_at="2026-03-02 09:15:00")
    run(db.engine, "escalation", local(2026, 3, 4, 9))
    run(db.engine, "escalation", local(2026, 3, 11, 9))
    act(db.engine, oid, "sign_for", staff.front, local(2026, 3, 11, 10))
    with read_session(db.engine) as s:
        handling = s.exec(select(Clock).where(Clock.case_kind == "workorder", Clock.case_id == oid,
                                              Clock.kind == "handling")).one()
    assert handling.status == "running" and handling.due_date is not None
    assert handling.due_date == date(2026, 3, 23)  # 15 working days from 3/2

    def level() -> int:
        with read_session(db.engine) as s:
            c = s.get(Clock, handling.id)
        assert c is not None and _aware(c.breached_at) == _aware(c.due_at)
        return c.overdue_level

    assert run(db.engine, "escalation", local(2026, 3, 30, 9)).done == {"breached": 1}  # index 4
    assert level() == 1
    assert run(db.engine, "escalation", local(2026, 3, 30, 10)).done == {}
    assert run(db.engine, "escalation", local(2026, 3, 31, 9)).done == {}  # index 5: 督办 passed already
    assert level() == 2
    assert _levels(db.engine, oid) == ["urge", "supervise"]


def test_work_orders_are_still_escalated_when_no_profile_loads(db, clock, monkeypatch) -> None:
    """A broken profile directory must not silence the sweeps: orders escalate on the agency's steps."""
    from tests.hotline_helpers import local, new_order
    from workflow.hotline import ladders as sweep_ladders

    staff = make_staff(db.engine, clock.now())
    oid = new_order(db.engine, staff.front, local(2026, 3, 2, 9, 15), received_at="2026-03-02 09:15:00")
    monkeypatch.setattr(sweep_ladders, "profile_codes", lambda: ())
    sweep_ladders._cells.cache_clear()
    try:
        assert run(db.engine, "escalation", local(2026, 3, 4, 9)).done["urge"] == 1
        assert run(db.engine, "escalation", local(2026, 3, 11, 9)).done["supervise"] == 1
    finally:
        sweep_ladders._cells.cache_clear()
    assert _levels(db.engine, oid) == ["urge", "supervise"]
