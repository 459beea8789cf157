"""操作记录: the audit trail of account and agency-settings changes and dead-letter retries, for an agency's
administrator — ``Event`` rows with ``case_kind`` "account", "agency" or "outbox", newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from db.engine import read_session
from db.models import Event
from workflow.accounts.users import ACCOUNT
from workflow.ops.dead_letters import OUTBOX
from workflow.runtime import Engine

AGENCY = "agency"  # Event.case_kind of agency-settings changes (workflow.agencies.admin)
KINDS = (ACCOUNT, AGENCY, OUTBOX)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime  # aware
    actor: str
    action: str
    case_kind: str
    case_id: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]  # newest first
    next_before: int | None  # the ``before`` of the next (older) page; None: this is the last


def audit_page(engine: Engine, agency_id: int, *, before: int | None = None, limit: int = 100) -> AuditPage:
    """Up to ``limit`` entries of ``agency_id``'s trail older than event ``before`` (None: the newest)."""
    q = select(Event).where(Event.agency_id == agency_id, col(Event.case_kind).in_(KINDS))
    if before is not None:
        q = q.where(col(Event.id) < before)
    with read_session(engine) as s:
        rows = list(s.exec(q.order_by(col(Event.id).desc()).limit(limit + 1)).all())
    entries = [AuditEntry(e.id or 0, e.created_at if e.created_at.tzinfo else e.created_at.replace(tzinfo=UTC),
                          e.actor_label, e.action, e.case_kind, e.case_id, dict(e.payload or {}))
               for e in rows[:limit]]
    return AuditPage(entries, entries[-1].id if len(rows) > limit and entries else None)
