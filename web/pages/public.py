"""Applicants (no login): look up an application by tracking number + query code, download their documents.

Rate-limited per IP and per number; a wrong number and a wrong code give the same answer. The code
is posted (never put in a URL, so it stays out of logs and browser history).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from db.engine import read_session
from notifications.files import file_path
from web.pages.render import render
from web.pages.session import AnonForm, PageError, anon_csrf, app_engine, app_settings, form_str
from workflow.public import RateLimiter, can_download, lookup

router = APIRouter(include_in_schema=False)
NOT_FOUND = "未找到该申请：请核对受理编号和查询码"
TOO_MANY = "查询过于频繁，请稍后再试"


def _allowed(request: Request, number: str) -> bool:
    by_ip, by_number = request.app.state.lookup_limits
    ip = request.client.host if request.client else "unknown"
    limits: tuple[RateLimiter, RateLimiter] = (by_ip, by_number)
    return limits[0].allow("ip:" + ip) and limits[1].allow("no:" + number)


def _page(request: Request, ctx: dict[str, Any], status: int = 200) -> Response:
    request.state.user = None
    base: dict[str, Any] = {"tracking_no": "", "query_code": "", "error": "", "view": None}
    base.update(ctx)
    return render(request, "public/chaxun.html", base, status=status)


@router.get("/chaxun")
def lookup_form(request: Request) -> Response:
    anon_csrf(request)
    return _page(request, {})


@router.post("/chaxun")
def lookup_post(request: Request, form: AnonForm) -> Response:
    number, code = form_str(form, "tracking_no")[:64], form_str(form, "query_code")[:64]
    if not number or not code:
        return _page(request, {"tracking_no": number, "error": "请填写受理编号和查询码"}, status=422)
    if not _allowed(request, number):
        return _page(request, {"tracking_no": number, "error": TOO_MANY}, status=429)
    with read_session(app_engine(request)) as s:
        view = lookup(s, number, code)
    if view is None:
        return _page(request, {"tracking_no": number, "error": NOT_FOUND}, status=404)
    return _page(request, {"tracking_no": number, "query_code": code, "view": view})


@router.post("/chaxun/files/{file_id}")
def download(request: Request, file_id: int, form: AnonForm) -> Response:
    number, code = form_str(form, "tracking_no")[:64], form_str(form, "query_code")[:64]
    if not _allowed(request, number):
        raise PageError(429, TOO_MANY)
    with read_session(app_engine(request)) as s:
        f = can_download(s, number, code, file_id)
    if f is None:
        raise PageError(404, NOT_FOUND)
    path = file_path(f.sha256, app_settings(request).files_path)
    if not path.exists():
        raise PageError(404, "文件暂不可下载，请稍后再试或联系承办机关")
    return FileResponse(path, media_type=f.content_type, filename=f.filename, content_disposition_type="attachment")
