"""Deadline recompute after a calendar import: only open clocks computed with an older calendar version.

A holiday notice import bumps the calendar version (``workflow.calendar.service.import_notice``); it does not
touch any clock. This sweep then walks the stale open clocks (``stale_clock_ids``, id order, in
batches — never every open case at once, never on the request path) and recomputes each with
``workflow.cases.clocks.recompute_clock`` inside one write transaction per batch. A clock whose deadline moved
(``ClockMove.moved``: a working-day clock by its day, an hour-based 12345 clock by its instant — the rule the
calendar preview counts by) gets an audit event ``recompute`` on its case with ``{clock, old, new,
calendar_version}`` (an hour-based clock also ``old_at``/``new_at``, its local instants) and a new
``deadline_version``, so its reminders may fire again; the case row's ``next_due_at`` and ``overdue_level`` are
refreshed. A clock whose deadline did not move just records the new calendar version. Closed cases have no open clocks and are never touched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, update
from sqlmodel import col

from db.engine import is_sqlite, read_session, write_session
from db.models import Agency, CalendarNotice, Clock
from states.vocab import OPEN_CLOCK, ClockStatus
from workflow.accounts.principal import system
from workflow.agencies.config import agency_config
from workflow.calendar.service import agency_calendar, calendar_version, count_stale_clocks, stale_clock_ids
from workflow.cases.audit import append_events, event_values
from workflow.cases.clocks import recompute_clock
from workflow.kinds import clock_kinds, installed
from workflow.sweeps.base import (
    CLOCKS,
    Budget,
    RunOptions,
    SweepReport,
    aware,
    case_table,
    lock_cases,
    sweep,
)


def _refresh_cases(session: Any, kind: str, ids: set[int]) -> None:
    """The case rows' nearest running binding deadline and overdue level, from their clocks (the rule of
    ``disclosure_context.refresh_next_due``: a window that only permits something never counts)."""
    t = case_table(installed()[kind])
    c = CLOCKS.c
    binding = tuple(k for k, v in clock_kinds().items() if v.binds)
    running = (c.case_kind == kind, c.case_id == t.c.id, c.status == ClockStatus.RUNNING, c.kind.in_(binding))
    session.execute(update(t).where(t.c.id.in_(sorted(ids))).values(
        next_due_at=select(func.min(c.due_at)).where(*running).scalar_subquery(),
        overdue_level=func.coalesce(select(func.max(c.overdue_level)).where(*running).scalar_subquery(), 0)))


def _batch(engine: Engine, ids: list[int], now: datetime, report: SweepReport) -> None:
    with write_session(engine) as s:
        version = calendar_version(s)
        q = select(Clock).where(col(Clock.id).in_(ids), col(Clock.calendar_version) < version,
                                col(Clock.status).in_(OPEN_CLOCK)).order_by(col(Clock.id))
        if not is_sqlite(engine):
            q = q.with_for_update(skip_locked=True, of=Clock)
        clocks = list(s.execute(q).scalars().all())
        cases = {kind: lock_cases(s, engine, kind, [c.case_id for c in clocks if c.case_kind == kind])
                 for kind in sorted({c.case_kind for c in clocks})}
        agencies: dict[int, tuple[Any, str]] = {}
        touched: dict[str, set[int]] = {}
        evs: list[dict[str, Any]] = []
        for clock in clocks:
            row = cases.get(clock.case_kind, {}).get(clock.case_id)
            if row is None:
                report.add("case_busy")
                continue
            if clock.agency_id not in agencies:
                agency = s.get(Agency, clock.agency_id)
                assert agency is not None
                agencies[clock.agency_id] = (agency_calendar(s, agency), agency_config(agency).timezone)
            cal, tz = agencies[clock.agency_id]
            move = recompute_clock(s, clock, cal, now, tz)  # units it does not recompute come back unchanged
            clock.calendar_version = version
            s.add(clock)
            if not move.moved:  # the rule the calendar preview counts by (workflow.calendar.preview)
                report.add("unchanged")
                continue
            report.add("moved")
            payload: dict[str, Any] = {
                "clock": clock.kind, "cycle": clock.cycle, "old": move.old_date.isoformat() if move.old_date else None,
                "new": move.new_date.isoformat() if move.new_date else None, "calendar_version": version}
            if move.hourly:  # an hour-based deadline (12345 sign-for, urgent handling): the local times as well
                payload["old_at"], payload["new_at"] = (at.astimezone(ZoneInfo(tz)).isoformat() if at else None
                                                        for at in (move.old_at, move.new_at))
            evs.append(event_values(
                agency_id=clock.agency_id, case_kind=clock.case_kind, case_id=clock.case_id,
                actor=system(clock.agency_id), action="recompute", from_state=row.state, to_state=row.state, now=now,
                payload=payload))
            touched.setdefault(clock.case_kind, set()).add(clock.case_id)
        s.flush()
        append_events(s, evs)
        for kind, case_ids in touched.items():
            _refresh_cases(s, kind, case_ids)
        s.commit()
    report.batches += 1


@sweep("recompute")
def recompute_stale(engine: Engine, now: datetime, report: SweepReport, budget: Budget, opts: RunOptions) -> None:
    """Recompute stale open clocks in id order, one write transaction per batch (see the module doc)."""
    with read_session(engine) as s:
        if count_stale_clocks(s) == 0:  # the every-minute case: one index probe (calendar_version, status)
            return
    after = 0
    while not budget.exhausted():
        with read_session(engine) as s:
            ids = stale_clock_ids(s, limit=opts.batch_size, after_id=after)
        if not ids:
            break
        after = ids[-1]
        _batch(engine, ids, now, report)
    with read_session(engine) as s:
        left = count_stale_clocks(s)
        if left:
            oldest = s.execute(select(func.min(CLOCKS.c.calendar_version)).where(
                CLOCKS.c.status.in_(OPEN_CLOCK), CLOCKS.c.calendar_version < calendar_version(s))).scalar_one()
            since = s.execute(select(func.min(col(CalendarNotice.imported_at))).where(
                col(CalendarNotice.calendar_version) > oldest)).scalar_one()
            report.remaining = left
            report.lag_seconds = (now - aware(since)).total_seconds() if since else 0.0


__all__ = ["recompute_stale"]
