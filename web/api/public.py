"""Public, unauthenticated endpoints for applicants: status look-up and their documents (rate-limited).

The tracking number and query code travel in the body (``POST /api/public/status``, ``POST
/api/public/files/{id}``); the earlier GET forms with both in the query string still answer, marked deprecated
in the API description."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import ConfigDict, Field

from notifications.files import existing_file
from settings import Settings
from web.api.schemas import ANY_FILE, file_answer
from web.deps import EngineDep, SettingsDep, lookup_allowed
from web.errors import ApiError
from workflow.inputs import Clean
from workflow.portal.lookup import applicant_document, public_status
from workflow.runtime import Engine

router = APIRouter(prefix="/api/public", tags=["public"])

NOT_FOUND = "未找到该申请：请核对受理编号和查询码"
DOCUMENT = file_answer("文书文件（PDF 或 DOCX）", ANY_FILE)


def _limit(request: Request, number: str) -> None:
    # Per IP: 20 look-ups a minute; per tracking number: 10 a minute (guessing a code is hopeless anyway).
    if not lookup_allowed(request, number):
        raise ApiError(429, "rate_limited", "查询过于频繁，请稍后再试")


class LookupIn(Clean):
    """What the applicant has: the tracking number and the query code (in the body, never in a URL that
    proxies, browsers and logs keep)."""

    model_config = ConfigDict(extra="forbid")
    tracking_no: str = Field(min_length=1, max_length=64, description="受理编号")
    query_code: str = Field(min_length=1, max_length=64, description="查询码")


def _status(request: Request, engine: Engine, tracking_no: str, query_code: str) -> dict[str, Any]:
    _limit(request, tracking_no)
    view = public_status(engine, tracking_no, query_code)
    if view is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return view


def _file(request: Request, engine: Engine, settings: Settings, file_id: int, tracking_no: str,
          query_code: str) -> FileResponse:
    _limit(request, tracking_no)
    f = applicant_document(engine, tracking_no, query_code, file_id)
    path = existing_file(f.sha256, settings.files_path) if f is not None else None
    if f is None or path is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return FileResponse(path, media_type=f.content_type, filename=f.filename,
                        content_disposition_type="attachment",
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


@router.post("/status", summary="申请人查询办理进度（受理编号 + 查询码，放在请求体中）")
def status(request: Request, engine: EngineDep, body: LookupIn) -> dict[str, Any]:
    return _status(request, engine, body.tracking_no, body.query_code)


@router.post("/files/{file_id}", summary="下载寄给申请人的文书（受理编号 + 查询码，放在请求体中）",
             response_class=Response, responses=DOCUMENT)
def download(request: Request, file_id: int, engine: EngineDep, settings: SettingsDep,
             body: LookupIn) -> FileResponse:
    return _file(request, engine, settings, file_id, body.tracking_no, body.query_code)


# The earlier form with the code in the query string: kept for existing clients, marked deprecated.
@router.get("/status", summary="（已弃用，请用 POST）申请人查询办理进度", deprecated=True)
def status_by_query(request: Request, engine: EngineDep,
                    tracking_no: Annotated[str, Query(min_length=1, max_length=64)],
                    query_code: Annotated[str, Query(min_length=1, max_length=64)]) -> dict[str, Any]:
    return _status(request, engine, tracking_no, query_code)


@router.get("/files/{file_id}", summary="（已弃用，请用 POST）下载寄给申请人的文书", deprecated=True,
            response_class=Response, responses=DOCUMENT)
def download_by_query(request: Request, file_id: int, engine: EngineDep, settings: SettingsDep,
                      tracking_no: Annotated[str, Query(min_length=1, max_length=64)],
                      query_code: Annotated[str, Query(min_length=1, max_length=64)]) -> FileResponse:
    return _file(request, engine, settings, file_id, tracking_no, query_code)
