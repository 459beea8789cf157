"""Documents held back while the agency's notice settings were incomplete, released once they are filled in.

A document that would have carried a placeholder (某县某局, an empty remedy organ …) was written to the outbox
``held`` (notifications.outbox.is_held). When the settings are saved, each such row of the agency gets the agency
part of its context rebuilt from the new settings — so it goes out with the real name, seal text and remedy
bodies — and is queued; the rest of its context (what the legal step said, its dates and numbers) is unchanged.
Internal notices are never held for this (the go-live import holds some of them for good: those stay).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from db.models import Agency, Outbox
from notifications.catalog import CATALOG
from states.vocab import OutboxStatus
from workflow.agencies.config import AgencyConfig
from workflow.disclosure.context import agency_snapshot


def release_held(session: Session, agency: Agency, cfg: AgencyConfig, now: datetime) -> int:
    """Queue the agency's held documents with its current settings, in the caller's transaction; how many went.
    Nothing is released while anything is still missing."""
    snapshot = agency_snapshot(agency, cfg)
    if snapshot["missing"]:
        return 0
    rows = session.exec(select(Outbox).where(Outbox.agency_id == agency.id, Outbox.status == OutboxStatus.HELD,
                                             Outbox.channel != "internal")).all()
    for row in rows:
        row.context = {**(row.context or {}), "agency": snapshot}
        row.status, row.next_attempt_at = OutboxStatus.PENDING, now
        session.add(row)
    return len(rows)


def held_count(session: Session, agency_id: int) -> int:
    """Documents of the agency waiting for its settings."""
    return int(session.exec(select(func.count()).select_from(Outbox).where(
        Outbox.agency_id == agency_id, Outbox.status == OutboxStatus.HELD, Outbox.channel != "internal")).one())


def held_documents(session: Session, case_kind: str, case_id: int) -> list[str]:
    """Titles of a case's documents waiting for the agency's settings (shown on the case page)."""
    rows = session.exec(select(Outbox.notice_type).where(
        col(Outbox.case_kind) == case_kind, col(Outbox.case_id) == case_id, Outbox.status == OutboxStatus.HELD,
        Outbox.channel != "internal").order_by(col(Outbox.id))).all()
    return [CATALOG[t].title_zh if t in CATALOG else t for t in rows]
