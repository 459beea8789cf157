"""Clocks as rows: create, pause, resume, extend, restart, recompute, stop — inside the caller's transaction.

Every change that moves a due date recomputes it here, stores the explanation, the calendar
version and the provisional flag, and bumps ``deadline_version`` (so reminders keyed on the
version may fire again for a moved deadline). Nothing here commits.

Units: ``wd`` counts working days from ``start_date`` (pauses, extensions, restarts, delays);
``wmin`` counts working minutes from ``start_at`` inside the working hours stored in the
explanation (12345 sign-for windows in working hours); ``fixed`` is an instant set from outside
(the platform's own deadline, or the end of the receipt day). An extension of N working days on a
``wmin``/``fixed`` clock ends at 24:00 of the N-th working day after its base due day.
``plan_*`` compute a new clock without touching the database (the batch import inserts plans in
bulk); ``start_planned`` inserts one through the session.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from db.loaded import new_row
from db.models import Clock, ClockAdjustment
from states.calendar import WorkCalendar, WorkingHours
from states.deadlines import ClockInput, ClockResult, Pause, compute_workday_clock
from states.vocab import ClockStatus
from states.wording import CLOCK_PASSED_DUTY, CLOCK_PASSED_WINDOW, CLOCK_STATUS, zone_label
from workflow.timesource import aware, end_of_day, fmt_local, local_date


@dataclass(frozen=True)
class ClockKind:
    """One kind of clock, as a request kind declares it (``CaseKind.clocks``)."""

    label: str
    duty: bool  # the agency must act by the due date: overdue → escalation (催办/督办), dashboards' "overdue"
    lapse_action: str | None = None  # the workflow action the lapses sweep fires when it lapses
    reminders: bool = True  # reminded before due (on the agency's reminder ladder unless the kind gives its own)
    for_desk: bool = False  # the desk answers for it whoever handles the case: its reminders go to the desk
    statutory: bool = True  # its length is the law's (法定期限), not the agency's (its explanation says which)
    case_kind: str = ""  # the case kind whose clocks these are (filled in by the registry)

    @property
    def binds(self) -> bool:
        """Someone must act by the due date (a duty), or the case moves on by itself then (a lapse). A window that
        only allows something (the 7-working-day correction notice, 条例第三十条) binds nobody: it is no case's next
        deadline, and once passed it is 已届满, never 逾期."""
        return self.duty or self.lapse_action is not None


# Every registered kind's clock kinds (workflow.cases.kind.register assembles it from the descriptors; the
# names are unique across kinds). Read it at run time — never copy it into a module constant at import.
CLOCK_KINDS: dict[str, ClockKind] = {}


def duty_kinds() -> tuple[str, ...]:
    """The clock kinds that oblige the agency to act by the due date (overdue → escalation, "overdue" figures)."""
    return tuple(k for k, v in CLOCK_KINDS.items() if v.duty)


def reminder_kinds() -> tuple[str, ...]:
    return tuple(k for k, v in CLOCK_KINDS.items() if v.reminders)


def desk_kinds() -> tuple[str, ...]:
    """Clock kinds whose reminders go to the desk (12345: signing for an order and its callback)."""
    return tuple(k for k, v in CLOCK_KINDS.items() if v.for_desk)


# A case's clocks and a clock's ledger, read once per transaction: an action reads them several times (the
# guards' facts, the handler, the next-due refresh, the allowed actions after it) and a go-live row takes several
# steps in one transaction. The ORM rows are kept in ``session.info`` and every clock or ledger entry created here
# (start_clock, start_planned, pause_clock, add_adjustment) is added to them, so a cached list is what a SELECT
# would return. Clocks are only ever created through those functions or, for a new case, by the Core inserts of a
# registration or an import (before anything reads that case). The cache ends with the transaction (commit,
# rollback, a savepoint's end): another transaction may have changed the rows meanwhile.
_CLOCKS_KEY = "banli.case_clocks"
_LEDGER_KEY = "banli.clock_ledger"
_CASE_CLOCKS = select(Clock).where(Clock.case_kind == bindparam("case_kind"),  # type: ignore[arg-type]
                                   Clock.case_id == bindparam("case_id")).order_by(Clock.id)  # type: ignore[arg-type]
_LEDGER = select(ClockAdjustment).where(ClockAdjustment.clock_id == bindparam("clock_id")  # type: ignore[arg-type]
                                        ).order_by(ClockAdjustment.id)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_transaction_end")
def _forget(session: OrmSession, transaction: Any) -> None:
    if transaction.parent is not None and not transaction.nested:
        return  # the inner "subtransaction" of a flush
    session.info.pop(_CLOCKS_KEY, None)
    session.info.pop(_LEDGER_KEY, None)


def forget_clocks(session: Session) -> None:
    """Read the clocks and ledgers again when next needed (an import between two rows of one transaction)."""
    session.info.pop(_CLOCKS_KEY, None)
    session.info.pop(_LEDGER_KEY, None)


def get_clock(session: Session, case_kind: str, case_id: int, kind: str, cycle: int = 1) -> Clock | None:
    return next((c for c in case_clocks(session, case_kind, case_id) if c.kind == kind and c.cycle == cycle), None)


def case_clocks(session: Session, case_kind: str, case_id: int) -> list[Clock]:
    """The case's clocks in creation order (read once per transaction, see above)."""
    cache: dict[tuple[str, int], list[Clock]] = session.info.setdefault(_CLOCKS_KEY, {})
    rows = cache.get((case_kind, case_id))
    if rows is None:
        rows = cache[(case_kind, case_id)] = list(session.exec(_CASE_CLOCKS, params={"case_kind": case_kind,
                                                                                     "case_id": case_id}).all())
    return list(rows)


