"""Clocks counted in working hours — 12345's: an urgent order's sign-for (2 working hours), same-day handling, a
platform's own deadline instant — of the kinds that press their cases themselves (``CaseKind.presses_itself``). The day ladders (workflow.sweeps.reminders, .escalation) count whole working days and would
remind on the due day and press the next working day — hours too late for a 2-hour limit. Here, on every run of the
reminders and escalation sweeps (each every 60 s, workflow.sweeps.scheduler.JOBS):

- **Reminder**: once the working time left is at most ``hour_remind_before_wmin`` (agency setting, default 30
  minutes), the responsible are told — the desk for sign-for and callback (``ClockKind.for_desk``), the officer for handling
  (the desk while nobody is assigned). A reminder decided outside working hours waits for the next working-hours
  start. Once per (clock, deadline version, recipient): the outbox ``dedupe_key``
  ``reminder:<clock>:v<version>:wh:user:<id>``.
- **催办 / 督办**: the 12345 workflow's own ``urge``/``supervise`` (system rows; their guards read the same rule
  through ``workflow.hotline.context.hour_steps``), fired through the case engine as soon as any working time has
  passed since the breach — the first sweep in working hours after it — and ``hour_supervise_after_wmin`` working
  minutes later (states.hotline_profiles.hour_steps_reached). The order's ``overdue_level`` counts the ladder's
  steps already fired, by the hour or by the day, so a step is never fired twice.
- **补录** (issue 14): the steps an hour clock had reached when a back-filled step last recorded its order (the
  event's ``backfill.recorded_at``, workflow.sweeps.base.recorded_backfill) are history: the order and the clock
  take that level silently, nobody is pressed for it; a step reached after the recording is fired as usual. An
  order entered after its hour steps were reached (transferred late) is pressed once, at the step reached then.
  Reminders only ever concern a deadline still to come.

The hour clocks are few (urgent orders, platform instants) and near: they are read per row, not by rung windows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update

from db.engine import read_session, write_session
from notifications.outbox import enqueue_many
from states.hotline_profiles import hour_steps_reached
from states.vocab import ClockStatus
from states.wording import PRESS_STEPS
from workflow.accounts.principal import system
from workflow.cases import engine as case_engine
from workflow.cases.clocks import INSTANT_UNITS
from workflow.cases.kind import CaseKind
from workflow.cases.pressing import due_time, overdue_text
from workflow.errors import InvalidTransition, NotFound, StaleVersion
from workflow.kinds import clock_kinds, duty_kinds, installed
from workflow.sweeps.base import (
    CLOCKS,
    NO_OFFICER,
    AgencyInfo,
    SweepReport,
    aware,
    case_refs,
    case_table,
    desk_users,
    fallback_ref,
    internal_notice,
    people,
    recorded_backfill,
    recorded_time,
)

log = logging.getLogger(__name__)

HORIZON = timedelta(days=7)  # an hour clock further away than this is not near its reminder
STEPS = ("urge", "supervise")


def pressing_kinds() -> list[CaseKind]:
    """The kinds whose hour clocks are watched here (they press their cases with their own actions)."""
    return [k for _, k in sorted(installed().items()) if k.presses_itself]


def _hour_clocks(ag: AgencyInfo, kind: CaseKind, *conds: Any) -> Any:
    c = CLOCKS.c
    return (select(c.id, c.case_kind, c.case_id, c.kind, c.due_at, c.due_date, c.deadline_version, c.assignee_id,
                   c.provisional)
            .where(c.agency_id == ag.id, c.case_kind == kind.name, c.status == ClockStatus.RUNNING,
                   c.unit.in_(INSTANT_UNITS), c.kind.in_(duty_kinds()), *conds)
            .order_by(c.due_at, c.id))


def remind_by_the_hour(engine: Engine, ag: AgencyInfo, now: datetime, hold: datetime, report: SweepReport) -> None:
    """Remind the responsible of every hour clock with at most ``hour_remind_before_wmin`` working minutes left."""
    for kind in pressing_kinds():
        _remind_kind(engine, ag, kind, now, hold, report)


def _remind_kind(engine: Engine, ag: AgencyInfo, kind: CaseKind, now: datetime, hold: datetime,
                 report: SweepReport) -> None:
    c = CLOCKS.c
    limit = ag.cfg.hour_remind_before_wmin * 60
    with write_session(engine) as s:
        rows = s.execute(_hour_clocks(ag, kind, c.due_at > now, c.due_at <= now + HORIZON)).all()
        near = [(r, left) for r in rows if 0 < (left := ag.cal.working_seconds_between(now, r.due_at, ag.hours)) <= limit]
        if not near:
            return
        refs = case_refs(s, {(r.case_kind, r.case_id) for r, _ in near})
        names = people(s, {r.assignee_id for r, _ in near})
        desk = desk_users(s, ag.id)
        notices = []
        clock_specs = clock_kinds()
        for r, left in near:
            for_desk = clock_specs[r.kind].for_desk or r.assignee_id is None
            to = desk if for_desk else ((r.assignee_id, names.get(r.assignee_id, (NO_OFFICER, ""))[0]),)
            notice = {"clock_label": clock_specs[r.kind].label, "due_date": r.due_date.isoformat(),
                      "due_time": due_time(r.due_at, ag.tz), "provisional": bool(r.provisional), "working_days_left": 0,
                      "minutes_left": max(1, left // 60), "for_desk": for_desk}
            for uid, name in to:
                notices.append(internal_notice(
                    agency=ag, notice_type="internal.reminder", recipient_id=uid, recipient_name=name,
                    case_kind=r.case_kind, case_id=r.case_id,
                    case=refs.get((r.case_kind, r.case_id)) or fallback_ref(r.case_kind, r.case_id),
                    notice=notice, dedupe_key=f"reminder:{r.id}:v{r.deadline_version}:wh:user:{uid}", now=now,
                    not_before=hold))
        new = enqueue_many(s, notices)
        s.commit()
    report.add("reminded", new)
    report.add("reminded_by_the_hour", new)
    if new and hold > now:
        report.add("held_to_working_hours", new)


def escalate_by_the_hour(engine: Engine, ag: AgencyInfo, now: datetime, report: SweepReport) -> None:
    """Fire 催办 / 督办 on cases whose hour clocks were breached, as soon as the working time past them says so."""
    for kind in pressing_kinds():
        _escalate_kind(engine, ag, kind, now, report)


def _escalate_kind(engine: Engine, ag: AgencyInfo, kind: CaseKind, now: datetime, report: SweepReport) -> None:
    w = case_table(kind).c
    with read_session(engine) as s:
        rows = s.execute(_hour_clocks(ag, kind, CLOCKS.c.due_at < now).add_columns(recorded_backfill())).all()
        if not rows:
            return
        cases = s.execute(select(w.id, w.overdue_level, w.created_at).where(w.id.in_({r.case_id for r in rows}))).all()
    fired = {int(c.id): c.overdue_level for c in cases}
    entered = {int(c.id): c.created_at for c in cases}
    reached: dict[int, tuple[int, Any]] = {}  # order → (steps reached, the clock that reached them)
    history: dict[int, tuple[int, list[int]]] = {}  # order → (steps reached when last back-filled, those clocks)
    for r in rows:
        steps = hour_steps_reached(ag.cal.working_seconds_between(r.due_at, now, ag.hours),
                                   ag.cfg.hour_supervise_after_wmin)
        if steps > reached.get(r.case_id, (0, None))[0]:
            reached[r.case_id] = (steps, r)
        # entered after its steps were reached (an order transferred late): pressed once, at the step reached then
        past = max(_history_steps(ag, r), hour_steps_at(ag, r, entered.get(r.case_id)) - 1)
        if past:
            top, ids = history.get(r.case_id, (0, []))
            history[r.case_id] = (max(top, past), [*ids, r.id])
    _take_history(engine, kind, history, fired, report)
    for order_id, (steps, r) in reached.items():
        done = max(int(fired.get(order_id) or 0), history.get(order_id, (0, []))[0])
        for action in STEPS[done:steps]:
            late = overdue_text(ag.cal.working_seconds_between(r.due_at, now, ag.hours))
            note = f"系统自动{PRESS_STEPS[action]}：{clock_kinds()[r.kind].label}已逾期{late}"
            try:
                case_engine.act(engine, kind, order_id, action, {"note": note}, system(ag.id), now)
            except (InvalidTransition, StaleVersion, NotFound) as exc:  # a busy order, or not due by its ladder
                log.debug("%s %s: %s by the hour not fired now: %s", kind.name, order_id, action, exc)
                report.add("workorder_not_due")
                break
            report.add(action)
            report.add("escalated_by_the_hour")


def _history_steps(ag: AgencyInfo, r: Any) -> int:
    """补录 (issue 14): the steps an hour clock had reached when a back-filled step last recorded its case."""
    return hour_steps_at(ag, r, recorded_time(r.recorded))


def hour_steps_at(ag: AgencyInfo, r: Any, recorded: datetime | None) -> int:
    """The steps an hour clock had reached at ``recorded`` (0: none, or no such time)."""
    if recorded is None or aware(recorded) <= aware(r.due_at):
        return 0
    recorded = aware(recorded)
    return hour_steps_reached(ag.cal.working_seconds_between(r.due_at, recorded, ag.hours),
                              ag.cfg.hour_supervise_after_wmin)


def _take_history(engine: Engine, kind: CaseKind, history: dict[int, tuple[int, list[int]]], fired: dict[int, Any],
                  report: SweepReport) -> None:
    """The steps an order's hour clocks had reached before it was recorded are history: the order and those clocks
    take the level silently (breach time and level; no event, no notice) — as the day ladder's history does
    (workflow.sweeps.escalation) — so that neither ladder presses anyone for them now."""
    todo = {oid: v for oid, v in history.items() if v[0] > int(fired.get(oid) or 0)}
    if not todo:
        return
    w, c = case_table(kind).c, CLOCKS.c
    with write_session(engine) as s:
        for oid, (level, clock_ids) in todo.items():
            s.execute(update(case_table(kind)).where(w.id == oid, w.overdue_level < level).values(overdue_level=level))
            s.execute(update(CLOCKS).where(c.id.in_(clock_ids), c.overdue_level < level).values(
                breached_at=func.coalesce(c.breached_at, c.due_at), overdue_level=level))
            report.add("history_levels", level - int(fired.get(oid) or 0))
        s.commit()


__all__ = ["escalate_by_the_hour", "hour_steps_at", "remind_by_the_hour"]
