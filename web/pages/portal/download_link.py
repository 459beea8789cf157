"""The download link of a reply whose information was too large to attach (条例第四十条): a signed, dated
path (workflow.disclosure.download_links) listing the files marked for the applicant, until its last day."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import escape

from notifications.files import file_path
from web.pages.common import now
from web.pages.portal.common import portal_agency
from web.pages.session import PageError, app_engine, app_settings
from workflow.cases.files import FileRef
from workflow.disclosure.download_links import link_valid
from workflow.portal.agency import linked_files
from workflow.timesource import local_date

router = APIRouter(include_in_schema=False)
EXPIRED = "下载链接无效或已过期。请凭登记编号和查询码在本机关政府信息公开查询页面下载，或者联系承办机关。"


def _files(request: Request, code: str, case_id: int, until: str, token: str) -> list[FileRef]:
    agency, cfg = portal_agency(request, code)
    try:
        last = date.fromisoformat(until)
    except ValueError:
        raise PageError(404, EXPIRED) from None
    if not link_valid(case_id, last, token, local_date(now(request), cfg.timezone),
                      app_settings(request).resolved_secret_key()):
        raise PageError(404, EXPIRED)
    files = linked_files(app_engine(request), agency.id, case_id)
    if files is None:  # another agency's case
        raise PageError(404, EXPIRED)
    return files


@router.get("/gongkai/{code}/xiazai/{case_id}/{until}/{token}")
def listing(request: Request, code: str, case_id: int, until: str, token: str) -> Response:
    files = _files(request, code, case_id, until, token)
    base = request.url.path.rstrip("/")
    items = "".join(f'<li><a href="{escape(base)}/{escape(quote(str(f.id)))}">{escape(f.filename)}</a>（{f.size / 1024 / 1024:.1f}MB）</li>'
                    for f in files)
    return HTMLResponse(f'<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>政府信息下载</title>'
                        f'<body><h1>政府信息下载</h1><p>本链接有效期至{escape(until)}。</p><ul>{items}</ul></body></html>',
                        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})


@router.get("/gongkai/{code}/xiazai/{case_id}/{until}/{token}/{file_id}")
def download(request: Request, code: str, case_id: int, until: str, token: str, file_id: int) -> Response:
    f = next((f for f in _files(request, code, case_id, until, token) if f.id == file_id), None)
    path = file_path(f.sha256, app_settings(request).files_path) if f else None
    if f is None or path is None or not path.exists():
        raise PageError(404, EXPIRED)
    return FileResponse(path, media_type=f.content_type, filename=f.filename, content_disposition_type="attachment",
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
