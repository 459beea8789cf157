"""Files of a 12345 work order: attachments uploaded by staff (e.g. to send with the reply) and the order's
documents (the reply sheet and the caller's text, rendered from the outbox). Uploads are checked by
content and size (``workflow.attachments.check_upload``) and recorded in the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from db.engine import write_session
from db.models import StoredFile, WorkOrder
from notifications.files import store_file
from settings import Settings
from states.roles import Role
from workflow.attachments import Attached, check_upload
from workflow.audit import append_event
from workflow.errors import DomainValidation, InvalidTransition, NotFound
from workflow.principal import Principal

KIND = "workorder"
CATEGORIES = {
    "reply_attachment": ("办理结果附件", False),
    "other": ("其他材料", False),
}


def may_attach(actor: Principal, row: WorkOrder) -> bool:
    return actor.has(Role.FRONT_DESK, Role.LEADER) or (actor.has(Role.OFFICER) and row.assignee_id == actor.id)


def attach_to_workorder(engine: Engine, order_id: int, *, data: bytes, filename: str, category: str,
                        actor: Principal, now: datetime, settings: Settings) -> Attached:
    """Store an attachment and record it on the order, in one transaction."""
    if category not in CATEGORIES:
        raise DomainValidation.one("category", "invalid_category", "材料类别无效，可选：" + "、".join(
            label for label, _ in CATEGORIES.values()))
    ctype = check_upload(data, filename, settings)
    with write_session(engine) as s:
        row = s.exec(select(WorkOrder).where(WorkOrder.id == order_id).with_for_update()).first()
        if row is None or not actor.can_see_agency(row.agency_id):
            raise NotFound("工单")
        if not may_attach(actor, row):
            raise InvalidTransition("您没有为该工单上传材料的权限", [], "forbidden")
        label, _ = CATEGORIES[category]
        f = store_file(s, data, agency_id=row.agency_id, filename=filename.strip(), content_type=ctype,
                       category=category, now=now, case_kind=KIND, case_id=order_id, for_applicant=False,
                       created_by=actor.id, root=settings.files_path)
        s.flush()
        append_event(s, agency_id=row.agency_id, case_kind=KIND, case_id=order_id, actor=actor, action="attach",
                     from_state=row.state, to_state=row.state, now=now,
                     payload={"file_id": f.id, "filename": f.filename, "category": category, "label": label,
                              "sha256": f.sha256, "size": f.size})
        s.commit()
        assert f.id is not None
        return Attached(f.id, f.sha256, f.size, ctype)


def order_files(session: Session, order_id: int) -> list[dict[str, Any]]:
    files = session.exec(select(StoredFile).where(StoredFile.case_kind == KIND, StoredFile.case_id == order_id)
                         .order_by(col(StoredFile.id))).all()
    return [{"id": f.id, "category": f.category, "notice_type": f.notice_type, "filename": f.filename,
             "content_type": f.content_type, "size": f.size, "created_at": f.created_at.isoformat()} for f in files]
