"""Open caseload by person and by unit, each request kind apart (issue 20): how many cases each officer and each
unit has open, how many of them fall due soon and how many are overdue — the same definitions as the case list's
filters (workflow.cases.listing), so every figure drills down to a list of exactly those cases. Every listed kind
(its descriptor's ``CaseList``) is counted apart: disclosure applications, 12345 orders and any other kind are never
added up in one number. One GROUP BY per kind and grouping. Read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, exists
from sqlmodel import Session, col, func, select

from db.models import Clock, Unit, User
from states.calendar import WorkCalendar
from states.vocab import ClockStatus
from states.wording import NO_UNIT
from workflow.cases.clocks import SOON_WORKDAYS, soon_until
from workflow.cases.kind import CaseKind, CaseList
from workflow.kinds import duty_kinds, installed
from workflow.timesource import end_of_day


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
    totals: dict[str, Counts]  # kind → the agency's open cases (never one sum over the kinds)
    soon_until: date
    kinds: dict[str, str] = field(default_factory=dict)  # the kinds counted, in order: name → 类别 (the columns)


def _grouped(s: Session, kind: CaseKind, spec: CaseList, agency_id: int, group: str, now: datetime,
             soon_to: datetime) -> dict[int | None, Counts]:
    """Open cases of ``kind`` counted by ``group`` (assignee_id or unit_id; a kind without units: all under None)."""
    table = kind.table
    duty = select(Clock.id).where(Clock.case_kind == kind.name, col(Clock.case_id) == col(table.id),
                                  col(Clock.kind).in_(duty_kinds()), Clock.status == ClockStatus.RUNNING)
    overdue = exists(duty.where(col(Clock.due_at) < now))
    soon = exists(duty.where(col(Clock.due_at) > now, col(Clock.due_at) <= soon_to))
    column = {"assignee_id": "assignee_id", "unit_id": spec.unit}[group]
    counts = (func.count(), func.sum(case((soon, 1), else_=0)), func.sum(case((overdue, 1), else_=0)))
    where = (table.agency_id == agency_id, col(table.state).in_(list(spec.open_states)), *spec.listed(table))
    if not column:  # no such column: every case under None
        n, d, o = s.exec(select(*counts).where(*where)).one()
        return {None: Counts(int(n), int(d or 0), int(o or 0))} if n else {}
    by = getattr(table, column)
    rows = s.exec(select(by, *counts).where(*where).group_by(by)).all()
    return {None if k is None else int(k): Counts(int(n), int(d or 0), int(o or 0)) for k, n, d, o in rows}


def _rows(by_kind: dict[str, dict[int | None, Counts]], names: dict[int, str], none_label: str) -> list[Row]:
    keys = {k for counts in by_kind.values() for k in counts}
    out = [Row(k, names.get(k, "（已停用）") if k is not None else none_label,
               {kind: counts[k] for kind, counts in by_kind.items() if k in counts}) for k in keys]
    # the most overdue first, then the most open; nobody-assigned last
    return sorted(out, key=lambda r: (r.key is None, -sum(c.overdue for c in r.counts.values()),
                                      -sum(c.open for c in r.counts.values()), r.name))


def build_caseload(s: Session, agency_id: int, *, now: datetime, today: date, cal: WorkCalendar, tz: str) -> Caseload:
    """Every listed kind's open caseload (the kinds of ``workflow.cases.listing``: a figure drills down to
    /cases?kind=<kind>&…, the same filters)."""
    last = soon_until(cal, today)
    soon_to = end_of_day(last, tz)
    listed = [(k, k.listing) for k in installed().values() if k.listing is not None]
    officers = {k.name: _grouped(s, k, spec, agency_id, "assignee_id", now, soon_to) for k, spec in listed}
    units = {k.name: _grouped(s, k, spec, agency_id, "unit_id", now, soon_to) for k, spec in listed}
    user_names = {int(i or 0): n for i, n in s.exec(select(User.id, User.display_name)
                                                    .where(User.agency_id == agency_id)).all()}
    unit_names = {int(i or 0): n for i, n in s.exec(select(Unit.id, Unit.name).where(Unit.agency_id == agency_id)).all()}
    totals = {kind: Counts(sum(c.open for c in officers[kind].values()),
                           sum(c.due_soon for c in officers[kind].values()),
                           sum(c.overdue for c in officers[kind].values())) for kind in officers}
    nobody = "／".join(dict.fromkeys(spec.unassigned for _, spec in listed))  # 未分办／未指派
    return Caseload(_rows(officers, user_names, nobody), _rows(units, unit_names, NO_UNIT), totals, last,
                    {k.name: spec.label for k, spec in listed})


__all__ = ["SOON_WORKDAYS", "Caseload", "Counts", "Row", "build_caseload", "soon_until"]
