"""Sweep for 12345 work orders: fire the escalation ladder (催办 / 督办) on overdue orders as the system.

Idempotent and safe to run from several instances: each step is an ordinary ``act`` (its guard allows a
step once per cycle, the row lock and version serialise concurrent runs). Every overdue order is looked at,
with no cap per run (STYLE.md: no silent caps); a missed run catches up with the step now due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from db.engine import read_session
from db.models import WorkOrder
from workflow.errors import InvalidTransition, StaleVersion
from workflow.hotline import act
from workflow.hotline_queries import OPEN_STATES
from workflow.principal import system

LADDER = ("urge", "supervise")


@dataclass(frozen=True)
class SweepResult:
    checked: int
    urged: int
    supervised: int


def escalate_overdue(engine: Engine, now: datetime, *, agency_id: int | None = None) -> SweepResult:
    """Fire the next due ladder step on every open order whose nearest duty deadline has passed."""
    q = select(WorkOrder.id, WorkOrder.agency_id).where(col(WorkOrder.state).in_(OPEN_STATES),
                                                        col(WorkOrder.next_due_at) < now)
    if agency_id is not None:
        q = q.where(WorkOrder.agency_id == agency_id)
    with read_session(engine) as s:
        candidates = list(s.exec(q.order_by(col(WorkOrder.id))).all())
    fired = dict.fromkeys(LADDER, 0)
    for order_id, owner in candidates:
        assert order_id is not None
        for step in LADDER:
            try:
                act(engine, order_id, step, {"note": "逾期自动" + ("催办" if step == "urge" else "督办")},
                    system(owner), now)
            except (InvalidTransition, StaleVersion):
                continue  # not due (or already fired, or another instance got there first)
            fired[step] += 1
            break
    return SweepResult(len(candidates), fired["urge"], fired["supervise"])
