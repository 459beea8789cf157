"""Reading a case's stored files under the one policy: only those who see the case in full (states.policy)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from db.engine import read_session
from db.models import StoredFile
from states.policy import Sight
from workflow.accounts.principal import Principal
from workflow.cases.engine import case_sight, load_for_reading
from workflow.cases.kind import CaseKind
from workflow.errors import Forbidden, NotFound
from workflow.runtime import Engine


@dataclass(frozen=True)
class FileRef:
    """A stored file as a page serves it (detached from the database): its name, type, size and content hash."""

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str

    @classmethod
    def of(cls, f: StoredFile) -> FileRef:
        assert f.id is not None
        return cls(f.id, f.filename, f.content_type, f.size, f.sha256)


def case_file(session: Session, kind: CaseKind, case_id: int, file_id: int, actor: Principal) -> StoredFile:
    """A file of the case, if the actor may read it: NotFound for another case's or a missing file."""
    if not reads_files(session, kind, case_id, actor):
        raise Forbidden(f"您无权查看该{kind.noun}的材料")
    f = session.get(StoredFile, file_id)
    if f is None or f.case_kind != kind.name or f.case_id != case_id:
        raise NotFound("文件")
    return f


def reads_files(session: Session, kind: CaseKind, case_id: int, actor: Principal) -> bool:
    """Whether ``actor`` may open the case's files (``case_file``'s rule): a page lists them, with their links, only
    then — a supervisor looks at the case, not at its material."""
    return load_for_reading(session, kind, case_id, actor)[1] == Sight.FULL


def readable_file(engine: Engine, kind: CaseKind, case_id: int, file_id: int, actor: Principal) -> FileRef:
    """``case_file`` in its own read session, for the pages."""
    with read_session(engine) as s:
        return FileRef.of(case_file(s, kind, case_id, file_id, actor))


def may_attach(actor: Principal, row: Any) -> bool:
    """Staff who see the case in full may attach to it (front desk, leaders, the assigned officer)."""
    return actor.kind == "staff" and case_sight(actor, row) == Sight.FULL
