"""The cross-kind case list ("我的案件", drill-downs): filters, sort by nearest deadline, pages. Read-only.

Each request kind contributes a ``CaseSource``: disclosure applications and 12345 work orders (same
shape: ``assignee_id``, ``next_due_at``, a state). Every filter runs in SQL; personal data leaves this
module masked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import exists, or_
from sqlmodel import Session, col, func, select

from db.models import Clock, Disclosure, User, WorkOrder
from states import hotline
from states.disclosure import OPEN_STATES, STATE_LABELS
from states.formats import mask_id, mask_phone
from states.vocab import OPEN_CLOCK, CaseKindName, ClockStatus
from states.wording import CASE_KINDS
from workflow.cases.approvals import pending_by_case
from workflow.cases.clocks import case_clocks, closed_window
from workflow.kinds import clock_kinds, duty_kinds
from workflow.timesource import local_date

OPTIONAL_WINDOWS = frozenset({"return_window"})  # 12345 退单时限: a window the desk may use; not a deadline to show


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


class CaseSource(Protocol):
    kind: str

    def count(self, s: Session, f: CaseFilter, now: datetime) -> int: ...

    def rows(self, s: Session, f: CaseFilter, now: datetime, limit: int) -> list[CaseRow]: ...

    def states(self) -> dict[str, str]: ...


def _month_bounds(month: str) -> tuple[date, date] | None:
    try:
        y, m = (int(p) for p in month.split("-"))
        start = date(y, m, 1)
    except ValueError:
        return None
    return start, date(y + (m == 12), m % 12 + 1, 1)


class DisclosureSource:
    """依申请公开 applications."""

    kind: str = CaseKindName.DISCLOSURE
    label = CASE_KINDS[CaseKindName.DISCLOSURE]

    def states(self) -> dict[str, str]:
        return dict(STATE_LABELS)

    def _query(self, f: CaseFilter, now: datetime) -> Any:
        q = select(Disclosure).where(Disclosure.agency_id == f.agency_id, col(Disclosure.tracking_no).is_not(None))
        if f.assignee_id is not None:
            q = q.where(Disclosure.assignee_id == f.assignee_id)
        if f.unit_id is not None:
            q = q.where(Disclosure.unit_id == f.unit_id)
        if f.unassigned:
            q = q.where(col(Disclosure.assignee_id).is_(None))
        if f.no_unit:
            q = q.where(col(Disclosure.unit_id).is_(None))
        if f.state:
            q = q.where(Disclosure.state == f.state)
        if f.open_only:
            q = q.where(col(Disclosure.state).in_(list(OPEN_STATES)))
        duty = select(Clock.id).where(Clock.case_kind == self.kind, Clock.case_id == Disclosure.id,
                                      col(Clock.kind).in_(duty_kinds()), Clock.status == ClockStatus.RUNNING)
        if f.overdue:
            q = q.where(exists(duty.where(col(Clock.due_at) < now)))
        if f.due_from is not None and f.due_to is not None:
            q = q.where(exists(duty.where(col(Clock.due_at) > f.due_from, col(Clock.due_at) <= f.due_to)))
        if f.received_month and (b := _month_bounds(f.received_month)):
            q = q.where(col(Disclosure.receipt_date) >= b[0], col(Disclosure.receipt_date) < b[1])
        if f.q:
            like = f"%{f.q.strip()}%"
            q = q.where(or_(col(Disclosure.tracking_no).like(like), col(Disclosure.applicant_name).like(like),
                            col(Disclosure.description).like(like), col(Disclosure.source_no).like(like)))
        return q

    def count(self, s: Session, f: CaseFilter, now: datetime) -> int:
        sub = self._query(f, now).subquery()
        return int(s.exec(select(func.count()).select_from(sub)).one())

    def rows(self, s: Session, f: CaseFilter, now: datetime, limit: int) -> list[CaseRow]:
        q = self._query(f, now).order_by(col(Disclosure.next_due_at).is_(None), col(Disclosure.next_due_at),
                                         col(Disclosure.id).desc()).limit(limit)
        found: list[Disclosure] = list(s.exec(q).all())
        names = user_names(s, {r.assignee_id for r in found if r.assignee_id})
        return [CaseRow(
            kind=self.kind, kind_label=self.label, id=r.id or 0, number=r.tracking_no or "",
            title=r.description[:60], applicant=r.applicant_name, id_masked=mask_id(r.id_number),
            phone_masked=mask_phone(r.phone), state=r.state, state_label=STATE_LABELS.get(r.state, r.state),
            assignee=names.get(r.assignee_id or 0, ""), received=r.receipt_date, next_due_at=r.next_due_at,
            url=f"/cases/disclosure/{r.id}") for r in found]


def _duty(kind: str, case_id: Any) -> Any:
    return select(Clock.id).where(Clock.case_kind == kind, Clock.case_id == case_id,
                                  col(Clock.kind).in_(duty_kinds()), Clock.status == ClockStatus.RUNNING)


class WorkOrderSource:
    """12345 work orders (the caller's phone masked; no identity number)."""

    kind: str = CaseKindName.WORKORDER
    label = CASE_KINDS[CaseKindName.WORKORDER]
    open_states: tuple[str, ...] = hotline.OPEN_STATES

    def states(self) -> dict[str, str]:
        return dict(hotline.STATE_LABELS)

    def _query(self, f: CaseFilter, now: datetime) -> Any:
        q = select(WorkOrder).where(WorkOrder.agency_id == f.agency_id)
        if f.assignee_id is not None:
            q = q.where(WorkOrder.assignee_id == f.assignee_id)
        if f.unit_id is not None:
            q = q.where(WorkOrder.unit_id == f.unit_id)
        if f.unassigned:
            q = q.where(col(WorkOrder.assignee_id).is_(None))
        if f.no_unit:
            q = q.where(col(WorkOrder.unit_id).is_(None))
        if f.state:
            q = q.where(WorkOrder.state == f.state)
        if f.open_only:
            q = q.where(col(WorkOrder.state).in_(self.open_states))
        duty = _duty(self.kind, WorkOrder.id)
        if f.overdue:
            q = q.where(exists(duty.where(col(Clock.due_at) < now)))
        if f.due_from is not None and f.due_to is not None:
            q = q.where(exists(duty.where(col(Clock.due_at) > f.due_from, col(Clock.due_at) <= f.due_to)))
        if f.received_month and (b := _month_bounds(f.received_month)):
            zone = ZoneInfo(f.tz)
            q = q.where(col(WorkOrder.received_at) >= datetime.combine(b[0], time(), zone),
                        col(WorkOrder.received_at) < datetime.combine(b[1], time(), zone))
        if f.q:
            like = f"%{f.q.strip()}%"
            q = q.where(or_(col(WorkOrder.order_no).like(like), col(WorkOrder.caller_name).like(like),
                            col(WorkOrder.title).like(like), col(WorkOrder.content).like(like)))
        return q

    def count(self, s: Session, f: CaseFilter, now: datetime) -> int:
        sub = self._query(f, now).subquery()
        return int(s.exec(select(func.count()).select_from(sub)).one())

    def rows(self, s: Session, f: CaseFilter, now: datetime, limit: int) -> list[CaseRow]:
        q = self._query(f, now).order_by(col(WorkOrder.next_due_at).is_(None), col(WorkOrder.next_due_at),
                                         col(WorkOrder.id).desc()).limit(limit)
        found: list[WorkOrder] = list(s.exec(q).all())
        names = user_names(s, {r.assignee_id for r in found if r.assignee_id})
        return [CaseRow(
            kind=self.kind, kind_label=self.label, id=r.id or 0, number=r.order_no, title=(r.title or r.content)[:60],
            applicant=r.caller_name, id_masked="", phone_masked=mask_phone(r.caller_phone), state=r.state,
            state_label=hotline.STATE_LABELS.get(r.state, r.state), assignee=names.get(r.assignee_id or 0, ""),
            received=local_date(r.received_at, f.tz), next_due_at=r.next_due_at, url=f"/workorders/{r.id}")
            for r in found]


def user_names(s: Session, ids: set[int]) -> dict[int, str]:
    """User id → display name (assignees in lists)."""
    if not ids:
        return {}
    return {int(i or 0): n for i, n in s.exec(select(User.id, User.display_name).where(col(User.id).in_(ids))).all()}


SOURCES: list[CaseSource] = [DisclosureSource(), WorkOrderSource()]


def _with_due(s: Session, row: CaseRow, now: datetime) -> CaseRow:
    """Name the nearest deadline that matters; flag the row provisional if any open deadline is (a few rows)."""
    clocks = [c for c in case_clocks(s, row.kind, row.id) if c.status in OPEN_CLOCK]
    running = [(c.due_at, c) for c in clocks if c.status == ClockStatus.RUNNING and c.due_at
               and c.kind not in OPTIONAL_WINDOWS and not closed_window(c.kind, c.due_at, now)]
    provisional = any(c.provisional for c in clocks)
    if not running:
        return replace(row, provisional=provisional)
    due_at, c = min(running, key=lambda pair: pair[0])
    spec = clock_kinds().get(c.kind)
    label = spec.label if spec is not None else c.kind
    return replace(row, due_at=due_at, due_date=c.due_date, due_label=label, provisional=provisional)


def list_cases(s: Session, f: CaseFilter, *, now: datetime, page: int, per_page: int) -> tuple[list[CaseRow], int]:
    """One page of cases of every kind, nearest deadline first (no deadline last); and the total."""
    sources = [src for src in SOURCES if f.kind in (None, src.kind)]
    total = sum(src.count(s, f, now) for src in sources)
    need = page * per_page
    merged: list[CaseRow] = []
    for src in sources:
        merged.extend(src.rows(s, f, now, need))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    merged.sort(key=lambda r: (r.next_due_at is None, r.next_due_at or far, -r.id))
    chunk = merged[(page - 1) * per_page:need]
    pending = {kind: pending_by_case(s, kind, [r.id for r in chunk if r.kind == kind]) for kind in {r.kind for r in chunk}}
    return [replace(_with_due(s, r, now), pending=tuple(pending[r.kind].get(r.id, ()))) for r in chunk], total


def all_states() -> dict[str, str]:
    """Every kind's states for the filter; a state name two kinds share shows both labels (已答复／已反馈待回访)."""
    out: dict[str, str] = {}
    for src in SOURCES:
        for state, label in src.states().items():
            out[state] = label if out.get(state, label) == label else f"{out[state]}／{label}"
    return out
