"""Overdue escalation: 催办 on the first overdue working day, 督办 ``supervise_after_wd`` working days later.

Rule: a running duty clock (``ClockKind.duty``) is overdue once ``now > due_at``; ``breached_at`` is
then set to ``due_at`` — the moment the limit passed, not the moment a sweep noticed. With ``n`` =
working days after the due day up to today (``workdays_between(due_date, today)``), a disclosure
clock's level is 1 (催办) for ``n >= 1`` and 2 (督办) for ``n >= 1 + supervise_after_wd`` (default 5: the
6th overdue working day, i.e. five working days after the 催办). A kind may give its own ladders
(``CaseKind.escalation_ladders``): a work order follows the escalation ladder of its profile cell
(docs/hotline-profiles.md, after the agency's overrides): level ``k`` is its ``k``-th step, due for
``n >= 1 + after_wd`` (the shipped profiles: 催办 at 0, 督办 at 5 — the same points).
``n >= k`` ⟺ ``due_date < k-th most recent working day``, so the selection is one indexed range query
per agency, kind and ladder (``Rule``; the work-order cells are grouped by ladder in ``workflow.hotline.ladders``).

Every level is carried out once and in order: after downtime a clock that skipped straight to level 2
gets its 催办 and then its 督办 (unlike reminders, an escalation is a step on the case record). Each
level, in one transaction with the claim: the clock's ``overdue_level`` (and the case row's,
denormalised for lists), an audit event ``urge``/``supervise`` on the case, and one ``internal.overdue``
per leader keyed ``overdue:<clock>:v<version>:l<level>:user:<leader>`` (exactly once per clock, level,
deadline version and recipient). Notices decided outside working hours wait for the next working-hours
start; the breach time is recorded exactly regardless.

Set-based (issue 21): a batch claims at least ``CLAIM`` clocks; the levels are decided per clock in Python (the
rules below need the case row), but the leaders' notices of the whole batch come from one ``INSERT INTO outbox …
SELECT`` — the database builds each context from the clock, its case, its officer and the leader, as
``internal_notice`` would (``workflow.sweeps.setwise``) — and the levels from one UPDATE per level, the ids as one
array parameter.

补录 (issue 14): a case recorded after the fact (a back-filled step: its event keeps ``backfill.recorded_at``) is not
pressed for a period that had ended before it was recorded — the levels reached by then are history: the clock and
the case take them silently (breach time and level; no event, no notice); a level reached afterwards goes out as
usual. The same holds for the kinds that press themselves (below: the levels of history are set on the case and
its clock without firing its urge/supervise) and for the hour-based clocks (workflow.sweeps.hours).

A kind that presses its cases itself (``CaseKind.presses_itself``: the 12345 work order) owns its
``urge``/``supervise`` actions (system-fireable; in one transaction they record the event and the level on the
case and its overdue clocks, and notify the leaders): each step due here is fired through the case engine, in
order (its guards check the same ladder; a refusal is left for a later run), and this sweep adds nothing of its own
but the breach time. Steps the case has already passed through another of its clocks (``overdue_level`` on the
case counts the steps of its current cycle) are not fired again: the clock is marked at that level. A case entered
after its period had ended (``CaseKind.entered``: a receipt registered late, a 12345 order transferred weeks after
dispatch) is pressed once, at the level reached when it came in (an hour clock's by the hour), the steps before
taken silently — not 催办 and 督办 at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, Integer, String, and_, func, literal, or_, select, update

from db.engine import dialect_name, read_session, write_session
from states.calendar import WorkCalendar
from states.vocab import ClockStatus
from states.wording import PRESS_STEPS
from workflow.accounts.principal import system
from workflow.cases import engine as case_engine
from workflow.cases.audit import append_events, event_values
from workflow.cases.clocks import INSTANT_UNITS
from workflow.errors import InvalidTransition, NotFound, StaleVersion
from workflow.kinds import clock_kinds, duty_kinds, installed
from workflow.sweeps import setwise
from workflow.sweeps.base import (
    CLOCKS,
    NO_OFFICER,
    NO_UNIT,
    UNITS,
    USERS,
    AgencyInfo,
    Budget,
    RunOptions,
    SweepReport,
    aware,
    case_table,
    load_agencies,
    lock_cases,
    recorded_backfill,
    recorded_time,
    skip_locked,
    sweep,
)
from workflow.sweeps.hours import escalate_by_the_hour, hour_steps_at
from workflow.sweeps.setwise import Sql, by_value
from workflow.timesource import local_date

log = logging.getLogger(__name__)

DEFAULT_STEPS = ("urge", "supervise")  # the agency's: 催办, then 督办 ``supervise_after_wd`` working days later


@dataclass(frozen=True)
class Rule:
    """Duty clocks of ``case_kind`` (and ``where``, when set) reach level k once their due date is before
    ``bounds[k-1]``; ``actions[k-1]`` is that level's action."""

    case_kind: str
    bounds: tuple[date, ...]
    actions: tuple[str, ...]
    where: Any = field(default=None, compare=False)
    offsets: tuple[int, ...] = ()  # level k: at least offsets[k-1] working days after the due day (bounds: today)

    def target(self, due: date | None) -> int:
        return 0 if due is None else sum(1 for b in self.bounds if due < b)

    def level_on(self, due: date, day: date, cal: WorkCalendar) -> int:
        """The level a clock due on ``due`` had reached on ``day``."""
        n = cal.workdays_between(due, day)
        return sum(1 for offset in self.offsets if n >= offset)


