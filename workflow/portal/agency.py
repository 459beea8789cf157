"""The agency of a portal page (``/gongkai/{code}``), read without a login: who it is, its settings and what its
application form prints of it. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from db.engine import read_session
from db.models import Agency, Disclosure, StoredFile
from workflow.agencies.config import AgencyConfig, agency_config
from workflow.cases.files import FileRef
from workflow.disclosure.context import KIND, agency_snapshot
from workflow.portal.submissions import agency_by_code
from workflow.runtime import Engine

NO_AGENCY = "没有这个机关的政府信息公开栏目，请检查网址"
NOT_APPLYING = "该机关已停用，不再受理新的政府信息公开申请"


@dataclass(frozen=True)
class PortalAgency:
    id: int
    code: str
    name: str
    cfg: AgencyConfig
    form_context: dict[str, Any]  # the ``agency`` part of the blank application form (missing settings named)
    active: bool = True  # a deactivated agency takes no new applications (its guide and look-up still answer)


def refusal(agency: PortalAgency | None, *, applying: bool) -> str | None:
    """Why the portal answers 404 for this agency: there is none such; or, for a new application (the form, a
    challenge, a submission), it is deactivated — it takes no new cases. None when it answers."""
    if agency is None:
        return NO_AGENCY
    return NOT_APPLYING if applying and not agency.active else None


def portal_agency(engine: Engine, code: str | None, default_code: str) -> PortalAgency | None:
    """The agency with ``code``, or (None) the instance's default agency — ``default_code``, else the first one."""
    with read_session(engine) as s:
        if code is None:
            agency = agency_by_code(s, default_code) or s.exec(select(Agency).order_by(col(Agency.id))).first()
        else:
            agency = agency_by_code(s, code)
    if agency is None or agency.id is None:
        return None
    cfg = agency_config(agency)
    return PortalAgency(agency.id, agency.code, agency.name, cfg, agency_snapshot(agency, cfg), agency.active)


def linked_files(engine: Engine, agency_id: int, case_id: int) -> list[FileRef] | None:
    """The files of a reply marked for the applicant, which a download link lists (条例第四十条); None when the
    case is not this agency's."""
    with read_session(engine) as s:
        row = s.get(Disclosure, case_id)
        if row is None or row.agency_id != agency_id:
            return None
        return [FileRef.of(f) for f in s.exec(select(StoredFile).where(
            StoredFile.case_kind == KIND, StoredFile.case_id == case_id, StoredFile.category == "reply_info",
            col(StoredFile.for_applicant).is_(True)).order_by(col(StoredFile.id))).all()]
