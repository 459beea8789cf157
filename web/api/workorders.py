"""12345 work-order endpoints: idempotent intake, list, detail, actions, batch import, reply export."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from pydantic import ConfigDict, Field

from states.roles import Role
from web.api.cases import case_router
from web.api.imports import (
    JOB_DESCRIPTION,
    PROBLEM_LIST,
    ImportReportBase,
    ImportStartedOut,
    ImportStatusBase,
    ProblemFormat,
    job_status,
    problem_file,
    run_import,
)
from web.api.list_params import MonthParam, PendingParam, UnitParam
from web.api.schemas import (
    ERRORS,
    ActionRef,
    ApiOut,
    ApprovalOut,
    AssigneeRef,
    ClockOut,
    DueAfter,
    DueBefore,
    EventOut,
    ListedCaseOut,
    UnavailableAction,
    file_answer,
)
from web.concurrency import run_write
from web.deps import EngineDep, NowDep, PrincipalDep, SettingsDep
from web.errors import ApiError
from web.import_kinds import HOTLINE_IMPORT
from workflow.hotline import actions as wf
from workflow.hotline.actions import check_intake_actor
from workflow.hotline.files import CATEGORIES as UPLOAD_CATEGORIES
from workflow.hotline.kind import HOTLINE
from workflow.hotline.mapping import load_mapping
from workflow.hotline.queries import (
    ExportWindowError,
    ListFilter,
    export_replies,
    export_window,
    get_detail,
    workorder_list,
)
from workflow.inputs import DIGITS, MULTI, Clean

router = APIRouter(prefix="/api/workorders", tags=["workorders"], responses=ERRORS)

EXPORT_ROLES = (Role.FRONT_DESK, Role.LEADER, Role.ADMIN)
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "jsonl": "application/x-ndjson; charset=utf-8"}


class WorkOrderIn(Clean):
    """One order as the platform sends it. Times: ISO 8601 or 2026-03-02 09:15[:00] (naive = Beijing time);
    category/urgency: codes (complaint, urgent) or the platform's words (投诉, 紧急)."""

    model_config = ConfigDict(extra="forbid")
    platform: str = Field("12345", min_length=1, max_length=32)
    order_no: str | None = None
    received_at: str | None = None
    caller_name: str | None = None
    caller_phone: Annotated[str | int | None, DIGITS] = None
    category: str | None = None
    category_code: str | None = None
    urgency: str | None = None
    title: str | None = None
    content: Annotated[str | None, MULTI] = None
    location: str | None = None
    platform_due_at: str | None = None
    lead_unit: str | None = None
    assisting_units: list[str] | str | None = None
    designated: bool | str | None = None


class FieldChangeOut(ApiOut):
    old: Any = Field(description="原值")
    new: Any = Field(description="平台发来的新值")


class IntakeOut(ApiOut):
    id: int
    created: bool = Field(description="新建（否则为重复派发）")
    updated: bool = Field(description="重复派发带来了变更，已记录")
    state: str
    version: int
    changes: dict[str, FieldChangeOut] = Field(description="重复派发时变更的字段")


class WorkOrderItemOut(ListedCaseOut):  # workflow.hotline.queries.list_item
    """列表中的一件工单（来电号码脱敏）"""

    id: int
    agency_id: int
    platform: str
    order_no: str
    state: str
    state_label: str
    resolution: str | None = Field(description="办结方式")
    cycle: int = Field(description="办理周期")
    category: str
    category_label: str
    urgency: str
    urgency_label: str
    caller_name: str
    caller_phone_masked: str = Field(description="来电号码（脱敏）")
    title: str
    content: str = Field(description="诉求内容（前120字）")
    received_at: str


class WorkOrderListOut(ApiOut):
    items: list[WorkOrderItemOut] = Field(description="新接收的在前")
    next_cursor: str | None = Field(description="下一页的游标（没有下一页时为 null）")


class ImportReportOut(ImportReportBase):  # workflow.hotline.batch.ImportReport
    """导入结果"""

    total: int = Field(description="行数")
    created: int = Field(description="新增")
    updated: int = Field(description="更新")
    unchanged: int = Field(description="未变化")
    historical: int = Field(description="新增中带办理记录的历史工单")