def thresholds(ag: AgencyInfo) -> tuple[date, date]:
    """The agency's steps: (due dates before this are at level ≥ 1, … at level 2)."""
    return ag.working_day_back(1), ag.working_day_back(1 + ag.cfg.supervise_after_wd)


def rules(ag: AgencyInfo) -> list[Rule]:
    """One rule per kind with duty clocks — per distinct ladder of a kind with its own (12345: by profile cell) —
    in the order of the kinds' names."""
    out = []
    for name, kind in sorted(installed().items()):
        if not any(v.duty for v in kind.clocks.values()):
            continue
        own = list(kind.escalation_ladders(ag.cfg, ag.id)) if kind.escalation_ladders else []
        for steps, where in own:
            out.append(Rule(name, tuple(ag.working_day_back(1 + after) for _, after in steps),
                            tuple(action for action, _ in steps), where, tuple(1 + after for _, after in steps)))
        if not own:  # the agency's steps (a kind whose own ladders give none — no 12345 profile loads — too)
            if kind.escalation_ladders:
                log.error("agency %s: no ladder of %s loads (12345: no time-limit profile); they escalate on the "
                          "default steps", ag.code, name)
            out.append(Rule(name, thresholds(ag), DEFAULT_STEPS, offsets=(1, 1 + ag.cfg.supervise_after_wd)))
    return out


def entry_level(ag: AgencyInfo, rule: Rule, kind: Any, r: Any, row: Any) -> int:
    """The level the clock had reached when its case was entered (``CaseKind.entered``: a receipt registered late,
    issue 20; a 12345 order transferred long after the platform dispatched it; an hour clock's steps by the hour,
    workflow.sweeps.hours). The system could not have pressed earlier, so it presses once, at that level — not 催办
    and 督办 at once."""
    at = kind.entered(row) if kind.entered is not None else None
    if at is None or r.due_date is None:
        return 0
    if r.unit in INSTANT_UNITS:
        return hour_steps_at(ag, r, at)
    return rule.level_on(r.due_date, local_date(aware(at), ag.tz), ag.cal)


