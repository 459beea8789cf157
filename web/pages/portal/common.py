"""Shared by the portal pages: the agency of a ``/gongkai/{code}`` URL, the portal's layout context."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request

from web.pages.session import PageError, app_engine, app_settings
from workflow.agencies.config import AgencyConfig
from workflow.portal.agency import NO_AGENCY, PortalAgency, refusal
from workflow.portal.agency import portal_agency as find_portal_agency


def portal_agency(request: Request, code: str | None, *,
                  applying: bool = False) -> tuple[PortalAgency, AgencyConfig]:
    """The agency named in the URL, or (``code`` None) the instance's default agency; else a 404 page — also, when
    ``applying`` (the application form), for a deactivated agency (workflow.portal.agency.refusal, as the API)."""
    agency = find_portal_agency(app_engine(request), code, app_settings(request).default_agency_code)
    why = refusal(agency, applying=applying)
    if agency is None or why is not None:
        raise PageError(404, why or NO_AGENCY)
    request.state.agency_name = agency.name
    return agency, agency.cfg


def portal_ctx(agency: PortalAgency, cfg: AgencyConfig, active: str) -> dict[str, Any]:
    """What the portal layout needs: the agency and the base of its URLs."""
    return {"code": agency.code, "name": agency.name, "office": cfg.office_name or agency.name,
            "base": "/gongkai/" + quote(agency.code, safe=""), "active": active}
