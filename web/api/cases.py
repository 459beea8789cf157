"""The JSON API every request kind shares: detail, actions, files — one router per kind, built from its
descriptor (workflow.cases.kind.CaseKind). Register, list and kind-specific extras stay in the kind's module."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from notifications.files import file_path
from web.api.schemas import ANY_FILE, ERRORS, ActionRef, ApiOut, ClockOut, UnavailableAction, file_answer
from web.concurrency import run_write
from web.deps import EngineDep, NowDep, PrincipalDep, SettingsDep
from web.errors import ApiError
from web.uploads import one_file_each, sent_filename
from workflow.cases import engine as case_engine
from workflow.cases.attachments import attach_file
from workflow.cases.files import readable_file
from workflow.cases.kind import CaseKind
from workflow.cases.view import Detail, case_detail, read_detail
from workflow.inputs import Clean


class ActionIn(Clean):  # the version and the payload's text checked at the edge (workflow.inputs)
    model_config = ConfigDict(extra="forbid")
    expected_version: int | None = Field(None, description="读取时的版本号；不一致则返回409")
    payload: dict[str, Any] = Field(default_factory=dict)
    effective_at: AwareDatetime | None = Field(
        None, description="办理时间（ISO 8601，带时区）；缺省为当前时间。早于当前超过机关设定的宽限（工作日）即为补录")
    backfill_reason: str | None = Field(None, max_length=500, description="补录原因（补录的步骤必填）")
    email_notices: bool = Field(False, description="补录步骤生成的告知书是否仍以电子邮件发送（缺省只生成、打印）")


class ActionOut(BaseModel):
    id: int
    state: str
    version: int
    allowed_actions: list[str] = Field(description="此操作之后您可以执行的操作")
    result: dict[str, Any]


class AttachedOut(BaseModel):
    id: int
    sha256: str
    size: int
    content_type: str


class RecordLineOut(ApiOut):
    label: str
    value: str = Field(description="取值（已按阅读者可见的范围脱敏）")


class TimelineEntryOut(ApiOut):
    action: str
    label: str
    actor: str
    at: str
    payload: dict[str, Any] = Field(description="该步骤记录的内容（因操作而异）")


class CaseFileOut(ApiOut):
    id: int
    filename: str
    content_type: str
    size: int
    kind_label: str = Field(description="文书名称或材料类别")


class CaseViewOut(ApiOut):  # workflow.cases.view.CaseView
    """案件详情（按您可见的范围）"""

    kind: str
    kind_label: str
    id: int
    version: int
    state: str
    state_label: str
    number: str = Field(description="案件编号")
    assignee: str | None = Field(description="承办人姓名")
    record: list[RecordLineOut] = Field(description="案件内容（逐项）")
    clocks: list[ClockOut]
    timezone: str
    allowed_actions: list[ActionRef] = Field(description="您现在可以执行的操作")
    unavailable_actions: list[UnavailableAction] = Field(description="本状态下您的角色可做、但现在不能做的操作及原因")
    events: list[TimelineEntryOut] = Field(description="办理记录")
    files: list[CaseFileOut] = Field(description="材料和文书（看不到全部个人信息时为空）")
    may_upload: bool


def case_router(kind: CaseKind, *, prefix: str, tag: str, detail: Detail | None = None,
                detail_model: type[BaseModel] | None = None,
                upload_categories: dict[str, tuple[str, bool]] | None = None,
                default_category: str | None = None) -> APIRouter:
    """The shared case endpoints of one kind under ``prefix`` (e.g. /api/disclosures). A kind with a shared case page
    (``CaseKind.page``) needs no detail nor categories of its own: the page's view and upload categories serve, and
    its detail answers as ``CaseViewOut``. A kind with a detail of its own gives its response model too
    (``detail_model``; without one its detail is documented untyped)."""
    router = APIRouter(prefix=prefix, tags=[tag], responses=ERRORS)
    noun = kind.noun
    show: Detail = detail or case_detail(kind)
    shown = detail_model if detail is not None else CaseViewOut
    categories = dict(upload_categories if upload_categories is not None else kind.page.uploads if kind.page else {})
    default_category = default_category or next(iter(categories), "")

    @router.get("/{case_id}", summary=f"{noun}详情（含期限说明、可执行操作、办理记录）", response_model=shown,
                response_description=f"{noun}详情（按您可见的范围）")
    def get_case(case_id: int, engine: EngineDep, now: NowDep, actor: PrincipalDep) -> dict[str, Any]:
        return read_detail(engine, show, case_id, actor, now=now)

    @router.post("/{case_id}/actions/{action}", summary="执行操作（一次一个事务）", response_model=ActionOut,
                 response_description="已执行：案件的新状态、版本和此后可执行的操作")
    async def act(request: Request, case_id: int, action: str, body: ActionIn, engine: EngineDep, now: NowDep,
                  actor: PrincipalDep) -> ActionOut:
        r = await run_write(request, case_engine.act, engine, kind, case_id, action, body.payload, actor, now,
                            body.expected_version, effective_at=body.effective_at,
                            backfill_reason=body.backfill_reason, email_notices=body.email_notices)
        return ActionOut(id=r.id, state=r.state, version=r.version, allowed_actions=r.allowed_actions,
                         result=r.result)

    @router.post("/{case_id}/files", status_code=201, summary="上传材料（按内容识别类型，限大小）",
                 dependencies=[one_file_each("file")], response_model=AttachedOut,
                 response_description="已保存的材料")
    async def upload(case_id: int, engine: EngineDep, now: NowDep, actor: PrincipalDep, settings: SettingsDep,
                     file: Annotated[UploadFile, File(description="PDF/JPG/PNG/DOCX（一次一个文件）")],
                     category: Annotated[str, Form()] = default_category) -> AttachedOut:
        data = await file.read(settings.max_upload_bytes + 1)
        a = await run_in_threadpool(attach_file, engine, kind.table, kind.name, noun, categories, case_id,
                                    data=data, filename=sent_filename(file), category=category, actor=actor,
                                    now=now, settings=settings)
        return AttachedOut(id=a.id, sha256=a.sha256, size=a.size, content_type=a.content_type)

    @router.get("/{case_id}/files/{file_id}", summary="下载案件材料或文书", response_class=Response,
                responses=file_answer("文件（按文件本身的类型：PDF、JPG、PNG、DOCX 等）", ANY_FILE))
    def download(case_id: int, file_id: int, engine: EngineDep, actor: PrincipalDep,
                 settings: SettingsDep) -> FileResponse:
        f = readable_file(engine, kind, case_id, file_id, actor)
        path = file_path(f.sha256, settings.files_path)
        if not path.is_file():  # the row is there, the stored file is not: banli files check reports it
            raise ApiError(404, "not_found", "文件不存在或已丢失，请联系管理员")
        return FileResponse(path, media_type=f.content_type, filename=f.filename,
                            content_disposition_type="attachment", headers={"X-Content-Type-Options": "nosniff"})

    return router