def history_level(ag: AgencyInfo, rule: Rule, r: Any, target: int) -> int:
    """补录 (issue 14): the level the clock's period had reached when a back-filled step last recorded its case (0:
    none) — history, for which nobody is pressed now; the clock and the case take it silently."""
    recorded = recorded_time(r.recorded)
    if recorded is None or not rule.offsets:
        return 0
    return min(target, rule.level_on(r.due_date, local_date(recorded, ag.tz), ag.cal))


def _pending(ag: AgencyInfo, now: datetime, rule: Rule) -> list[Any]:
    c = CLOCKS.c
    cond = [c.agency_id == ag.id, c.status == ClockStatus.RUNNING, c.case_kind == rule.case_kind,
            c.kind.in_(duty_kinds()), c.due_at < now, or_(c.breached_at.is_(None), *(and_(c.due_date < b, c.overdue_level < k)
                                                        for k, b in enumerate(rule.bounds, start=1)))]
    return cond if rule.where is None else [*cond, rule.where]


CLAIM = 5_000  # clocks claimed per batch at least: the leaders' notices are built by one statement, not row by row


def _leader_notices(s: Any, ag: AgencyInfo, rule: Rule, levels: dict[int, list[int]], days: dict[date, int],
                    now: datetime, hold: datetime) -> int:
    """One ``INSERT INTO outbox … SELECT … ON CONFLICT (dedupe_key) DO NOTHING`` for the levels carried out in a
    batch (``levels``: level → clock ids): one ``internal.overdue`` per clock, level and leader, its context built by
    the database as ``internal_notice`` builds it (``workflow.sweeps.setwise``; tests/workflow/test_sweeps_setwise.py
    compares them): the agency, the leader's name, the case reference, the clock, its due date, the working days
    overdue (``days``: by due date) and the officer with their unit. Returns how many were new."""
    if not ag.leaders or not levels:
        return 0
    sql = Sql(dialect_name(s))
    c = CLOCKS.c
    kind = installed()[rule.case_kind]
    t = case_table(kind)
    leader, officer, unit = USERS.alias("leader"), USERS.alias("officer"), UNITS.alias("officer_unit")
    names = {uid: name or NO_OFFICER for uid, name in ag.leaders}
    labels = {k: v.label for k, v in clock_kinds().items()}
    who = by_value(leader.c.id, names, literal(NO_OFFICER, String))
    frm = (CLOCKS.outerjoin(t, t.c.id == c.case_id).outerjoin(officer, officer.c.id == c.assignee_id)
           .outerjoin(unit, unit.c.id == officer.c.unit_id).join(leader, leader.c.id.in_(list(names))))
    parts = []
    for level, ids in sorted(levels.items()):
        notice = sql.obj(("level", literal(level, Integer)), ("clock_label", by_value(c.kind, labels, c.kind)),
                         ("due_date", sql.iso_date(c.due_date)), ("provisional", sql.json_bool(c.provisional)),
                         ("days_overdue", by_value(c.due_date, days, None)),
                         ("officer", func.coalesce(func.nullif(officer.c.display_name, ""), NO_OFFICER)),
                         ("unit", func.coalesce(func.nullif(unit.c.name, ""), NO_UNIT)))
        context = sql.obj(("agency", sql.json_value(ag.snapshot)), ("recipient", sql.obj(("name", who))),
                          ("issued_date", literal(ag.today.isoformat(), String)), ("notice", notice),
                          ("case", setwise.case_ref(sql, kind, t)))
        key = (literal("overdue:", String) + sql.text(c.id) + literal(":v", String) + sql.text(c.deadline_version)
               + literal(f":l{level}:user:", String) + sql.text(leader.c.id))
        parts.append(select(*setwise.internal_row(sql, "internal.overdue", leader.c.id, who, context, key, hold=hold,
                                                  now=now)).select_from(frm).where(sql.ids(c.id, ids)))
    return setwise.insert_notices(s, parts)


Deferred = list[tuple[Any, list[str]]]  # (clock row, the case's own steps to fire, in order)


