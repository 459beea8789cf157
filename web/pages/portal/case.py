"""Following a case in the portal (no login): the look-up of one agency, withdrawal, uploading a correction.

Every request carries the number and the query code (posted, never in a URL) and counts against the
look-up limits; a wrong number and a wrong code give the same answer as on ``/chaxun``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from web.deps import lookup_allowed
from web.pages.common import now
from web.pages.forms import errors_by_field
from web.pages.portal.common import portal_agency, portal_ctx
from web.pages.portal.lookup import TOO_MANY, lookup_page, lookup_post_page
from web.pages.session import AnonForm, AnonUploadForm, anon_csrf, app_engine, app_settings, form_str
from web.uploads import read_uploads
from workflow.errors import DomainValidation, InvalidTransition, NotFound, StaleVersion
from workflow.portal.lookup import NOT_FOUND, public_status
from workflow.portal.submissions import (
    FILES_FIELD,
    NOT_WITHDRAWABLE,
    applicant_upload,
    applicant_withdraw,
    withdrawn_message,
)

router = APIRouter(include_in_schema=False)


@router.get("/gongkai/{code}/chaxun")
def lookup_form(request: Request, code: str) -> Response:
    agency, cfg = portal_agency(request, code)
    anon_csrf(request)
    return lookup_page(request, {}, portal=portal_ctx(agency, cfg, "chaxun"))


@router.post("/gongkai/{code}/chaxun")
def lookup_post(request: Request, code: str, form: AnonForm) -> Response:
    agency, cfg = portal_agency(request, code)
    return lookup_post_page(request, form, agency.id, portal_ctx(agency, cfg, "chaxun"))


def _after(request: Request, agency_id: int | None, portal: dict[str, Any], number: str, code: str,
           ctx: dict[str, Any], status: int) -> Response:
    """The look-up page again, with the fresh state and a message or the form's errors."""
    view = public_status(app_engine(request), number, code, agency_id)
    if view is None:
        return lookup_page(request, {"tracking_no": number, "error": NOT_FOUND}, 404, portal)
    return lookup_page(request, {"tracking_no": number, "query_code": code, "view": view, **ctx}, status, portal)


def _keys(request: Request, form: FormData, portal: dict[str, Any]) -> tuple[str, str] | Response:
    """(number, code), or the page saying what is wrong (missing, or too many requests)."""
    number, code = form_str(form, "tracking_no")[:64], form_str(form, "query_code")[:64]
    if not number or not code:
        return lookup_page(request, {"tracking_no": number, "error": "请填写受理编号和查询码"}, 422, portal)
    if not lookup_allowed(request, number):
        return lookup_page(request, {"tracking_no": number, "error": TOO_MANY}, 429, portal)
    return number, code


@router.post("/gongkai/{code}/chaxun/chehui")
def withdraw(request: Request, code: str, form: AnonForm) -> Response:
    """撤回申请: before the reply; the page asks for confirmation (a checkbox, and a dialog with JavaScript)."""
    agency, cfg = portal_agency(request, code)
    portal = portal_ctx(agency, cfg, "chaxun")
    keys = _keys(request, form, portal)
    if isinstance(keys, Response):
        return keys
    number, qcode = keys
    if form_str(form, "confirm") != "yes":
        return _after(request, agency.id, portal, number, qcode,
                      {"errors": {"confirm": ["请勾选确认撤回"]}, "values": {"reason": form_str(form, "reason")}}, 422)
    try:
        done = applicant_withdraw(app_engine(request), number, qcode, reason=form_str(form, "reason"),
                                  now=now(request), agency_id=agency.id)
    except NotFound:
        return lookup_page(request, {"tracking_no": number, "error": NOT_FOUND}, 404, portal)
    except (InvalidTransition, StaleVersion):
        return _after(request, agency.id, portal, number, qcode,
                      {"error": NOT_WITHDRAWABLE}, 409)
    except DomainValidation as exc:
        return _after(request, agency.id, portal, number, qcode, {"errors": errors_by_field(exc)}, 422)
    return _after(request, agency.id, portal, number, qcode, {"message": withdrawn_message(done)}, 200)


@router.post("/gongkai/{code}/chaxun/buzheng")
def upload(request: Request, code: str, form: AnonUploadForm) -> Response:
    """补正 (awaiting correction) or 补充 (an unconfirmed submission): stored, the case keeps its state."""
    agency, cfg = portal_agency(request, code)
    portal = portal_ctx(agency, cfg, "chaxun")
    keys = _keys(request, form, portal)
    if isinstance(keys, Response):
        return keys
    number, qcode = keys
    settings = app_settings(request)
    note = form_str(form, "note")
    try:
        sent = applicant_upload(app_engine(request), number, qcode,
                                read_uploads(form.getlist(FILES_FIELD), settings.max_upload_bytes), note,
                                now=now(request), settings=settings, agency_id=agency.id)
    except NotFound:
        return lookup_page(request, {"tracking_no": number, "error": NOT_FOUND}, 404, portal)
    except InvalidTransition as exc:
        return _after(request, agency.id, portal, number, qcode, {"error": exc.message}, 409)
    except DomainValidation as exc:
        return _after(request, agency.id, portal, number, qcode,
                      {"errors": errors_by_field(exc), "values": {"note": note}}, 422)
    return _after(request, agency.id, portal, number, qcode, {"message": sent.message}, 200)
