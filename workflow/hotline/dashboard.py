"""The leader's 12345 figures: orders by state, overdue orders by officer and unit, extension requests waiting
for the platform's decision. Each is one SQL aggregate or a short list. Read-only.

"Overdue" is what the work-order list's ``overdue=1`` filter shows (an open order whose nearest duty
deadline — sign-for, handling or callback — has passed), so every figure drills down to that list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from db.models import Clock, Unit, User, WorkOrder
from states.hotline import OPEN_STATES, STATE_LABELS
from states.vocab import CaseKindName
from states.wording import NO_ASSIGNEE, NO_UNIT
from workflow.reports.dashboard import pending_extension_rows
from workflow.tally.read import state_counts


@dataclass(frozen=True)
class PendingOrderExtension:
    order_id: int
    order_no: str
    title: str
    days: int
    reason: str
    requested_by: str
    requested_at: datetime
    handling_due_at: datetime | None


@dataclass(frozen=True)
class HotlineDashboard:
    by_state: list[tuple[str, str, int]]  # state, label, count (table order)
    open_total: int
    overdue: int
    overdue_by_officer: list[tuple[int | None, str, int]]
    overdue_by_unit: list[tuple[int | None, str, int]]
    pending_extensions: list[PendingOrderExtension]


def _overdue(agency_id: int, now: datetime) -> tuple[Any, ...]:
    return (WorkOrder.agency_id == agency_id, col(WorkOrder.state).in_(OPEN_STATES),
            col(WorkOrder.next_due_at) < now)


def build_hotline_dashboard(s: Session, agency_id: int, *, now: datetime, summaries: bool = True) -> HotlineDashboard:
    """The figures; ``summaries``: the orders by state from the maintained summaries (workflow.tally), else counted
    from the orders (the cross-check)."""
    if summaries:
        counts = {st: n for (_, st), n in state_counts(s, CaseKindName.WORKORDER, agency_id).items()}
    else:
        counts = {st: int(n) for st, n in s.exec(select(WorkOrder.state, func.count()).where(
            WorkOrder.agency_id == agency_id).group_by(col(WorkOrder.state))).all()}
    by_state = [(st, label, counts[st]) for st, label in STATE_LABELS.items() if counts.get(st)]
    od = _overdue(agency_id, now)
    by_officer = [(uid, name or NO_ASSIGNEE["workorder"], int(n)) for uid, name, n in s.exec(
        select(WorkOrder.assignee_id, User.display_name, func.count()).select_from(WorkOrder)
        .outerjoin(User, col(User.id) == col(WorkOrder.assignee_id)).where(*od)
        .group_by(col(WorkOrder.assignee_id), col(User.display_name)).order_by(func.count().desc())).all()]
    by_unit = [(uid, name or NO_UNIT, int(n)) for uid, name, n in s.exec(
        select(WorkOrder.unit_id, Unit.name, func.count()).select_from(WorkOrder)
        .outerjoin(Unit, col(Unit.id) == col(WorkOrder.unit_id)).where(*od)
        .group_by(col(WorkOrder.unit_id), col(Unit.name)).order_by(func.count().desc())).all()]
    return HotlineDashboard(by_state, sum(n for st, n in counts.items() if st in OPEN_STATES),
                            sum(n for _, _, n in by_officer), by_officer, by_unit, pending_extensions(s, agency_id))


def pending_extensions(s: Session, agency_id: int) -> list[PendingOrderExtension]:
    """Extension requests the desk or a leader must record the platform's decision on, oldest first."""
    rows = pending_extension_rows(s, agency_id, WorkOrder, CaseKindName.WORKORDER, "handling", col(Clock.due_at),
                                  col(Clock.cycle) == col(WorkOrder.cycle))
    return [PendingOrderExtension(o.id or 0, o.order_no, (o.title or o.content)[:40], int(a.payload.get("days", 0)),
                                  str(a.payload.get("reason", "")), name or "", a.requested_at, due)
            for a, o, name, due in rows]
