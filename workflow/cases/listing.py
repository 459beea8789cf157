"""The cross-kind case list ("我的案件", 案件查询, drill-downs): filters, sort by nearest deadline, pages. Read-only.

Every registered kind whose descriptor has a ``listing`` (``workflow.cases.kind.CaseList``: which columns are its
applicant, phone, received day, unit, open states, …) is listed the same way — its table has ``agency_id``,
``assignee_id``, ``state`` and ``next_due_at``, its duty clocks are rows of the shared clocks table. Every filter
runs in SQL; personal data leaves this module masked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, or_
from sqlmodel import Session, col, func, select

from db.models import Clock, User
from states.formats import mask_id, mask_phone
from states.vocab import OPEN_CLOCK, ClockStatus
from workflow.cases.approvals import pending_by_case
from workflow.cases.clocks import case_clocks
from workflow.cases.kind import CaseKind, CaseList
from workflow.cases.list_filters import in_unit, month_bounds, received_in
from workflow.kinds import clock_kinds, duty_kinds, installed
from workflow.timesource import local_date


@dataclass(frozen=True)
class CaseFilter:
    agency_id: int
    assignee_id: int | None = None  # "mine", or a drill-down to one officer
    unit_id: int | None = None
    state: str | None = None
    open_only: bool = False
    overdue: bool = False  # a duty clock (e.g. the reply period) is past due
    due_from: datetime | None = None  # a duty clock falls due in [due_from, due_to)
    due_to: datetime | None = None
    received_month: str | None = None  # YYYY-MM
    q: str = ""  # number, applicant name or words of the request
    kind: str | None = None  # one request kind only
    unassigned: bool = False  # nobody assigned (a drill-down from the caseload's 未分办 row)
    no_unit: bool = False  # no unit (the caseload's 未指定科室 row)
    tz: str = "Asia/Shanghai"  # the agency's zone: months of instants (work orders' received_at)


@dataclass(frozen=True)
class CaseRow:
    kind: str
    kind_label: str
    id: int
    number: str
    title: str
    applicant: str
    id_masked: str
    phone_masked: str
    state: str
    state_label: str
    assignee: str
    received: date | None
    next_due_at: datetime | None  # the row's nearest running clock (sort key)
    due_at: datetime | None = None  # the deadline shown (closed windows skipped)
    due_date: date | None = None
    due_label: str = ""
    provisional: bool = False
    url: str = ""
    pending: tuple[str, ...] = ()  # requests waiting for a decision (延期待负责人审批)


def _duty(kind: str, case_id: Any) -> Any:
    """The case's running duty clocks (the shared clocks table): the overdue and due-soon filters."""
    return select(Clock.id).where(Clock.case_kind == kind, Clock.case_id == case_id,
                                  col(Clock.kind).in_(duty_kinds()), Clock.status == ClockStatus.RUNNING)


