"""Enqueue notices in the outbox inside the action's transaction (delivery happens after commit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from db.models import Outbox

_STMTS: dict[str, Any] = {}


def enqueue(session: Session, *, agency_id: int, notice_type: str, channel: str, recipient: str,
            recipient_name: str, context: dict[str, Any], dedupe_key: str, now: datetime,
            case_kind: str | None = None, case_id: int | None = None,
            not_before: datetime | None = None) -> bool:
    """Insert an outbox row unless one with the same dedupe key exists; True if inserted."""
    table = Outbox.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    values = dict(
        agency_id=agency_id, case_kind=case_kind, case_id=case_id, notice_type=notice_type, channel=channel,
        recipient=recipient, recipient_name=recipient_name, context=context, dedupe_key=dedupe_key[:300],
        status="pending", attempts=0, next_attempt_at=not_before or now, created_at=now,
    )
    stmt = _STMTS.get(dialect)
    if stmt is None:
        ins = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
        stmt = _STMTS[dialect] = ins.on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = session.execute(stmt, values)
    return bool(getattr(result, "rowcount", 0))
