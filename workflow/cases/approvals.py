"""Requests waiting for a decision (待审批), as a clerk reads them on the case and in lists. Read-only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from db.engine import read_session
from db.models import ApprovalRequest
from states.vocab import ApprovalStatus
from states.wording import PENDING_APPROVALS, PENDING_OTHER
from workflow.runtime import Engine


def pending_label(case_kind: str, kind: str) -> str:
    return PENDING_APPROVALS.get((case_kind, kind), PENDING_OTHER)


def pending_by_case(session: Session, case_kind: str, case_ids: Iterable[int]) -> dict[int, list[str]]:
    """Case id → the markers of its pending requests (one query for a page of a list)."""
    ids = list(case_ids)
    if not ids:
        return {}
    rows = session.exec(select(ApprovalRequest.case_id, ApprovalRequest.kind).where(
        col(ApprovalRequest.case_kind) == case_kind, col(ApprovalRequest.case_id).in_(ids),
        col(ApprovalRequest.status) == ApprovalStatus.PENDING)).all()
    out: dict[int, list[str]] = {}
    for case_id, kind in rows:
        out.setdefault(int(case_id), []).append(pending_label(case_kind, kind))
    return out


@dataclass(frozen=True)
class Approval:
    id: int
    case_kind: str
    case_id: int
    kind: str  # "extension"
    status: str  # pending | approved | denied


def approval_of(engine: Engine, approval_id: int, *, agency_id: int) -> Approval | None:
    """The request ``approval_id`` of ``agency_id`` (None: no such request in that agency)."""
    with read_session(engine) as s:
        r = s.get(ApprovalRequest, approval_id)
    if r is None or r.agency_id != agency_id:
        return None
    return Approval(r.id or 0, r.case_kind, r.case_id, r.kind, r.status)
