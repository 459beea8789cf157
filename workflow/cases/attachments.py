"""Attachments to a case: scans of the application, corrections received, information provided.

Files are type-checked by their content (magic bytes), never by name; size-limited; stored
content-addressed outside any web root; recorded in the case's audit trail in the same transaction.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from db.engine import write_session
from db.models import Disclosure
from notifications.files import store_file
from settings import Settings
from states.inputs import has_control
from states.vocab import CaseKindName
from workflow.accounts.principal import Principal
from workflow.cases.audit import append_event
from workflow.cases.files import may_attach
from workflow.errors import DomainValidation, InvalidTransition, NotFound

CATEGORIES = {
    "application": ("申请材料扫描件", False),
    "correction": ("补正材料", False),
    "reply_info": ("答复提供的政府信息", True),  # downloadable by the applicant
    "other": ("其他材料", False),
}
UNREADABLE = "\ufffd"  # a name's bytes that were not UTF-8, as web.uploads.sent_filename reads them
BAD_FILENAME = "文件名无效（不能为空、不超过200个字符，不能含有 / \\ 或控制字符，须为UTF-8编码的文字）"
TYPE_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX"}


def sniff(data: bytes) -> str | None:
    """The content type by magic bytes (PDF, JPEG, PNG, DOCX), or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return None


def check_upload(data: bytes, filename: str, settings: Settings) -> str:
    """The verified content type, or DomainValidation with a Chinese message."""
    if not data:
        raise DomainValidation.one("file", "empty_file", "文件为空")
    if len(data) > settings.max_upload_bytes:
        mb = settings.max_upload_bytes // (1024 * 1024)
        raise DomainValidation.one("file", "file_too_large", f"文件不能超过 {mb} MB")
    ctype = sniff(data)
    if ctype is None or ctype not in settings.allowed_upload_types:
        allowed = "、".join(TYPE_LABELS.get(t, t) for t in settings.allowed_upload_types)
        raise DomainValidation.one("file", "file_type_not_allowed", f"文件类型不受支持，仅接受 {allowed}（按文件内容识别）")
    check_filename(filename)
    return ctype


def filename_ok(name: str) -> bool:
    """A name to store, list and serve a file under: not blank, at most 200 characters, no path separator, no control
    character (NUL, a bell, a line break…), and nothing that was not UTF-8 text (read as U+FFFD, web.uploads)."""
    return (bool(name.strip()) and len(name) <= 200 and not any(c in name for c in "/\\" + UNREADABLE)
            and not has_control(name))


def check_filename(name: str, field: str = "file") -> None:
    """DomainValidation at ``field`` unless ``filename_ok(name)``: every upload — attachments, the portal's files,
    imports, holiday notices — takes names by this one rule."""
    if not filename_ok(name):
        raise DomainValidation.one(field, "bad_filename", BAD_FILENAME)


@dataclass(frozen=True)
class Attached:
    id: int
    sha256: str
    size: int
    content_type: str


def attach_to_disclosure(engine: Engine, case_id: int, *, data: bytes, filename: str, category: str,
                         actor: Principal, now: datetime, settings: Settings) -> Attached:
    """Store an attachment and record it on the application, in one transaction."""
    return attach_file(engine, Disclosure, CaseKindName.DISCLOSURE, "申请", CATEGORIES, case_id, data=data, filename=filename,
                       category=category, actor=actor, now=now, settings=settings)


def attach_file(engine: Engine, model: Any, case_kind: str, noun: str, categories: dict[str, tuple[str, bool]],
                case_id: int, *, data: bytes, filename: str, category: str, actor: Principal, now: datetime,
                settings: Settings) -> Attached:
    """Store an attachment on a case of ``model`` (Disclosure, WorkOrder) and record it in the audit trail, in one
    transaction. ``categories``: category → (label, downloadable by the applicant)."""
    if category not in categories:
        raise DomainValidation.one("category", "invalid_category", "材料类别无效，可选：" + "、".join(
            label for label, _ in categories.values()))
    ctype = check_upload(data, filename, settings)
    with write_session(engine) as s:
        row = s.exec(select(model).where(model.id == case_id).with_for_update()).first()
        if row is None or not actor.can_see_agency(row.agency_id):
            raise NotFound(noun)
        if not may_attach(actor, row):
            raise InvalidTransition(f"您没有为该{noun}上传材料的权限", [], "forbidden")
        label, for_applicant = categories[category]
        f = store_file(s, data, agency_id=row.agency_id, filename=filename.strip(), content_type=ctype,
                       category=category, now=now, case_kind=case_kind, case_id=case_id,
                       for_applicant=for_applicant, created_by=actor.id, root=settings.files_path)
        s.flush()
        append_event(s, agency_id=row.agency_id, case_kind=case_kind, case_id=case_id, actor=actor,
                     action="attach", from_state=row.state, to_state=row.state, now=now,
                     payload={"file_id": f.id, "filename": f.filename, "category": category, "label": label,
                              "sha256": f.sha256, "size": f.size})
        s.commit()
        assert f.id is not None
        return Attached(f.id, f.sha256, f.size, ctype)
