"""The test-only third kind through the real sweeps (issue 17): its clock is reminded, breached, pressed (催办, then
督办) and listed in the leaders' digest, with nothing of it in the sweeps — only its descriptor (clocks, table,
number and summary columns) in the registry."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from db.engine import read_session
from db.models import Clock, Event
from notifications.render import render, render_subject
from tests.cases.petition_kind import PETITION, Petition, new_petition
from tests.helpers import make_staff
from tests.workflow.sweep_helpers import at, outbox, run
from workflow.cases import engine as case_engine
from workflow.timesource import end_of_day

ASSIGNED = date(2026, 3, 2)  # a Monday: 15 working days later is Monday 3/23 (no holiday in March 2026)
DUE = date(2026, 3, 23)


def _clock(engine, pid: int) -> Clock:  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        return s.exec(select(Clock).where(Clock.case_kind == "petition", Clock.case_id == pid)).one()


def _petition(engine, pid: int) -> Petition:  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        row = s.get(Petition, pid)
        assert row is not None
        return row


def _aware(dt):  # type: ignore[no-untyped-def]
    from datetime import UTC

    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def test_the_third_kinds_clock_is_reminded_pressed_and_digested_by_the_real_sweeps(db, clock, petitions) -> None:  # type: ignore[no-untyped-def]
    staff = make_staff(db.engine, clock.now())
    pid = new_petition(db.engine, staff.agency_id)
    case_engine.act(db.engine, PETITION, pid, "assign", {"assignee_id": staff.officer.id}, staff.front,
                    at(ASSIGNED, 10))
    c = _clock(db.engine, pid)
    assert (c.kind, c.status, c.due_date, c.assignee_id) == ("petition_reply", "running", DUE, staff.officer.id)
    assert _aware(_petition(db.engine, pid).next_due_at) == end_of_day(DUE)

    # reminders: 5 working days before the due day the assigned officer hears of it, once
    assert run(db.engine, "reminders", at(date(2026, 3, 13), 10)).done.get("reminded", 0) == 0  # 6 left
    assert run(db.engine, "reminders", at(date(2026, 3, 16), 10)).done["reminded"] == 1
    assert run(db.engine, "reminders", at(date(2026, 3, 16), 11)).done.get("reminded", 0) == 0
    [reminder] = outbox(db.engine, "internal.reminder", pid)
    assert (reminder.case_kind, reminder.recipient) == ("petition", f"user:{staff.officer.id}")
    assert reminder.context["case"] == {"kind": "petition", "kind_label": "信访事项", "number": "信2026-0001",
                                        "summary": "反映小区门前道路积水长期未治理"}
    assert reminder.context["notice"]["clock_label"] == "信访事项办理期限"
    assert reminder.context["notice"]["working_days_left"] == 5
    body = render("internal.reminder", reminder.context, "html", settings=db.settings).content.decode()
    assert "您承办的信访事项信2026-0001（反映小区门前道路积水长期未治理）信访事项办理期限将于" in body
    assert "剩余5个工作日" in body

    # escalation: breached at the due time; 催办 on the first overdue working day, 督办 five working days later
    assert run(db.engine, "escalation", at(DUE, 23)).done == {}
    first = run(db.engine, "escalation", at(date(2026, 3, 24), 10))
    assert first.done["breached"] == 1 and first.done["urge"] == 1 and "supervise" not in first.done
    c = _clock(db.engine, pid)
    assert c.overdue_level == 1 and _aware(c.breached_at) == end_of_day(DUE)
    assert _petition(db.engine, pid).overdue_level == 1  # the case row's level, for lists
    assert run(db.engine, "escalation", at(date(2026, 3, 30), 10)).done == {}  # 5 overdue working days
    assert run(db.engine, "escalation", at(date(2026, 3, 31), 10)).done["supervise"] == 1  # the 6th
    assert run(db.engine, "escalation", at(date(2026, 3, 31), 11)).done == {}
    with read_session(db.engine) as s:
        evs = s.exec(select(Event).where(Event.case_kind == "petition", Event.case_id == pid)
                     .order_by(col(Event.id))).all()
    assert [(e.action, e.actor_label) for e in evs] == [("assign", "前台小王"), ("urge", "系统"), ("supervise", "系统")]
    assert evs[1].payload["label"] == "催办" and evs[1].payload["clock"] == "petition_reply"
    overdue = outbox(db.engine, "internal.overdue", pid)
    per = {(o.context["notice"]["level"], o.recipient) for o in overdue}  # once per level and leader
    assert len(per) == len(overdue) and {(1, f"user:{staff.leader.id}"), (2, f"user:{staff.leader.id}")} <= per
    assert {o.context["case"]["kind_label"] for o in overdue} == {"信访事项"}
    assert overdue[0].context["notice"]["officer"] == "承办人李明"
    assert render_subject("internal.overdue", overdue[-1].context, settings=db.settings).startswith("【督办】")

    # the leaders' digest lists it among the overdue deadlines
    assert run(db.engine, "digest", at(date(2026, 4, 1), 9)).done["digests"] >= 1
    [digest] = [o for o in outbox(db.engine, "internal.digest") if o.recipient == f"user:{staff.leader.id}"]
    [row] = [r for r in digest.context["notice"]["overdue"] if r["kind_label"] == "信访事项"]
    assert (row["number"], row["clock_label"], row["officer"], row["days"]) == (
        "信2026-0001", "信访事项办理期限", "承办人李明", 7)

    # answered: the clock is met and nothing more is sent
    case_engine.act(db.engine, PETITION, pid, "answer", {"text": "经核查，已责成物业整改。"}, staff.officer,
                    at(date(2026, 4, 1), 10))
    assert _clock(db.engine, pid).status == "met" and _petition(db.engine, pid).next_due_at is None
    assert run(db.engine, "escalation", at(date(2026, 4, 2), 10)).done == {}
    assert run(db.engine, "reminders", at(date(2026, 4, 2), 10)).done.get("reminded", 0) == 0


def test_a_registered_kinds_clock_kind_may_not_take_another_kinds_name(petitions) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    import pytest

    from workflow.cases.clocks import CLOCK_KINDS, ClockKind
    from workflow.cases.kind import register

    assert CLOCK_KINDS["petition_reply"].case_kind == "petition" and CLOCK_KINDS["reply"].case_kind == "disclosure"
    with pytest.raises(ValueError, match="reply"):
        register(replace(PETITION, name="petition2", clocks={"reply": ClockKind("答复期限", duty=True)}))