class ImportDoneOut(ImportReportOut):
    job: str = Field(description=JOB_DESCRIPTION)


class ImportStatusOut(ImportStatusBase):
    report: ImportReportOut | None = Field(None, description="导入结果（仅 done）")


class HandlingDueOut(ApiOut):
    due_at: str | None
    source: str = Field(description="platform 工单自带的期限 / profile 时限方案")
    explanation: list[str]


class CallerOut(ApiOut):
    name: str
    phone: str = Field(description="来电号码（看不到全部个人信息时脱敏）")


class CycleOut(ApiOut):
    """一个办理周期；时间为机关所在时区的 YYYY-MM-DD HH:MM（24:00 为当日结束）"""

    cycle: int
    reason: str = Field(description="dispatch 派发 / rehandle 重办 / reassign 改派")
    reason_text: str
    started_at: str | None
    signed_at: str | None
    sign_for_due_at: str | None
    handling_due_at: str | None
    due_source: str
    replied_at: str | None
    callback_result: str | None
    signed_on_time: bool | None
    replied_on_time: bool | None
    extensions_used: int
    extension_days: int
    ended_at: str | None


class WorkOrderOut(ApiOut):  # workflow.hotline.queries.get_detail
    """一件工单的详情（按您可见的范围）"""

    id: int
    agency_id: int
    version: int = Field(description="执行操作时作为 expected_version 传回")
    state: str
    state_label: str
    resolution: str | None
    resolution_label: str | None
    platform: str
    order_no: str
    cycle: int
    received_at: str
    caller: CallerOut
    category: str
    category_label: str
    category_code: str
    urgency: str
    urgency_label: str
    title: str
    content: str
    location: str
    platform_due_at: str | None = Field(description="工单自带的办理期限")
    designated: bool = Field(description="经协调确定或直接指定的承办单位（不得退单）")
    lead_unit: str
    assisting_units: list[str]
    profile_code: str = Field(description="接收时适用的时限方案")
    handling_due: HandlingDueOut | None
    assignee: AssigneeRef | None
    unit_id: int | None
    extensions_used: int
    extension_days_total: int
    next_due_at: str | None
    overdue_level: int
    result_text: str | None
    replied_at: str | None
    callback_result: str | None
    callback_label: str | None
    callback_note: str
    closed_at: str | None
    terminated_reason: str | None
    merged_into_id: int | None
    related_ids: list[int]
    linked_disclosure_id: int | None
    clocks: list[ClockOut]
    timezone: str
    may_upload: bool
    cycles: list[CycleOut]
    approvals: list[ApprovalOut]
    allowed_actions: list[ActionRef] = Field(description="您现在可以执行的操作")
    unavailable_actions: list[UnavailableAction] = Field(description="本状态下您的角色可做、但现在不能做的操作及原因")
    pending_approvals: list[str]
    events: list[EventOut] = Field(description="办理记录")


@router.post("", status_code=201, summary="接收平台派发的工单（按平台+工单编号幂等）", response_model=IntakeOut,
             response_description="新工单已接收",
             responses={200: {"model": IntakeOut,
                              "description": "重复派发：返回已有工单（updated 表示记录了平台的变更）"}})
async def create(request: Request, body: WorkOrderIn, response: Response, engine: EngineDep, now: NowDep,
                 actor: PrincipalDep) -> dict[str, Any]:
    record = wf.record_from_input(body.model_dump(exclude={"platform"}), body.platform)
    r = await run_write(request, wf.intake, engine, record, actor, now, source="api")
    response.status_code = 201 if r.created else 200
    return {"id": r.id, "created": r.created, "updated": r.updated, "state": r.state, "version": r.version,
            "changes": r.changes}


@router.get("", summary="工单列表（服务端筛选，键集分页，来电号码脱敏）", response_model=WorkOrderListOut,
            response_description="一页工单")