def _created_clock(session: Session, clock: Clock) -> None:
    rows = session.info.get(_CLOCKS_KEY, {}).get((clock.case_kind, clock.case_id))
    if rows is not None:
        rows.append(clock)
    assert clock.id is not None
    session.info.setdefault(_LEDGER_KEY, {})[clock.id] = []  # a new clock has no ledger yet


def inserted_clocks(session: Session, case_kind: str, case_id: int, clocks: list[Clock]) -> None:
    """The clocks of a case inserted in this transaction by a Core insert, in the session as loaded rows
    (db.loaded.attach_inserted): they are all the case has, with no ledger yet — what ``case_clocks`` and
    ``adjustments`` would read back."""
    session.info.setdefault(_CLOCKS_KEY, {})[(case_kind, case_id)] = list(clocks)
    ledger = session.info.setdefault(_LEDGER_KEY, {})
    for clock in clocks:
        assert clock.id is not None
        ledger[clock.id] = []


def adjustments(session: Session, clock: Clock) -> list[ClockAdjustment]:
    """The clock's ledger in order (read once per transaction, see above)."""
    cache: dict[int, list[ClockAdjustment]] = session.info.setdefault(_LEDGER_KEY, {})
    assert clock.id is not None
    rows = cache.get(clock.id)
    if rows is None:
        rows = cache[clock.id] = list(session.exec(_LEDGER, params={"clock_id": clock.id}).all())
    return list(rows)


def _add_entry(session: Session, clock: Clock, adj: ClockAdjustment) -> None:
    """A new ledger entry, in the session and in the clock's ledger as read (no flush needed to read it back)."""
    adjustments(session, clock)  # the ledger as stored, read before the new entry is added to it
    session.add(adj)
    assert clock.id is not None
    session.info[_LEDGER_KEY][clock.id].append(adj)


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
                          f"确定延迟答复期限之日（{d.reason}）", last_restart >= 0, "延迟答复期限")
    return ClockInput(clock.start_date, clock.amount, ext, ext_reason, pauses, base_reason, last_restart >= 0,
                      length_label(clock.kind))


def length_label(kind: str) -> str:
    """法定期限, or 期限 for a clock kind whose length the agency sets."""
    spec = CLOCK_KINDS.get(kind)
    return "期限" if spec is not None and not spec.statutory else "法定期限"


def _wd_explanation(result: ClockResult, base_reason: str | None, intro: Sequence[str] | None) -> dict[str, Any]:
    expl = dict(result.explanation)
    if base_reason is not None:
        expl["base_reason"] = base_reason
    if intro:  # lines that say where the length came from (e.g. the 12345 profile), shown first
        expl["intro_zh"] = list(intro)
        # a profile's length is a set time limit, not a statutory one (the intro gives its status)
        lines = [line.replace("法定期限", "期限", 1) for line in expl["lines_zh"]]
        expl["lines_zh"] = [*intro, *lines]
    return expl


