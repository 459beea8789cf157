"""Documents of a case that are on their way: outbox rows not yet delivered whose notice leaves a stored file.

The case pages show them as "生成中" and refresh until they are stored, so the page after an action never
says there are no documents while the action's documents are being rendered.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from db.models import Outbox
from notifications.catalog import CATALOG
from states.vocab import OutboxStatus

_FILED = ("pdf", "docx")


def pending_documents(session: Session, case_kind: str, case_id: int) -> list[str]:
    """Titles of the documents the outbox will still store for this case (oldest first)."""
    rows = session.exec(select(Outbox.notice_type, Outbox.channel).where(
        col(Outbox.case_kind) == case_kind, col(Outbox.case_id) == case_id,
        col(Outbox.status).in_((OutboxStatus.PENDING, OutboxStatus.SENDING))).order_by(col(Outbox.id))).all()
    titles = []
    for notice_type, channel in rows:
        spec = CATALOG.get(notice_type)
        if spec is None or channel == "internal" or not any(f in spec.formats for f in _FILED):
            continue
        titles.append(spec.title_zh)
    return titles