def list_(engine: EngineDep, now: NowDep, actor: PrincipalDep,
          state: Annotated[list[str] | None, Query()] = None, assignee: int | None = None,
          due_before: DueBefore = None, due_after: DueAfter = None, overdue: bool | None = None,
          caller: str | None = None, text: str | None = None,
          category: Annotated[list[str] | None, Query()] = None, urgency: str | None = None,
          agency_id: int | None = None, open_only: bool = False, unit: UnitParam = None,
          month: MonthParam = None, pending_approval: PendingParam = None,
          limit: Annotated[int, Query(ge=1, le=200)] = 50, cursor: str | None = None) -> dict[str, Any]:
    f = ListFilter(state=state, assignee_id=assignee, due_before=due_before, due_after=due_after, overdue=overdue,
                   caller=caller, text=text, category=category, urgency=urgency, agency_id=agency_id,
                   open_only=open_only, unit_id=unit, received_month=month, pending_approval=pending_approval)
    items, nxt = workorder_list(engine, actor, f, now=now, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": nxt}


@router.post("/import", summary="批量导入平台导出的工单（.xlsx / .jsonl，可附列映射 YAML；background=true 时后台导入）",
             response_model=ImportDoneOut, response_description="导入结果（每一行都已检查）",
             responses={202: {"model": ImportStartedOut, "description": "后台导入已开始：用 status_url 查询进度和结果"}})
async def import_(request: Request, engine: EngineDep, now: NowDep, actor: PrincipalDep, settings: SettingsDep,
                  file: Annotated[UploadFile, File(description="平台导出的 .xlsx 或 .jsonl 文件（一个）")],
                  mapping: Annotated[UploadFile | None, File(description="列映射 YAML（可选，一个）")] = None,
                  dry_run: Annotated[bool, Form()] = False, background: Annotated[bool, Form()] = False) -> Any:
    # every row checked, good rows written, bad rows reported; background=true: a job (202 with status_url), for
    # files too large to wait for in one request (web.api.imports, the import page's import: web.import_kinds)
    check_intake_actor(actor)
    return await run_import(HOTLINE_IMPORT, "/api/workorders/import", request, engine, now, actor, settings,
                            file=file, mapping=mapping, dry_run=dry_run, background=background,
                            default_suffix=".xlsx")


@router.get("/import/{token}", summary="导入的进度和结果（后台导入；在请求中完成的导入也可查询）",
            response_model=ImportStatusOut, response_model_exclude_unset=True,
            response_description="导入的进度；完成后为结果")
def import_status(token: str, actor: PrincipalDep, settings: SettingsDep) -> dict[str, Any]:
    check_intake_actor(actor)
    return job_status(HOTLINE_IMPORT, token, actor, settings)


@router.get("/import/{token}/errors.{fmt}", summary="下载一次导入的全部问题（与导入页面提供的问题清单相同）",
            response_class=Response, responses=PROBLEM_LIST)
def import_problems(token: str, fmt: ProblemFormat, actor: PrincipalDep, settings: SettingsDep) -> Response:
    check_intake_actor(actor)
    return problem_file(HOTLINE_IMPORT, token, fmt, actor, settings)


@router.get("/export", summary="导出办理结果，供上传热线平台（xlsx 或 JSON Lines）", response_class=Response,
            responses=file_answer("导出文件（行数见响应头 X-Row-Count）", *MEDIA.values()))
def export(engine: EngineDep, now: NowDep, actor: PrincipalDep, since: str,
           until: str | None = None, format: Literal["xlsx", "jsonl"] = "xlsx") -> Response:
    if not actor.has(*EXPORT_ROLES):
        raise ApiError(403, "forbidden", "没有权限导出办理结果")
    try:
        start, end = export_window(since, until, load_mapping())
    except ExportWindowError as exc:
        raise ApiError(422, "invalid_input", "输入有误，请检查标出的字段", fields=[
            {"field": exc.field, "code": "invalid_datetime", "message": exc.message}]) from None
    assert actor.agency_id is not None
    buf = io.BytesIO()
    n = export_replies(engine, actor.agency_id, start, end, format, buf)
    name = f"workorder-replies-{start.strftime('%Y%m%d')}.{format}"
    return Response(buf.getvalue(), media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Row-Count": str(n)})


# Detail, actions and files: the endpoints every request kind shares (web.api.cases), after the routes above.
router.include_router(case_router(HOTLINE, prefix="", tag="workorders", detail=get_detail,
                                  detail_model=WorkOrderOut, upload_categories=UPLOAD_CATEGORIES, default_category="reply_attachment"))