def recompute(session: Session, clock: Clock, cal: WorkCalendar, now: datetime, tz: str) -> tuple[date | None, date | None]:
    """Recompute a clock from its base and ledger; returns (old due date, new due date)."""
    move = recompute_clock(session, clock, cal, now, tz)
    return move.old_date, move.new_date


@dataclass(frozen=True)
class ClockMove:
    """What a recompute does to a clock's deadline: the day and the instant before and after."""

    unit: str
    old_date: date | None
    old_at: datetime | None
    new_date: date | None
    new_at: datetime | None

    @property
    def hourly(self) -> bool:
        """A deadline at an hour of a day (12345 sign-for, urgent handling), not at the end of a day."""
        return self.unit in INSTANT_UNITS

    @property
    def moved(self) -> bool:
        """Whether the deadline moves — one rule for the recompute and the calendar preview: a working-day clock
        by its day, an hour-based or fixed clock by its instant (a new day off can move 11:30 to 10:30 the
        same day)."""
        if self.hourly:
            return self.old_at is None or self.old_at != self.new_at
        return self.old_date != self.new_date


    def texts(self, tz: str) -> tuple[str, str]:
        """(old, new) as a clerk reads them: "2026-03-30" for a day; "2026-03-02 11:30" for an hour-based one."""
        return (deadline_text(self.old_date, self.old_at, tz, hourly=self.hourly),
                deadline_text(self.new_date, self.new_at, tz, hourly=self.hourly))


def deadline_text(day: date | None, at: datetime | None, tz: str, *, hourly: bool) -> str:
    """A deadline as a clerk reads it: its day, or for an hour-based clock its local time as well."""
    if hourly and at is not None:
        return fmt_local(at, tz)
    return day.isoformat() if day is not None else "—"


def recomputed_due(clock: Clock, adjs: Sequence[ClockAdjustment], cal: WorkCalendar, tz: str) -> Due | None:
    """The due day and instant ``clock`` gets from its base and ledger ``adjs`` under ``cal`` — without writing
    (the recompute stores it; the calendar preview only compares it). None: a unit that is never recomputed."""
    if clock.unit in INSTANT_UNITS:
        ext = sum(a.workdays or 0 for a in adjs if a.kind == "extension")
        reason = "；".join(a.reason for a in adjs if a.kind == "extension" and a.reason)
        return _instant_due(clock.unit, clock.start_at, clock.amount, dict(clock.explanation or {}), cal, tz, ext,
                            reason)
    if clock.unit != "wd" or clock.start_date is None:
        return None
    result = _computed(cal, _input_for(clock, list(adjs)))
    prev = clock.explanation or {}
    return Due(result.due, end_of_day(result.due, tz),
                _wd_explanation(result, prev.get("base_reason"), prev.get("intro_zh")), result.provisional,
                tuple(result.missing_years))


def clock_move(clock: Clock, due: Due | None) -> ClockMove:
    """The move from ``clock``'s stored deadline to ``due`` (none when ``due`` is None)."""
    if due is None:
        return ClockMove(clock.unit, clock.due_date, clock.due_at, clock.due_date, clock.due_at)
    return ClockMove(clock.unit, clock.due_date, clock.due_at, due.due_date, due.due_at)


def recompute_clock(session: Session, clock: Clock, cal: WorkCalendar, now: datetime, tz: str) -> ClockMove:
    """Recompute a clock from its base and ledger and store the result: the explanation, the calendar version and
    the provisional flag always; a deadline that moved (``ClockMove.moved``) with a new ``deadline_version``, its
    overdue level and breach cleared (reminders and escalation start again for the new deadline)."""
    due = recomputed_due(clock, adjustments(session, clock) if clock.unit in ("wd", *INSTANT_UNITS) else [], cal, tz)
    move = clock_move(clock, due)
    if due is None:
        return move
    clock.explanation = due.explanation
    clock.provisional = due.provisional
    clock.missing_years = list(due.missing_years)
    clock.calendar_version = cal.version
    clock.updated_at = now
    if move.moved:
        clock.due_date, clock.due_at = due.due_date, due.due_at
        if (move.old_at if move.hourly else move.old_date) is not None:
            clock.deadline_version += 1
            clock.overdue_level = 0
            clock.breached_at = None
    session.add(clock)
    return move


