"""Files of a 12345 work order: attachments uploaded by staff (e.g. to send with the reply) and the order's
documents (the reply sheet and the caller's text, rendered from the outbox). Uploads are checked by
content and size (``workflow.cases.attachments.check_upload``) and recorded in the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from db.models import StoredFile, WorkOrder
from settings import Settings
from states.vocab import CaseKindName
from workflow.accounts.principal import Principal
from workflow.cases.attachments import Attached, attach_file

KIND = CaseKindName.WORKORDER
CATEGORIES = {
    "reply_attachment": ("办理结果附件", False),
    "other": ("其他材料", False),
}


def attach_to_workorder(engine: Engine, order_id: int, *, data: bytes, filename: str, category: str,
                        actor: Principal, now: datetime, settings: Settings) -> Attached:
    """Store an attachment and record it on the order, in one transaction."""
    return attach_file(engine, WorkOrder, KIND, "工单", CATEGORIES, order_id, data=data, filename=filename,
                       category=category, actor=actor, now=now, settings=settings)


def order_files(session: Session, order_id: int) -> list[dict[str, Any]]:
    files = session.exec(select(StoredFile).where(StoredFile.case_kind == KIND, StoredFile.case_id == order_id)
                         .order_by(col(StoredFile.id))).all()
    return [{"id": f.id, "category": f.category, "notice_type": f.notice_type, "filename": f.filename,
             "content_type": f.content_type, "size": f.size, "created_at": f.created_at.isoformat()} for f in files]