def _batch(engine: Engine, ag: AgencyInfo, after: tuple[datetime, int] | None, rule: Rule,
           opts: RunOptions, now: datetime, report: SweepReport,
           deferred: Deferred) -> tuple[int, tuple[datetime, int] | None]:
    """Claim and escalate one batch in (due_at, id) order; returns (rows claimed, keyset position).

    The keyset matters: a clock whose case is busy is not marked and must not be claimed again this run.
    """
    c = CLOCKS.c
    hold = ag.hold(now)
    actor = system(ag.id)
    with write_session(engine) as s:
        q = (select(c.id, c.case_kind, c.case_id, c.kind, c.unit, c.due_date, c.due_at, c.deadline_version,
                    c.overdue_level, c.breached_at, c.assignee_id, recorded_backfill())
             .where(*_pending(ag, now, rule)).order_by(c.due_at, c.id).limit(max(opts.batch_size, CLAIM)))
        if after is not None:
            q = q.where(or_(c.due_at > after[0], and_(c.due_at == after[0], c.id > after[1])))
        rows = s.execute(skip_locked(q, engine)).all()
        if not rows:
            return 0, after
        kind = installed()[rule.case_kind]
        cases = lock_cases(s, engine, rule.case_kind, [r.case_id for r in rows])
        by_level: dict[int, list[int]] = {}  # new overdue level → clock ids (breach time set on all of them)
        case_levels: dict[tuple[str, int], list[int]] = {}  # (kind, level) → case ids
        evs: list[dict[str, Any]] = []
        carried: dict[int, list[int]] = {}  # level carried out → clock ids (the leaders' notices)
        overdue_days: dict[date, int] = {}  # working days overdue today, by due date
        for r in rows:
            row = cases.get(r.case_id)
            if row is None:  # an officer is acting on it right now (or it is gone): next run
                report.add("case_busy")
                continue
            target = rule.target(r.due_date)
            levels = list(range(r.overdue_level + 1, target + 1))
            if r.breached_at is None:
                report.add("breached")
            # 补录 (issue 14): the levels a period had reached when a back-filled step recorded the case are history —
            # nobody is pressed for them now; the clock and the case take that level silently (later ones go out).
            past = history_level(ag, rule, r, target)
            entry = entry_level(ag, rule, kind, r, row)
            if kind.presses_itself:
                # the case's overdue_level counts the ladder steps of its cycle already fired (any clock); the steps
                # passed before the case was entered are taken silently like history (as workflow.sweeps.hours does)
                fired = int(row.overdue_level or 0)
                past = max(past, entry - 1)
                report.add("history_levels", len([lv for lv in levels if fired < lv <= past]))
                if past > fired:  # taken silently, as if fired: the case's own guards then see them as passed
                    case_levels.setdefault((r.case_kind, past), []).append(r.case_id)
                    fired = past
                steps = [rule.actions[lv - 1] for lv in levels if lv > fired]
                if steps:
                    deferred.append((r, steps))
                by_level.setdefault(max(r.overdue_level, min(target, fired)), []).append(r.id)
                continue
            levels = [lv for lv in levels if lv >= entry]  # of the levels passed before it was entered, the highest
            report.add("history_levels", len([lv for lv in levels if lv <= past]))
            levels = [lv for lv in levels if lv > past]
            days = 0
            if levels:
                if r.due_date not in overdue_days:
                    overdue_days[r.due_date] = ag.cal.workdays_between(r.due_date, ag.today)
                days = overdue_days[r.due_date]
            for level in levels:
                action = rule.actions[level - 1]
                label = PRESS_STEPS[action]
                evs.append(event_values(
                    agency_id=ag.id, case_kind=r.case_kind, case_id=r.case_id, actor=actor, action=action,
                    from_state=row.state, to_state=row.state, now=now, payload={
                        "clock": r.kind, "level": level, "label": label, "due_date": r.due_date.isoformat(),
                        "breached_at": r.due_at.isoformat(), "days_overdue": days,
                        "deadline_version": r.deadline_version}))
                carried.setdefault(level, []).append(r.id)
                report.add(action)
            level_now = max([r.overdue_level, past, *levels])
            by_level.setdefault(level_now, []).append(r.id)
            if level_now > r.overdue_level:
                case_levels.setdefault((r.case_kind, level_now), []).append(r.case_id)
        append_events(s, evs)
        new = _leader_notices(s, ag, rule, carried, overdue_days, now, hold)
        sql = Sql(dialect_name(s))  # the ids as one array (PostgreSQL) / JSON list (SQLite) parameter, not 500
        for level, ids in by_level.items():
            s.execute(update(CLOCKS).where(sql.ids(c.id, ids)).values(
                breached_at=func.coalesce(c.breached_at, c.due_at), overdue_level=level))
        for (case_kind, level), case_ids in case_levels.items():
            t = case_table(installed()[case_kind])
            s.execute(update(t).where(sql.ids(t.c.id, case_ids), t.c.overdue_level < level)
                      .values(overdue_level=level))
        s.commit()
    report.batches += 1
    report.add("notices", new)
    if new and hold > now:
        report.add("held_to_working_hours", new)
    return len(rows), (rows[-1].due_at, int(rows[-1].id))