@functools.lru_cache(maxsize=2048)
def _computed(cal: WorkCalendar, spec: ClockInput) -> ClockResult:
    """A working-day clock is a pure function of the (immutable) calendar and its inputs (base, length, extension,
    pauses): the front desk registers many applications on one day, an import's cases start, pause and resume on
    the same days, so the computation and its explanation are memoised (a changed calendar is a new WorkCalendar
    object, hence a new key). The explanation's parts are shared: callers copy what they change."""
    return compute_workday_clock(cal, spec)


def _fresh_clock(cal: WorkCalendar, base: date, amount: int, base_reason: str, kind: str) -> ClockResult:
    """A pause-free clock of ``kind`` (memoised, see ``_computed``)."""
    return _computed(cal, ClockInput(base, amount, base_reason=base_reason, length_label=length_label(kind)))


def new_clock_values(*, agency_id: int, case_kind: str, kind: str, base: date, amount: int, cal: WorkCalendar,
                     now: datetime, tz: str, assignee_id: int | None = None, cycle: int = 1,
                     base_reason: str = "收到申请之日") -> dict[str, Any]:
    """Column values of a fresh working-day clock (no ledger yet), for Core inserts; add ``case_id``.

    The explanation's nested lists are shared with other clocks of the same inputs (memoised): the
    values are for inserting, not for mutating.
    """
    result = _fresh_clock(cal, base, amount, base_reason, kind)
    return {
        "agency_id": agency_id, "case_kind": case_kind, "kind": kind, "cycle": cycle, "status": ClockStatus.RUNNING,
        "unit": "wd", "amount": amount, "start_date": base, "start_at": None, "due_date": result.due,
        "due_at": end_of_day(result.due, tz), "explanation": {**result.explanation, "base_reason": base_reason},
        "calendar_version": cal.version, "provisional": result.provisional,
        "missing_years": list(result.missing_years), "deadline_version": 1, "met_at": None, "breached_at": None,
        "overdue_level": 0, "assignee_id": assignee_id, "updated_at": now,
    }


def start_clock(session: Session, *, agency_id: int, case_kind: str, case_id: int, kind: str, base: date,
                amount: int, cal: WorkCalendar, now: datetime, tz: str, assignee_id: int | None = None,
                cycle: int = 1, base_reason: str = "收到申请之日", intro: Sequence[str] = ()) -> Clock:
    """Create (or restart in place) a working-day clock and compute its due date."""
    explanation: dict[str, Any] = {"base_reason": base_reason}
    if intro:
        explanation["intro_zh"] = list(intro)
    clock = get_clock(session, case_kind, case_id, kind, cycle)
    if clock is None:
        clock = new_row(Clock, agency_id=agency_id, case_kind=case_kind, case_id=case_id, kind=kind, cycle=cycle,
                        amount=amount, start_date=base, updated_at=now, assignee_id=assignee_id,
                        explanation=explanation)
        session.add(clock)
        if clock.id is None:  # else its id was reserved on adding it (an import: workflow.golive.buffer)
            session.flush()
        _created_clock(session, clock)
    else:
        clock.start_date, clock.amount, clock.status = base, amount, ClockStatus.RUNNING
        clock.met_at = None
        clock.explanation = explanation
    recompute(session, clock, cal, now, tz)
    return clock


def pause_clock(session: Session, clock: Clock, *, start: date, expected_end: date | None, reason: str,
                actor_id: int | None, cal: WorkCalendar, now: datetime, tz: str) -> ClockAdjustment:
    assert clock.id is not None
    adj = new_row(ClockAdjustment, clock_id=clock.id, kind="pause", start_date=start, end_date=None, reason=reason,
                  expected_end=expected_end, actor_id=actor_id, created_at=now)
    _add_entry(session, clock, adj)
    clock.status = ClockStatus.PAUSED
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
    clock.status = ClockStatus.RUNNING
    recompute(session, clock, cal, now, tz)
    return open_pause


