"""Clocks as rows: create, pause, resume, extend, restart, recompute, stop — inside the caller's transaction.

Every change that moves a due date recomputes it here, stores the explanation, the calendar
version and the provisional flag, and bumps ``deadline_version`` (so reminders keyed on the
version may fire again for a moved deadline). Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from db.models import Clock, ClockAdjustment
from states.calendar import WorkCalendar
from states.deadlines import ClockInput, Pause, compute_workday_clock
from workflow.clock import end_of_day


@dataclass(frozen=True)
class ClockKind:
    label: str
    duty: bool  # the agency must act by the due date: overdue → escalation (催办/督办)
    lapse_action: str | None = None  # the workflow action the sweep fires when it lapses
    reminders: bool = True


CLOCK_KINDS: dict[str, ClockKind] = {
    # disclosure
    "reply": ClockKind("答复期限", duty=True),
    "correction_notice": ClockKind("补正告知期限", duty=False),
    "correction_period": ClockKind("申请人补正期限", duty=False, lapse_action="lapse_correction"),
    "consultation": ClockKind("征求意见期限", duty=False, lapse_action="lapse_consultation"),
    "fee_payment": ClockKind("缴费期限", duty=False, lapse_action="lapse_fee"),
    # 12345 work orders
    "sign_for": ClockKind("签收时限", duty=True),
    "return_window": ClockKind("退单时限", duty=False, reminders=False),
    "handling": ClockKind("办理时限", duty=True),
    "callback": ClockKind("回访时限", duty=True),
}

OPEN = ("running", "paused")


def get_clock(session: Session, case_kind: str, case_id: int, kind: str, cycle: int = 1) -> Clock | None:
    return session.exec(
        select(Clock).where(Clock.case_kind == case_kind, Clock.case_id == case_id, Clock.kind == kind,
                            Clock.cycle == cycle)
    ).first()


def case_clocks(session: Session, case_kind: str, case_id: int) -> list[Clock]:
    return list(session.exec(
        select(Clock).where(Clock.case_kind == case_kind, Clock.case_id == case_id).order_by(Clock.id)  # type: ignore[arg-type]
    ).all())


def adjustments(session: Session, clock: Clock) -> list[ClockAdjustment]:
    return list(session.exec(
        select(ClockAdjustment).where(ClockAdjustment.clock_id == clock.id).order_by(ClockAdjustment.id)  # type: ignore[arg-type]
    ).all())


def _input_for(clock: Clock, adjs: list[ClockAdjustment]) -> ClockInput:
    """The pure clock input from the row and its ledger (only entries after the last restart)."""
    last_restart = max((i for i, a in enumerate(adjs) if a.kind == "restart"), default=-1)
    live = adjs[last_restart + 1:]
    ext = sum(a.workdays or 0 for a in live if a.kind == "extension")
    ext_reason = "；".join(a.reason for a in live if a.kind == "extension" and a.reason)
    pauses = tuple(Pause(a.start_date, a.end_date, a.reason, expected_end=a.expected_end or a.start_date)
                   for a in live if a.kind == "pause" and a.start_date is not None)
    delay = [a for a in live if a.kind == "delay"]
    base_reason = clock.explanation.get("base_reason", "收到申请之日") if clock.explanation else "收到申请之日"
    if last_restart >= 0:
        base_reason = adjs[last_restart].reason or "收到补正申请之日"
    assert clock.start_date is not None
    if delay:  # 条例第三十五条: a delayed reply period replaces the ordinary deadline
        d = delay[-1]
        assert d.start_date is not None and d.workdays is not None
        return ClockInput(d.start_date, d.workdays, 0, "", tuple(p for p in pauses if p.start >= d.start_date),
                          f"确定延迟答复期限之日（{d.reason}）", last_restart >= 0)
    return ClockInput(clock.start_date, clock.amount, ext, ext_reason, pauses, base_reason, last_restart >= 0)


def recompute(session: Session, clock: Clock, cal: WorkCalendar, now: datetime, tz: str) -> tuple[date | None, date | None]:
    """Recompute a working-day clock from its base and ledger; returns (old due, new due)."""
    if clock.unit != "wd":
        return clock.due_date, clock.due_date
    adjs = adjustments(session, clock)
    result = compute_workday_clock(cal, _input_for(clock, adjs))
    old = clock.due_date
    expl = dict(result.explanation)
    if clock.explanation and "base_reason" in clock.explanation:
        expl["base_reason"] = clock.explanation["base_reason"]
    clock.explanation = expl
    clock.provisional = result.provisional
    clock.missing_years = list(result.missing_years)
    clock.calendar_version = cal.version
    clock.updated_at = now
    if old != result.due:
        clock.due_date = result.due
        clock.due_at = end_of_day(result.due, tz)
        if old is not None:
            clock.deadline_version += 1
            clock.overdue_level = 0
            clock.breached_at = None
    session.add(clock)
    return old, result.due


def new_clock_values(*, agency_id: int, case_kind: str, kind: str, base: date, amount: int, cal: WorkCalendar,
                     now: datetime, tz: str, assignee_id: int | None = None, cycle: int = 1,
                     base_reason: str = "收到申请之日") -> dict[str, Any]:
    """Column values of a fresh working-day clock (no ledger yet), for Core inserts; add ``case_id``."""
    result = compute_workday_clock(cal, ClockInput(base, amount, base_reason=base_reason))
    return {
        "agency_id": agency_id, "case_kind": case_kind, "kind": kind, "cycle": cycle, "status": "running",
        "unit": "wd", "amount": amount, "start_date": base, "start_at": None, "due_date": result.due,
        "due_at": end_of_day(result.due, tz), "explanation": {**result.explanation, "base_reason": base_reason},
        "calendar_version": cal.version, "provisional": result.provisional,
        "missing_years": list(result.missing_years), "deadline_version": 1, "met_at": None, "breached_at": None,
        "overdue_level": 0, "assignee_id": assignee_id, "updated_at": now,
    }


def start_clock(session: Session, *, agency_id: int, case_kind: str, case_id: int, kind: str, base: date,
                amount: int, cal: WorkCalendar, now: datetime, tz: str, assignee_id: int | None = None,
                cycle: int = 1, base_reason: str = "收到申请之日") -> Clock:
    """Create (or restart in place) a working-day clock and compute its due date."""
    clock = get_clock(session, case_kind, case_id, kind, cycle)
    if clock is None:
        clock = Clock(agency_id=agency_id, case_kind=case_kind, case_id=case_id, kind=kind, cycle=cycle,
                      amount=amount, start_date=base, updated_at=now, assignee_id=assignee_id,
                      explanation={"base_reason": base_reason})
        session.add(clock)
        session.flush()
    else:
        clock.start_date, clock.amount, clock.status = base, amount, "running"
        clock.met_at = None
        clock.explanation = {"base_reason": base_reason}
    recompute(session, clock, cal, now, tz)
    return clock


def pause_clock(session: Session, clock: Clock, *, start: date, expected_end: date | None, reason: str,
                actor_id: int | None, cal: WorkCalendar, now: datetime, tz: str) -> ClockAdjustment:
    assert clock.id is not None
    adj = ClockAdjustment(clock_id=clock.id, kind="pause", start_date=start, end_date=None, reason=reason,
                          expected_end=expected_end, actor_id=actor_id, created_at=now)
    session.add(adj)
    session.flush()
    clock.status = "paused"
    recompute(session, clock, cal, now, tz)
    return adj


def resume_clock(session: Session, clock: Clock, *, end: date, cal: WorkCalendar, now: datetime,
                 tz: str) -> ClockAdjustment | None:
    open_pause = next((a for a in reversed(adjustments(session, clock)) if a.kind == "pause" and a.end_date is None),
                      None)
    if open_pause is not None:
        open_pause.end_date = max(end, open_pause.start_date or end)
        open_pause.workdays = cal.workdays_between(open_pause.start_date or end, open_pause.end_date)
        session.add(open_pause)
        session.flush()
    clock.status = "running"
    recompute(session, clock, cal, now, tz)
    return open_pause


def add_adjustment(session: Session, clock: Clock, *, kind: str, cal: WorkCalendar, now: datetime, tz: str,
                   start: date | None = None, workdays: int | None = None, reason: str = "",
                   actor_id: int | None = None, approver_id: int | None = None) -> tuple[date | None, date | None]:
    """Record an extension / restart / delay in the ledger and recompute."""
    session.add(ClockAdjustment(clock_id=clock.id, kind=kind, start_date=start, workdays=workdays,  # type: ignore[arg-type]
                                reason=reason, actor_id=actor_id, approver_id=approver_id, created_at=now))
    session.flush()
    if kind == "restart" and start is not None:
        clock.start_date = start
    return recompute(session, clock, cal, now, tz)


def stop_clock(clock: Clock, *, status: str, now: datetime) -> None:
    """Mark a clock met (action done in time or late) or cancelled (no longer relevant)."""
    clock.status = status
    clock.met_at = now if status == "met" else clock.met_at
    clock.updated_at = now


def clock_view(clock: Clock) -> dict[str, Any]:
    kind = CLOCK_KINDS.get(clock.kind)
    return {
        "kind": clock.kind, "label": kind.label if kind else clock.kind, "cycle": clock.cycle,
        "status": clock.status, "due_date": clock.due_date.isoformat() if clock.due_date else None,
        "due_at": clock.due_at.isoformat() if clock.due_at else None, "provisional": clock.provisional,
        "missing_years": clock.missing_years, "calendar_version": clock.calendar_version,
        "deadline_version": clock.deadline_version, "overdue_level": clock.overdue_level,
        "met_at": clock.met_at.isoformat() if clock.met_at else None,
        "breached_at": clock.breached_at.isoformat() if clock.breached_at else None,
        "explanation": clock.explanation.get("lines_zh", []) if clock.explanation else [],
    }


def clock_input(clock: Clock, adjs: list[ClockAdjustment]) -> ClockInput:
    """The pure input a clock's due date is computed from (for read-only previews, e.g. a new calendar)."""
    return _input_for(clock, adjs)
