"""Applicants (no login): look up an application by tracking number + query code, download their documents.

Rate-limited per IP and per number; a wrong number and a wrong code give the same answer. The code
is posted (never put in a URL, so it stays out of logs and browser history). ``/chaxun`` searches every
agency; the portal's ``/gongkai/{code}/chaxun`` (web.pages.portal.case) one agency, with the same page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import FormData

from notifications.files import file_path
from web.deps import lookup_allowed
from web.pages.render import render
from web.pages.session import AnonForm, PageError, anon_csrf, app_engine, app_settings, form_str
from workflow.portal.lookup import NOT_FOUND, applicant_document, public_status
from workflow.portal.rate_limits import LOOKUP_REFUSED

router = APIRouter(include_in_schema=False)
TOO_MANY = LOOKUP_REFUSED


def lookup_page(request: Request, ctx: dict[str, Any], status: int = 200,
                portal: dict[str, Any] | None = None) -> Response:
    """The look-up page (plain at /chaxun, inside the agency's portal when ``portal`` is given)."""
    request.state.user = None
    base: dict[str, Any] = {"tracking_no": "", "query_code": "", "error": "", "view": None, "message": "",
                            "errors": {}, "values": {}, "portal": portal,
                            "layout": "portal/_layout.html" if portal else "base.html",
                            "action": portal["base"] + "/chaxun" if portal else "/chaxun"}
    base.update(ctx)
    return render(request, "public/chaxun.html", base, status=status)


def lookup_post_page(request: Request, form: FormData, agency_id: int | None,
                     portal: dict[str, Any] | None) -> Response:
    """Look up the posted number and code (within ``agency_id`` when given) and show the result."""
    number, code = form_str(form, "tracking_no")[:64], form_str(form, "query_code")[:64]
    if not number or not code:
        return lookup_page(request, {"tracking_no": number, "error": "请填写受理编号和查询码"}, 422, portal)
    if not lookup_allowed(request, number):
        return lookup_page(request, {"tracking_no": number, "error": TOO_MANY}, 429, portal)
    view = public_status(app_engine(request), number, code, agency_id)
    if view is None:
        return lookup_page(request, {"tracking_no": number, "error": NOT_FOUND}, 404, portal)
    return lookup_page(request, {"tracking_no": number, "query_code": code, "view": view}, 200, portal)


@router.get("/chaxun")
def lookup_form(request: Request) -> Response:
    anon_csrf(request)
    return lookup_page(request, {})


@router.post("/chaxun")
def lookup_post(request: Request, form: AnonForm) -> Response:
    return lookup_post_page(request, form, None, None)


@router.post("/chaxun/files/{file_id}")
def download(request: Request, file_id: int, form: AnonForm) -> Response:
    """A document addressed to the applicant: always an attachment, never sniffed or rendered inline."""
    number, code = form_str(form, "tracking_no")[:64], form_str(form, "query_code")[:64]
    if not lookup_allowed(request, number):
        raise PageError(429, TOO_MANY)
    f = applicant_document(app_engine(request), number, code, file_id)
    if f is None:
        raise PageError(404, NOT_FOUND)
    path = file_path(f.sha256, app_settings(request).files_path)
    if not path.exists():
        raise PageError(404, "文件暂不可下载，请稍后再试或联系承办机关")
    return FileResponse(path, media_type=f.content_type, filename=f.filename, content_disposition_type="attachment",
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