def add_adjustment(session: Session, clock: Clock, *, kind: str, cal: WorkCalendar, now: datetime, tz: str,
                   start: date | None = None, workdays: int | None = None, reason: str = "",
                   actor_id: int | None = None, approver_id: int | None = None) -> tuple[date | None, date | None]:
    """Record an extension / restart / delay in the ledger and recompute."""
    _add_entry(session, clock, new_row(
        ClockAdjustment, clock_id=clock.id, kind=kind, start_date=start, workdays=workdays,  # type: ignore[arg-type]
        reason=reason, actor_id=actor_id, approver_id=approver_id, created_at=now))
    if kind == "restart" and start is not None:
        clock.start_date = start
    return recompute(session, clock, cal, now, tz)


def stop_clock(clock: Clock, *, status: ClockStatus, now: datetime) -> None:
    """Mark a clock met (action done in time or late) or cancelled (no longer relevant). Met in time as of the step's
    own time (a back-filled reply posted on the due day), a breach the sweeps recorded meanwhile is undone: the limit
    was kept, whatever was known when they looked."""
    clock.status = status
    clock.met_at = now if status == ClockStatus.MET else clock.met_at
    if status == ClockStatus.MET and clock.due_at is not None and now <= aware(clock.due_at):
        clock.breached_at, clock.overdue_level = None, 0
    clock.updated_at = now


# ------------------------------------------------------------------ minute and fixed-instant clocks

INSTANT_UNITS = ("wmin", "fixed")


@dataclass(frozen=True)
class ClockPlan:
    """A new clock computed without the database: inserted by ``start_planned`` or in bulk."""

    kind: str
    unit: str
    amount: int
    start_date: date | None
    start_at: datetime | None
    due_date: date
    due_at: datetime
    explanation: dict[str, Any]
    provisional: bool
    missing_years: tuple[int, ...]
    calendar_version: int

    def row_values(self, *, agency_id: int, case_kind: str, case_id: int, cycle: int, assignee_id: int | None,
                   now: datetime) -> dict[str, Any]:
        """Every column of a new ``clock`` row (for Core bulk inserts)."""
        return {
            "agency_id": agency_id, "case_kind": case_kind, "case_id": case_id, "kind": self.kind, "cycle": cycle,
            "status": ClockStatus.RUNNING, "unit": self.unit, "amount": self.amount, "start_date": self.start_date,
            "start_at": self.start_at, "due_date": self.due_date, "due_at": self.due_at,
            "explanation": self.explanation, "calendar_version": self.calendar_version,
            "provisional": self.provisional, "missing_years": list(self.missing_years), "deadline_version": 1,
            "met_at": None, "breached_at": None, "overdue_level": 0, "assignee_id": assignee_id, "updated_at": now,
        }


@dataclass(frozen=True)
class Due:
    """A clock's computed deadline: its day, its instant, the explanation a clerk reads, provisional or not."""

    due_date: date
    due_at: datetime
    explanation: dict[str, Any]
    provisional: bool
    missing_years: tuple[int, ...]


def _due_day(at: datetime, tz: str) -> date:
    """The day a due instant belongs to: 24:00 (the next day's 00:00) ends the previous day."""
    local = at.astimezone(ZoneInfo(tz))
    return local.date() - timedelta(days=1) if local.time() == time(0) else local.date()


def _instant_due(unit: str, start_at: datetime | None, amount: int, explanation: dict[str, Any],
                 cal: WorkCalendar, tz: str, extension: int = 0, extension_reason: str = "",
                 hours: WorkingHours | None = None) -> Due:
    """The due instant of a ``wmin`` or ``fixed`` clock (one implementation for plans and recomputes)."""
    intro = list(explanation.get("intro_zh") or [])
    base_lines: list[str] = []
    missing: set[int] = set()
    stated: set[int] = set()  # years the calendar's own explanation already calls provisional
    calendar: dict[str, Any] | None = None
    if unit == "wmin":
        assert start_at is not None
        hours = hours or WorkingHours.from_strings(list(explanation["hours"]), str(explanation.get("hours_tz") or tz))
        res = cal.add_working_minutes(start_at, amount, hours)
        assert isinstance(res.due, datetime)
        base_due = res.due
        reason = str(explanation.get("base_reason") or "")
        base_lines = [*([f"起算：{reason}"] if reason else []), *res.explanation.lines_zh()]
        missing.update(res.missing_years)
        stated.update(res.missing_years)
        calendar = res.explanation.to_dict()
    else:
        base_due = datetime.fromisoformat(str(explanation["fixed_due_at"]))
        base_lines = list(explanation.get("fixed_lines_zh") or [])
    base_day = _due_day(base_due, tz)
    due_at, due_date = base_due, base_day
    lines = [*intro, *base_lines]
    if extension:
        # 延期N个工作日: to 24:00 of the N-th working day after the day the base limit falls on.
        due_date = cal.add_workdays_date(base_day, extension)
        due_at = end_of_day(due_date, tz)
        missing.update(cal.missing_years(base_day, due_date))
        lines.append(f"延长 {extension} 个工作日（{extension_reason or '经批准延期'}），"
                     f"至 {due_date.isoformat()} 24:00")
    if missing - stated:
        lines.append(cal.provisional_line(missing - stated))
    expl = {k: v for k, v in explanation.items() if k not in ("lines_zh", "calendar", "extension")}
    expl.update({"lines_zh": lines, "extension": extension})
    if calendar is not None:
        expl["calendar"] = calendar
    return Due(due_date, due_at, expl, bool(missing), tuple(sorted(missing)))


