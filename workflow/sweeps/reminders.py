"""Reminders before due: the assigned officer hears of a deadline 5, 3 and 1 working days ahead and on the day.

Rule (decided with set-based SQL, never per-row calendar arithmetic over every open clock):

- A clock has ``w`` working days left on a working day ``today``: ``w = workdays_between(today, due_date)``
  (0 on the due day). Rung ``r`` of the ladder is *reached* when ``w <= r``. The ladder: for a disclosure
  clock ``AgencyConfig.ladder(kind)`` (default 5, 3, 1, 0); for the clock of a kind with its own ladders
  (``CaseKind.reminder_ladders``: a work order's are the ``reminders`` of its profile cell after the agency's
  overrides, docs/hotline-profiles.md, grouped by ladder in ``workflow.hotline.ladders``) those, unless
  ``reminder_ladders_wd`` names the clock kind. The rung that fires is
  the nearest reached one, so on a working day each rung owns a window ``next_lower_rung < w <= r`` —
  which the agency calendar turns into a window of due dates
  ``[add_workdays(today, lower + 1), add_workdays(today, r + 1))``. One indexed range query per rung selects the clocks whose high-water mark (``reminded_version``/``reminded_rung``)
  does not already cover that rung for the current ``deadline_version``.
- **Catch-up after downtime: only the current rung fires.** A clock whose 5-day rung was missed
  while the process was down and which now has 2 working days left gets the 3-day rung (saying
  "2 working days left"), not a stale 5-day reminder too: a superseded rung carries no information
  the current one does not, and two reminders on the same morning are noise. Nothing current is
  lost: every rung that is current on a working day fires exactly once, however late.
- Reminders are decided on working days only (none on 10/1–10/7; a make-up Saturday is a working day
  and gets its reminders); one decided outside working hours is held until the next working-hours start.
- Exactly once per (clock, rung, deadline_version, recipient): the outbox ``dedupe_key`` is
  ``reminder:<clock>:v<version>:r<rung>:user:<officer>``, inserted ``ON CONFLICT DO NOTHING`` in the same
  transaction that moves the clock's high-water mark. A moved deadline (new ``deadline_version``,
  e.g. an approved extension) makes every rung new again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, update

from db.engine import read_session, write_session
from notifications.outbox import enqueue_many
from states.vocab import ClockStatus
from workflow.kinds import clock_kinds, desk_kinds, installed, reminder_kinds
from workflow.sweeps.base import (
    CLOCKS,
    NO_OFFICER,
    AgencyInfo,
    Budget,
    RunOptions,
    SweepReport,
    case_refs,
    desk_users,
    fallback_ref,
    internal_notice,
    load_agencies,
    people,
    skip_locked,
    sweep,
)
from workflow.sweeps.hours import remind_by_the_hour
from workflow.timesource import start_of_day


@dataclass(frozen=True)
class Window:
    """Clocks of ``kinds`` due in ``[lo, hi)`` are at rung ``rung`` today."""

    rung: int
    kinds: tuple[str, ...]
    lo: date
    hi: date
    where: Any = field(default=None, compare=False)  # only the work orders of some profile cells


def ladders(ag: AgencyInfo) -> list[tuple[tuple[int, ...], tuple[str, ...], Any]]:
    """(rungs, clock kinds, condition or None) for every reminder ladder of the agency."""
    # a kind whose own ladders give none (no 12345 profile loads): its clocks are reminded on the agency's ladders,
    # not silently not
    own = {name: list(k.reminder_ladders(ag.cfg, ag.id)) for name, k in sorted(installed().items()) if k.reminder_ladders}
    plain: dict[tuple[int, ...], list[str]] = {}
    profiled: dict[str, list[str]] = {}
    for kind in reminder_kinds():
        case_kind = clock_kinds()[kind].case_kind
        if own.get(case_kind) and kind not in ag.cfg.reminder_ladders_wd:
            profiled.setdefault(case_kind, []).append(kind)
        else:
            plain.setdefault(ag.cfg.ladder(kind), []).append(kind)
    out: list[tuple[tuple[int, ...], tuple[str, ...], Any]] = []
    for case_kind, kinds in profiled.items():
        for ladder, where in own[case_kind]:
            if where is None:  # every case shares it: one query with the other kinds of the same ladder
                plain.setdefault(ladder, []).extend(kinds)
            else:
                out.append((ladder, tuple(kinds), where))
    return [(ladder, tuple(kinds), None) for ladder, kinds in plain.items()] + out


def rung_windows(ag: AgencyInfo) -> list[Window]:
    """The due-date window of every rung today (most urgent first); assumes today is a working day."""

    def start(k: int) -> date:  # the first due date with k working days left
        return ag.today if k == 0 else ag.cal.add_workdays_date(ag.today, k)

    out = []
    for ladder, kinds, where in ladders(ag):
        for i, rung in enumerate(ladder):
            lower = ladder[i + 1] + 1 if i + 1 < len(ladder) else 0
            out.append(Window(rung, kinds, start(lower), start(rung + 1), where))
    return sorted(out, key=lambda w: (w.rung, w.kinds))


def _pending(ag: AgencyInfo, w: Window) -> list[Any]:
    c = CLOCKS.c
    desk = _desk_clocks()
    # a clock of working minutes (an urgent sign-for) is reminded by the hour (workflow.sweeps.hours), not by the day
    cond = [c.agency_id == ag.id, c.status == ClockStatus.RUNNING, c.kind.in_(w.kinds), c.unit != "wmin",
            c.due_date >= w.lo, c.due_date < w.hi, or_(c.assignee_id.is_not(None), *(and_(c.case_kind == case_kind, c.kind.in_(kinds))
                                                                 for case_kind, kinds in desk.items())),
            or_(c.reminded_version != c.deadline_version, c.reminded_rung.is_(None), c.reminded_rung > w.rung)]
    return cond if w.where is None else [*cond, w.where]


def _desk_clocks() -> dict[str, tuple[str, ...]]:
    """Case kind → its clock kinds the desk answers for (reminded even while nobody is assigned)."""
    out: dict[str, tuple[str, ...]] = {}
    for kind in desk_kinds():
        case_kind = clock_kinds()[kind].case_kind
        out[case_kind] = (*out.get(case_kind, ()), kind)
    return out


def _batch(engine: Engine, ag: AgencyInfo, w: Window, opts: RunOptions, now: datetime, hold: datetime,
           report: SweepReport) -> int:
    """Claim, remind and mark one batch; returns the rows claimed.

    Every claimed row is marked in the same transaction, so the next batch's query no longer sees it
    (no keyset needed); the due-date range is what the index (agency, status, due_date) serves.
    """
    c = CLOCKS.c
    with write_session(engine) as s:
        q = (select(c.id, c.case_kind, c.case_id, c.kind, c.due_date, c.deadline_version, c.assignee_id)
             .where(*_pending(ag, w)).order_by(c.due_date, c.id).limit(opts.batch_size))
        rows = s.execute(skip_locked(q, engine)).all()
        if not rows:
            return 0
        refs = case_refs(s, {(r.case_kind, r.case_id) for r in rows})
        names = people(s, {r.assignee_id for r in rows})
        desk = desk_users(s, ag.id)
        notices = []
        clock_specs = clock_kinds()
        for r in rows:
            kind = clock_specs.get(r.kind)
            for_desk = kind is not None and kind.for_desk
            to = desk if for_desk else ((r.assignee_id, names.get(r.assignee_id, (NO_OFFICER, ""))[0]),)
            for uid, name in to:
                notice = {"clock_label": kind.label if kind else r.kind, "due_date": r.due_date.isoformat(),
                          "working_days_left": ag.cal.workdays_between(ag.today, r.due_date)}
                notices.append(internal_notice(
                    agency=ag, notice_type="internal.reminder", recipient_id=uid, recipient_name=name,
                    case_kind=r.case_kind, case_id=r.case_id,
                    case=refs.get((r.case_kind, r.case_id)) or fallback_ref(r.case_kind, r.case_id),
                    notice={**notice, "for_desk": True} if for_desk else notice,
                    dedupe_key=f"reminder:{r.id}:v{r.deadline_version}:r{w.rung}:user:{uid}",
                    now=now, not_before=hold))
        new = enqueue_many(s, notices)
        # the rows are locked: deadline_version is still the one reminded
        s.execute(update(CLOCKS).where(c.id.in_([r.id for r in rows])).values(
            reminded_version=c.deadline_version, reminded_rung=w.rung))
        s.commit()
    report.batches += 1
    report.add("reminded", new)
    report.add("already_sent", max(0, len(notices) - new))
    report.add(f"rung_{w.rung}", new)
    if hold > now:
        report.add("held_to_working_hours", new)
    return len(rows)


def _left(engine: Engine, ag: AgencyInfo, windows: list[Window]) -> int:
    with read_session(engine) as s:
        return sum(int(s.execute(select(func.count()).select_from(CLOCKS).where(*_pending(ag, w))).scalar_one())
                   for w in windows)


@sweep("reminders")
def remind(engine: Engine, now: datetime, report: SweepReport, budget: Budget, opts: RunOptions) -> None:
    """Remind assigned officers of the rung each running clock has reached today (see the module doc)."""
    for ag in load_agencies(engine, now):
        if not ag.cal.is_workday(ag.today):
            report.add("rest_day_agencies")
            continue
        hold = ag.hold(now)
        remind_by_the_hour(engine, ag, now, hold, report)  # 12345 hour clocks: minutes before, in working time
        windows = rung_windows(ag)
        for w in windows:
            while not budget.exhausted():
                if _batch(engine, ag, w, opts, now, hold, report) < opts.batch_size:
                    break
        if budget.exhausted():
            left = _left(engine, ag, windows)
            if left:
                report.remaining += left
                report.lag_seconds = max(report.lag_seconds, (now - start_of_day(ag.today, ag.tz)).total_seconds())


__all__ = ["Window", "ladders", "remind", "rung_windows"]
