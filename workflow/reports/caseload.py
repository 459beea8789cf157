"""Open caseload by person and by unit, each request kind apart (issue 20): how many cases each officer and each
unit has open, how many of them fall due soon and how many are overdue — the same definitions as the case list's
filters (workflow.cases.listing), so every figure drills down to a list of exactly those cases. Disclosure
applications and 12345 orders are never added up in one number. One GROUP BY per kind and grouping. Read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, exists
from sqlmodel import Session, col, func, select

from db.models import Clock, Disclosure, Unit, User, WorkOrder
from states import hotline
from states.calendar import WorkCalendar
from states.disclosure import OPEN_STATES as DISCLOSURE_OPEN
from states.vocab import CaseKindName, ClockStatus
from workflow.cases.clocks import SOON_WORKDAYS, soon_until
from workflow.kinds import duty_kinds
from workflow.timesource import end_of_day

KINDS: tuple[str, ...] = (CaseKindName.DISCLOSURE, CaseKindName.WORKORDER)
UNASSIGNED: dict[str, str] = {CaseKindName.DISCLOSURE: "未分办", CaseKindName.WORKORDER: "未指派"}


@dataclass(frozen=True)
class Counts:
    open: int = 0
    due_soon: int = 0
    overdue: int = 0


@dataclass
class Row:
    key: int | None  # user or unit id; None: nobody assigned / no unit
    name: str
    counts: dict[str, Counts] = field(default_factory=dict)  # kind → counts

    def of(self, kind: str) -> Counts:
        return self.counts.get(kind, Counts())


@dataclass(frozen=True)
class Caseload:
    by_officer: list[Row]
    by_unit: list[Row]
    totals: dict[str, Counts]  # kind → the agency's open cases (never one sum over both kinds)
    soon_until: date


def _source(kind: str) -> tuple[Any, tuple[str, ...], list[Any]]:
    if kind == CaseKindName.DISCLOSURE:
        return Disclosure, tuple(DISCLOSURE_OPEN), [col(Disclosure.tracking_no).is_not(None)]
    return WorkOrder, tuple(hotline.OPEN_STATES), []


def _grouped(s: Session, kind: str, agency_id: int, group: str, now: datetime, soon_to: datetime
             ) -> dict[int | None, Counts]:
    table, open_states, extra = _source(kind)
    duty = select(Clock.id).where(Clock.case_kind == kind, col(Clock.case_id) == col(table.id),
                                  col(Clock.kind).in_(duty_kinds()), Clock.status == ClockStatus.RUNNING)
    overdue = exists(duty.where(col(Clock.due_at) < now))
    soon = exists(duty.where(col(Clock.due_at) > now, col(Clock.due_at) <= soon_to))
    by = getattr(table, group)
    rows = s.exec(select(by, func.count(), func.sum(case((soon, 1), else_=0)), func.sum(case((overdue, 1), else_=0)))
                  .where(table.agency_id == agency_id, col(table.state).in_(open_states), *extra)
                  .group_by(by)).all()
    return {None if k is None else int(k): Counts(int(n), int(d or 0), int(o or 0)) for k, n, d, o in rows}


def _rows(by_kind: dict[str, dict[int | None, Counts]], names: dict[int, str], none_label: str) -> list[Row]:
    keys = {k for counts in by_kind.values() for k in counts}
    out = [Row(k, names.get(k, "（已停用）") if k is not None else none_label,
               {kind: counts[k] for kind, counts in by_kind.items() if k in counts}) for k in keys]
    # the most overdue first, then the most open; nobody-assigned last
    return sorted(out, key=lambda r: (r.key is None, -sum(c.overdue for c in r.counts.values()),
                                      -sum(c.open for c in r.counts.values()), r.name))


def build_caseload(s: Session, agency_id: int, *, now: datetime, today: date, cal: WorkCalendar, tz: str) -> Caseload:
    last = soon_until(cal, today)
    soon_to = end_of_day(last, tz)
    officers = {kind: _grouped(s, kind, agency_id, "assignee_id", now, soon_to) for kind in KINDS}
    units = {kind: _grouped(s, kind, agency_id, "unit_id", now, soon_to) for kind in KINDS}
    user_names = {int(i or 0): n for i, n in s.exec(select(User.id, User.display_name)
                                                    .where(User.agency_id == agency_id)).all()}
    unit_names = {int(i or 0): n for i, n in s.exec(select(Unit.id, Unit.name).where(Unit.agency_id == agency_id)).all()}
    totals = {kind: Counts(sum(c.open for c in officers[kind].values()),
                           sum(c.due_soon for c in officers[kind].values()),
                           sum(c.overdue for c in officers[kind].values())) for kind in KINDS}
    return Caseload(_rows(officers, user_names, "未分办／未指派"), _rows(units, unit_names, "未指定科室"), totals, last)


__all__ = ["SOON_WORKDAYS", "UNASSIGNED", "Caseload", "Counts", "Row", "build_caseload", "soon_until"]