def plan_workdays(kind: str, base: date, amount: int, cal: WorkCalendar, tz: str, *, base_reason: str,
                  intro: Sequence[str] = ()) -> ClockPlan:
    """A working-day clock from ``base`` (not counted), as ``start_clock`` would compute it."""
    result = compute_workday_clock(cal, ClockInput(base, amount, base_reason=base_reason,
                                                   length_label=length_label(kind)))
    return ClockPlan(kind, "wd", amount, base, None, result.due, end_of_day(result.due, tz),
                     _wd_explanation(result, base_reason, intro), result.provisional, result.missing_years,
                     cal.version)


def plan_minutes(kind: str, start_at: datetime, minutes: int, cal: WorkCalendar, hours: WorkingHours, *,
                 base_reason: str, intro: Sequence[str] = ()) -> ClockPlan:
    """A working-minutes clock (e.g. sign for within 2 working hours) from ``start_at``."""
    base = {"base_reason": base_reason, "hours": [f"{a:%H:%M}-{b:%H:%M}" for a, b in hours.periods],
            "hours_tz": hours.tz, "intro_zh": list(intro)}
    due = _instant_due("wmin", start_at, minutes, base, cal, hours.tz, hours=hours)
    return ClockPlan(kind, "wmin", minutes, local_date(start_at, hours.tz), start_at, due.due_date, due.due_at,
                     due.explanation, due.provisional, due.missing_years, cal.version)


def plan_fixed(kind: str, due_at: datetime, cal: WorkCalendar, tz: str, *, lines: Sequence[str],
               intro: Sequence[str] = (), start_at: datetime | None = None) -> ClockPlan:
    """A clock whose due instant is given (a platform's deadline, the end of the receipt day)."""
    base = {"base_reason": "", "fixed_due_at": due_at.isoformat(), "fixed_lines_zh": list(lines),
            "intro_zh": list(intro)}
    due = _instant_due("fixed", start_at, 0, base, cal, tz)
    return ClockPlan(kind, "fixed", 0, local_date(start_at, tz) if start_at else None, start_at, due.due_date,
                     due.due_at, due.explanation, due.provisional, due.missing_years, cal.version)


def start_planned(session: Session, plan: ClockPlan, *, agency_id: int, case_kind: str, case_id: int,
                  cal: WorkCalendar, now: datetime, tz: str, cycle: int = 1,
                  assignee_id: int | None = None) -> Clock:
    """Insert a planned clock through the session (or restart an existing one of the same kind and cycle)."""
    clock = get_clock(session, case_kind, case_id, plan.kind, cycle)
    if clock is None:
        clock = Clock(**plan.row_values(agency_id=agency_id, case_kind=case_kind, case_id=case_id, cycle=cycle,
                                        assignee_id=assignee_id, now=now))
        session.add(clock)
        if clock.id is None:  # else its id was reserved on adding it (an import: workflow.golive.buffer)
            session.flush()
        _created_clock(session, clock)
        return clock
    clock.status, clock.met_at = ClockStatus.RUNNING, None
    replan_clock(session, clock, plan, cal=cal, now=now, tz=tz)
    return clock


