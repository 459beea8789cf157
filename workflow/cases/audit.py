"""Append-only audit events (the database refuses UPDATE/DELETE on the table)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from db.bulk import bulk_insert
from db.models import Event
from workflow.accounts.principal import Principal

_INSERT = Event.__table__.insert()  # type: ignore[attr-defined]


def event_values(*, agency_id: int, case_kind: str, case_id: int, actor: Principal, action: str,
                 from_state: str | None, to_state: str | None, payload: dict[str, Any],
                 now: datetime) -> dict[str, Any]:
    """The column values of one audit row."""
    return {
        "agency_id": agency_id, "case_kind": case_kind, "case_id": case_id, "actor_id": actor.id,
        "actor_label": actor.label[:100], "action": action, "from_state": from_state, "to_state": to_state,
        "payload": payload, "created_at": now,
    }


def append_events(session: Session | Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert audit rows built with ``event_values``, in one statement (``db.bulk.bulk_insert``)."""
    bulk_insert(session, Event.__table__, rows)  # type: ignore[attr-defined]


def append_event(session: Session | Connection, *, agency_id: int, case_kind: str, case_id: int, actor: Principal, action: str,
                 from_state: str | None, to_state: str | None, payload: dict[str, Any], now: datetime) -> None:
    """Insert one audit row (a cached Core statement with bound parameters)."""
    insert_event(session, event_values(agency_id=agency_id, case_kind=case_kind, case_id=case_id, actor=actor,
                                       action=action, from_state=from_state, to_state=to_state, payload=payload,
                                       now=now))


def insert_event(session: Session | Connection, values: dict[str, Any]) -> None:
    """Insert one audit row built with ``event_values``."""
    session.execute(_INSERT, values)

