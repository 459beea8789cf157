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
from web.api.schemas import ANY_FILE, ERRORS, ApiOut, file_answer
from web.deps import EngineDep, SettingsDep, check_lookup
from web.errors import ApiError
from workflow.inputs import Clean
from workflow.portal.lookup import applicant_document, public_status
from workflow.runtime import Engine

router = APIRouter(prefix="/api/public", tags=["public"], responses=ERRORS)

NOT_FOUND = "未找到该申请：请核对受理编号和查询码"
DOCUMENT = file_answer("文书文件（PDF 或 DOCX）", ANY_FILE)


def _limit(request: Request, number: str) -> None:
    # Per IP: 20 look-ups a minute; per tracking number: 10 a minute (guessing a code is hopeless anyway). Over
    # either: 429 with Retry-After.
    check_lookup(request, number)


class LookupIn(Clean):
    """What the applicant has: the tracking number and the query code (in the body, never in a URL that
    proxies, browsers and logs keep)."""

    model_config = ConfigDict(extra="forbid")
    tracking_no: str = Field(min_length=1, max_length=64, description="受理编号")
    query_code: str = Field(min_length=1, max_length=64, description="查询码")


class PublicDocumentOut(ApiOut):
    """寄给申请人的文书（下载：POST /api/public/files/{id}）"""

    id: int
    filename: str
    notice_type: str | None = Field(description="文书种类代码")
    size: int = Field(description="字节数")
    created_at: str


class ApplicantUploadOut(ApiOut):
    """申请人网上提交的材料"""

    at: str
    note: str
    files: list[str] = Field(description="文件名")


class PublicStatusOut(ApiOut):  # workflow.portal.lookup.public_view
    """申请人看到的办理进度"""

    agency: str = Field(description="机关名称")
    agency_code: str
    tracking_no: str | None = Field(description="受理编号（网上申请确认受理之前为 null）")
    submission_no: str | None = Field(description="网上申请编号")
    state: str = Field(description="状态代码")
    state_text: str = Field(description="办理进度（写给申请人的话）")
    submitted_at: str | None = Field(description="网上提交时间（其他渠道为 null）")
    receipt_date: str | None = Field(description="收到申请之日（条例第三十一条）")
    reply_due: str | None = Field(description="答复期限（等待补正时为 null：补正后重新计算）")
    reply_due_provisional: bool
    reply_clock_paused: bool = Field(description="答复期限暂停计算（征求意见、等待缴费）")
    reply_clock_note: str | None = Field(description="答复期限为何不是简单地在计算中")
    extended: bool
    extension_days: int
    correction_due: str | None = Field(description="补正期限")
    fee_due: str | None = Field(description="缴费期限")
    fee_amount: int | None = Field(description="信息处理费（元）")
    replied_on: str | None = Field(description="答复日期")
    decision: str | None = Field(description="答复结果（如“予以公开”）")
    documents: list[PublicDocumentOut]
    can_withdraw: bool
    upload: str | None = Field(description="现在可以网上提交的材料：supplement 完善网上申请 / correction 补正")
    correction_items: list[str] = Field(description="补正事项")
    correction_guidance: str
    completion_message: str = Field(description="请申请人完善网上申请的说明")
    uploads: list[ApplicantUploadOut] = Field(description="申请人网上提交过的材料")


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


@router.post("/status", summary="申请人查询办理进度（受理编号 + 查询码，放在请求体中）", response_model=PublicStatusOut,
             response_description="办理进度")
def status(request: Request, engine: EngineDep, body: LookupIn) -> dict[str, Any]:
    return _status(request, engine, body.tracking_no, body.query_code)


@router.post("/files/{file_id}", summary="下载寄给申请人的文书（受理编号 + 查询码，放在请求体中）",
             response_class=Response, responses=DOCUMENT)
def download(request: Request, file_id: int, engine: EngineDep, settings: SettingsDep,
             body: LookupIn) -> FileResponse:
    return _file(request, engine, settings, file_id, body.tracking_no, body.query_code)


# The earlier form with the code in the query string: kept for existing clients, marked deprecated.
@router.get("/status", summary="（已弃用，请用 POST）申请人查询办理进度", deprecated=True,
            response_model=PublicStatusOut, response_description="办理进度")
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