def replan_clock(session: Session, clock: Clock, plan: ClockPlan, *, cal: WorkCalendar, now: datetime,
                 tz: str) -> tuple[date | None, date | None]:
    """Give an existing clock a new base (e.g. the platform corrected its data), keeping its ledger."""
    clock.unit, clock.amount, clock.start_date, clock.start_at = plan.unit, plan.amount, plan.start_date, plan.start_at
    clock.explanation = plan.explanation
    return recompute(session, clock, cal, now, tz)


# What an explanation stored before issue 20 may carry that a clerk must not read: the source and confidence of a
# 12345 time limit after its value, the profile's code after its name, the zone's code after a start time.
_LEGACY_PROVENANCE = re.compile(r"（(?:已核实|二手来源|推导值|未核实|本机关设置)；依据：.*）$")
_LEGACY_CODE = re.compile(r"^(时限方案：[^（，]+)（[a-z0-9_]+）")
_LEGACY_ZONE = re.compile(r"（([A-Za-z]+/[A-Za-z_]+)）")


def clerk_lines(lines: Sequence[str]) -> list[str]:
    """An explanation as a clerk reads it (lines stored by older versions cleaned the same way)."""
    out = []
    for line in lines:
        line = _LEGACY_CODE.sub(r"\1", _LEGACY_PROVENANCE.sub("", line))
        out.append(_LEGACY_ZONE.sub(lambda m: f"（{zone_label(m.group(1))}）", line))
    return out


def clock_status_label(clock: Clock, now: datetime | None = None) -> str:
    """What a clerk reads as the clock's state: a running clock whose time has passed is not "计时中" — a duty
    is 已逾期, a window that only allowed something (补正告知期限) or a period of the applicant has 已届满."""
    if clock.status == ClockStatus.RUNNING and now is not None and clock.due_at is not None and clock.due_at <= now:
        kind = CLOCK_KINDS.get(clock.kind)
        return CLOCK_PASSED_DUTY if kind is not None and kind.duty else CLOCK_PASSED_WINDOW
    return CLOCK_STATUS.get(clock.status, "")


SOON_WORKDAYS = 3  # "due soon": within 3 working days (lists' badges, case pages, dashboards, the daily digest)


def soon_until(cal: WorkCalendar, today: date) -> date:
    """The last day a deadline "falls due soon"."""
    return cal.add_workdays_date(today, SOON_WORKDAYS)


def closed_window(kind: str, due_at: datetime, now: datetime) -> bool:
    """A passed period that obliges nobody to act (e.g. the 7-day correction-notice window): not "overdue"."""
    spec = CLOCK_KINDS.get(kind)
    return spec is not None and not spec.binds and due_at <= now


def urgency(clock: Clock, now: datetime, soon: date) -> str:
    """"overdue", "soon" or "" for a running clock whose period still obliges someone."""
    if clock.status != ClockStatus.RUNNING or clock.due_at is None or closed_window(clock.kind, clock.due_at, now):
        return ""
    if clock.due_at <= now:
        return "overdue"
    return "soon" if clock.due_date is not None and clock.due_date <= soon else ""


def clock_view(clock: Clock, now: datetime | None = None, soon: date | None = None) -> dict[str, Any]:
    """A clock as screens show it (``urgency`` when ``now`` and ``soon`` are given)."""
    kind = CLOCK_KINDS.get(clock.kind)
    return {
        "urgency": urgency(clock, now, soon) if now is not None and soon is not None else "",
        "kind": clock.kind, "label": kind.label if kind else clock.kind, "cycle": clock.cycle,
        "status": clock.status, "status_label": clock_status_label(clock, now),
        "passed": bool(clock.status == ClockStatus.RUNNING and now is not None and clock.due_at is not None
                       and clock.due_at <= now), "due_date": clock.due_date.isoformat() if clock.due_date else None,
        "due_at": clock.due_at.isoformat() if clock.due_at else None, "provisional": clock.provisional,
        "missing_years": clock.missing_years, "calendar_version": clock.calendar_version,
        "deadline_version": clock.deadline_version, "overdue_level": clock.overdue_level,
        "met_at": clock.met_at.isoformat() if clock.met_at else None,
        "breached_at": clock.breached_at.isoformat() if clock.breached_at else None,
        "explanation": clerk_lines(clock.explanation.get("lines_zh", [])) if clock.explanation else [],
    }