class KindSource:
    """One registered kind's cases in the lists, as its descriptor's ``listing`` (``CaseList``) describes them."""

    def __init__(self, kind: CaseKind, spec: CaseList) -> None:
        self.case_kind, self.spec = kind, spec
        self.kind: str = kind.name
        self.label = spec.label

    def states(self) -> dict[str, str]:
        return dict(self.spec.state_labels)

    def _query(self, f: CaseFilter, now: datetime) -> Any:
        t, spec = self.case_kind.table, self.spec
        unit = getattr(t, spec.unit) if spec.unit else None
        q = select(t).where(t.agency_id == f.agency_id, *spec.listed(t))
        if f.assignee_id is not None:
            q = q.where(t.assignee_id == f.assignee_id)
        if f.unit_id is not None:
            q = q.where(in_unit(t, spec, f.unit_id))
        if f.unassigned:
            q = q.where(col(t.assignee_id).is_(None))
        if f.no_unit and unit is not None:
            q = q.where(col(unit).is_(None))
        if f.state:
            q = q.where(t.state == f.state)
        if f.open_only:
            q = q.where(col(t.state).in_(list(spec.open_states)))
        duty = _duty(self.kind, t.id)
        if f.overdue:
            q = q.where(exists(duty.where(col(Clock.due_at) < now)))
        if f.due_from is not None and f.due_to is not None:
            q = q.where(exists(duty.where(col(Clock.due_at) > f.due_from, col(Clock.due_at) <= f.due_to)))
        if f.received_month and (b := month_bounds(f.received_month)):  # a month it cannot read: not filtered
            q = q.where(*received_in(t, spec, b, f.tz))
        if f.q:
            like = f"%{f.q.strip()}%"
            q = q.where(or_(*(col(getattr(t, c)).like(like) for c in spec.search)))
        return q

    def count(self, s: Session, f: CaseFilter, now: datetime) -> int:
        sub = self._query(f, now).subquery()
        return int(s.exec(select(func.count()).select_from(sub)).one())

    def rows(self, s: Session, f: CaseFilter, now: datetime, limit: int) -> list[CaseRow]:
        t = self.case_kind.table
        q = self._query(f, now).order_by(col(t.next_due_at).is_(None), col(t.next_due_at), col(t.id).desc()).limit(limit)
        found: list[Any] = list(s.exec(q).all())
        names = user_names(s, {r.assignee_id for r in found if r.assignee_id})
        return [self._row(r, names, f.tz) for r in found]

    def _row(self, r: Any, names: dict[int, str], tz: str) -> CaseRow:
        kind, spec = self.case_kind, self.spec
        if spec.received_on:
            received = getattr(r, spec.received_on)
        elif spec.received_at:
            received = local_date(getattr(r, spec.received_at), tz)
        else:
            received = None
        return CaseRow(
            kind=self.kind, kind_label=spec.label, id=r.id or 0, number=kind.number(r), title=kind.summary(r)[:60],
            applicant=getattr(r, spec.applicant) if spec.applicant else "",
            id_masked=mask_id(getattr(r, spec.id_number)) if spec.id_number else "",
            phone_masked=mask_phone(getattr(r, spec.phone)) if spec.phone else "", state=r.state,
            state_label=spec.state_labels.get(r.state, r.state), assignee=names.get(r.assignee_id or 0, ""),
            received=received, next_due_at=r.next_due_at, url=kind.url(r.id or 0))


def user_names(s: Session, ids: set[int]) -> dict[int, str]:
    """User id → display name (assignees in lists)."""
    if not ids:
        return {}
    return {int(i or 0): n for i, n in s.exec(select(User.id, User.display_name).where(col(User.id).in_(ids))).all()}


def sources() -> list[KindSource]:
    """Every registered kind that is listed, in the registry's order (workflow.kinds.installed)."""
    return [KindSource(k, k.listing) for k in installed().values() if k.listing is not None]


def list_kinds() -> dict[str, str]:
    """The listed kinds: name → what the lists call it (the 类别 filter, the caseload's columns)."""
    return {src.kind: src.label for src in sources()}


def _with_due(s: Session, row: CaseRow) -> CaseRow:
    """Name the nearest binding deadline — the one the list is sorted by (``next_due_at``); a window that only
    allows something (补正告知期限, 12345 退单时限) is no deadline — and flag the row provisional if any open deadline is
    (a few rows)."""
    kinds = clock_kinds()
    clocks = [c for c in case_clocks(s, row.kind, row.id) if c.status in OPEN_CLOCK]
    running = [(c.due_at, c) for c in clocks if c.status == ClockStatus.RUNNING and c.due_at
               and (spec := kinds.get(c.kind)) is not None and spec.binds]
    provisional = any(c.provisional for c in clocks)
    if not running:
        return replace(row, provisional=provisional)
    due_at, c = min(running, key=lambda pair: pair[0])
    label = kinds[c.kind].label
    return replace(row, due_at=due_at, due_date=c.due_date, due_label=label, provisional=provisional)


def list_cases(s: Session, f: CaseFilter, *, now: datetime, page: int, per_page: int) -> tuple[list[CaseRow], int]:
    """One page of cases of every kind, nearest deadline first (no deadline last); and the total."""
    listed = [src for src in sources() if f.kind in (None, src.kind)]
    total = sum(src.count(s, f, now) for src in listed)
    need = page * per_page
    merged: list[CaseRow] = []
    for src in listed:
        merged.extend(src.rows(s, f, now, need))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    merged.sort(key=lambda r: (r.next_due_at is None, r.next_due_at or far, -r.id))
    chunk = merged[(page - 1) * per_page:need]
    pending = {kind: pending_by_case(s, kind, [r.id for r in chunk if r.kind == kind]) for kind in {r.kind for r in chunk}}
    return [replace(_with_due(s, r), pending=tuple(pending[r.kind].get(r.id, ()))) for r in chunk], total


def all_states() -> dict[str, str]:
    """Every kind's states for the filter; a state name two kinds share shows both labels (已答复／已反馈待回访)."""
    out: dict[str, str] = {}
    for src in sources():
        for state, label in src.states().items():
            out[state] = label if out.get(state, label) == label else f"{out[state]}／{label}"
    return out
