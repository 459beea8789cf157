"""Disclosure application endpoints: register, list, detail, actions, fee preview."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from db.engine import read_session
from db.models import Agency, Disclosure, StoredFile
from notifications.files import file_path
from states.fees import quote_items, quote_pages
from states.roles import Role
from web.concurrency import group_commit, run_write
from web.deps import EngineDep, NowDep, PrincipalDep, SettingsDep
from web.errors import ApiError
from workflow.agencies.config import agency_config
from workflow.calendar.service import agency_calendar
from workflow.cases.attachments import attach_to_disclosure
from workflow.disclosure import actions as wf
from workflow.disclosure.context import Ctx
from workflow.disclosure.handlers import prior_items
from workflow.disclosure.payloads import RegisterIn
from workflow.disclosure.queries import ListFilter, get_detail, list_disclosures

router = APIRouter(prefix="/api/disclosures", tags=["disclosures"])

FULL_DATA_ROLES = (Role.FRONT_DESK, Role.OFFICER, Role.LEADER)


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expected_version: int | None = Field(None, description="读取时的版本号；不一致则返回409")
    payload: dict[str, Any] = Field(default_factory=dict)


class RegisteredOut(BaseModel):
    id: int
    tracking_no: str = Field(description="受理编号，如 依申〔2026〕0001号")
    query_code: str = Field(description="查询码（只显示这一次；库中只存其散列）")
    state: str
    version: int
    receipt_date: str = Field(description="法定收到日期（条例第三十一条），YYYY-MM-DD")


@router.post("", status_code=201, summary="登记政府信息公开申请", response_model=RegisteredOut)
async def register(request: Request, data: RegisterIn, now: NowDep, actor: PrincipalDep) -> JSONResponse:
    # Group commit: registrations arriving together share one transaction (each all-or-nothing).
    r: wf.Registered = await group_commit(request, "registrations", (data, actor, now))
    # The front desk's hot path: the response is built directly (the schema above documents it).
    return JSONResponse({"id": r.id, "tracking_no": r.tracking_no, "query_code": r.query_code, "state": r.state,
                         "version": r.version, "receipt_date": r.receipt_date}, status_code=201)


@router.get("", summary="申请列表（服务端筛选，键集分页）")
def list_(engine: EngineDep, now: NowDep, actor: PrincipalDep,
          state: Annotated[list[str] | None, Query()] = None, assignee: int | None = None,
          due_before: datetime | None = None, due_after: datetime | None = None, overdue: bool | None = None,
          applicant: str | None = None, text: str | None = None, agency_id: int | None = None,
          open_only: bool = False, limit: Annotated[int, Query(ge=1, le=200)] = 50,
          cursor: str | None = None) -> dict[str, Any]:
    f = ListFilter(state=state, assignee_id=assignee, due_before=due_before, due_after=due_after, overdue=overdue,
                   applicant=applicant, text=text, agency_id=agency_id, open_only=open_only)
    with read_session(engine) as s:
        items, nxt = list_disclosures(s, actor, f, now=now, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": nxt}


@router.get("/{case_id}", summary="申请详情（含期限说明、可执行操作、办理记录）")
def detail(case_id: int, engine: EngineDep, now: NowDep, actor: PrincipalDep) -> dict[str, Any]:
    with read_session(engine) as s:
        return get_detail(s, case_id, actor, now=now, full_personal_data=actor.has(*FULL_DATA_ROLES))


@router.post("/{case_id}/actions/{action}", summary="执行操作（一次一个事务）")
async def act(request: Request, case_id: int, action: str, body: ActionIn, engine: EngineDep, now: NowDep,
              actor: PrincipalDep) -> dict[str, Any]:
    r = await run_write(request, wf.act, engine, case_id, action, body.payload, actor, now, body.expected_version)
    return {"id": r.id, "state": r.state, "version": r.version, "allowed_actions": r.allowed_actions,
            "result": r.result}


@router.get("/{case_id}/fee-preview", summary="信息处理费预览（国办函〔2020〕109号）")
def fee_preview(case_id: int, method: Literal["item", "page"], quantity: Annotated[int, Query(ge=1, le=1_000_000)],
                engine: EngineDep, now: NowDep, actor: PrincipalDep) -> dict[str, Any]:
    with read_session(engine) as s:
        row = s.get(Disclosure, case_id)
        if row is None or not actor.can_see_agency(row.agency_id):
            raise ApiError(404, "not_found", "申请不存在")
        if method == "page":
            return quote_pages(quantity).to_dict()
        agency = s.get(Agency, row.agency_id)
        assert agency is not None
        ctx = Ctx(s, row, agency, agency_config(agency), agency_calendar(s, agency), actor, now)
        return quote_items(prior_items(ctx), quantity).to_dict()


@router.post("/{case_id}/files", status_code=201, summary="上传材料（按内容识别类型，限大小）")
async def upload(case_id: int, engine: EngineDep, now: NowDep, actor: PrincipalDep, settings: SettingsDep,
                 file: Annotated[UploadFile, File(description="PDF/JPG/PNG/DOCX")],
                 category: Annotated[str, Form()] = "application") -> dict[str, Any]:
    data = await file.read(settings.max_upload_bytes + 1)
    a = await run_in_threadpool(attach_to_disclosure, engine, case_id, data=data, filename=file.filename or "",
                                category=category, actor=actor, now=now, settings=settings)
    return {"id": a.id, "sha256": a.sha256, "size": a.size, "content_type": a.content_type}


@router.get("/{case_id}/files/{file_id}", summary="下载案件材料或文书")
def download(case_id: int, file_id: int, engine: EngineDep, actor: PrincipalDep,
             settings: SettingsDep) -> FileResponse:
    with read_session(engine) as s:
        row = s.get(Disclosure, case_id)
        f = s.get(StoredFile, file_id)
        if row is None or f is None or not actor.can_see_agency(row.agency_id) or f.case_kind != "disclosure" \
                or f.case_id != case_id:
            raise ApiError(404, "not_found", "文件不存在")
    return FileResponse(file_path(f.sha256, settings.files_path), media_type=f.content_type, filename=f.filename,
                        content_disposition_type="attachment", headers={"X-Content-Type-Options": "nosniff"})