def _press(engine: Engine, ag: AgencyInfo, now: datetime, deferred: Deferred, report: SweepReport) -> None:
    """Fire the kinds' own urge/supervise actions through the case engine, step by step (each records the event,
    the case's and its clocks' level, and notifies the leaders in the same transaction)."""
    done: set[tuple[str, int, str]] = set()  # (kind, case, step): two overdue clocks of one case press it once
    for r, steps in deferred:
        kind = installed()[r.case_kind]
        for action in steps:
            if (r.case_kind, r.case_id, action) in done:
                continue
            label = PRESS_STEPS[action]
            try:
                case_engine.act(engine, kind, r.case_id, action,
                                {"note": f"系统自动{label}：{clock_kinds()[r.kind].label}已逾期"}, system(ag.id), now)
            except (InvalidTransition, StaleVersion, NotFound) as exc:
                log.debug("%s %s: %s not fired now: %s", r.case_kind, r.case_id, action, exc)
                report.add("workorder_not_due")
                break
            except Exception as exc:  # one broken case must not block the others
                log.exception("%s %s: %s failed", r.case_kind, r.case_id, action)
                report.add("failed")
                report.error = f"{r.case_kind} {r.case_id} {action}: {type(exc).__name__}: {exc}"[:2000]
                break
            done.add((r.case_kind, r.case_id, action))
            report.add(action)


@sweep("escalation")
def escalate(engine: Engine, now: datetime, report: SweepReport, budget: Budget, opts: RunOptions) -> None:
    """Record breaches and escalate overdue duty clocks level by level (see the module doc)."""
    for ag in load_agencies(engine, now):
        deferred: Deferred = []
        agency_rules = rules(ag)
        for rule in agency_rules:
            after: tuple[datetime, int] | None = None
            while not budget.exhausted():
                n, after = _batch(engine, ag, after, rule, opts, now, report, deferred)
                if n < max(opts.batch_size, CLAIM):
                    break
        if deferred:
            _press(engine, ag, now, deferred, report)
        # hour clocks: pressed within working hours of the breach (workflow.sweeps.hours)
        escalate_by_the_hour(engine, ag, now, report)
        if budget.exhausted():
            with read_session(engine) as s:
                for rule in agency_rules:
                    left, oldest = s.execute(select(func.count(), func.min(CLOCKS.c.due_at))
                                             .where(*_pending(ag, now, rule))).one()
                    if left:
                        report.remaining += int(left)
                        report.lag_seconds = max(report.lag_seconds, (now - aware(oldest)).total_seconds())


__all__ = ["DEFAULT_STEPS", "Rule", "escalate", "history_level", "rules", "thresholds"]
