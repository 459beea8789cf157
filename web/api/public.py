"""Public, unauthenticated endpoints for applicants: status look-up and their documents (rate-limited), and what the
agency's portal offers (``/gongkai/{code}``): the challenge, an online application, withdrawal, correction.

The tracking number and query code travel in the body (``POST /api/public/status``, ``POST
/api/public/files/{id}``); the earlier GET forms with both in the query string still answer, marked deprecated
in the API description.

The portal's operations (``/api/public/{code}/…``) call the portal pages' use cases with their limits and checks:
the application's checks and submission (workflow.portal.online), the applicant's withdrawal and upload
(workflow.portal.submissions), the public limits (workflow.portal.rate_limits.PublicLimits: 429 with Retry-After).
A wrong number, a wrong code and another agency's number are the same 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import ConfigDict, Field, RootModel

from notifications.files import existing_file
from settings import Settings
from states.disclosure import DState
from web.api.schemas import ANY_FILE, ERRORS, ApiOut, ErrorOut, file_answer
from web.deps import EngineDep, NowDep, SettingsDep, check_lookup, client_ip, public_limits
from web.errors import ApiError
from web.uploads import read_uploads
from workflow.disclosure.payloads import OnlineSubmissionIn
from workflow.errors import InvalidTransition, NotFound, StaleVersion
from workflow.inputs import Clean
from workflow.portal import challenge
from workflow.portal.agency import NO_AGENCY, PortalAgency, portal_agency, refusal
from workflow.portal.lookup import NOT_FOUND, PUBLIC_STATE_TEXT, applicant_document, public_status
from workflow.portal.online import check_application, from_body, submit_checked
from workflow.portal.submissions import (
    MAX_APPLICANT_FILES,
    MAX_FILES,
    NOT_WITHDRAWABLE,
    applicant_upload,
    applicant_withdraw,
    withdrawn_message,
)
from workflow.runtime import Engine

router = APIRouter(prefix="/api/public", tags=["public"], responses=ERRORS)

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


# ------------------------------------------------------------------ the agency's portal: apply, withdraw, correct


NO_STORE = {"Cache-Control": "no-store"}  # a fresh question, a query code shown once: never kept by a cache


def _agency(engine: Engine, settings: Settings, code: str, *, applying: bool = False) -> PortalAgency:
    """The portal's agency, as the pages find it; 404 for an unknown one (and, ``applying``, a deactivated one)."""
    agency = portal_agency(engine, code, settings.default_agency_code)
    why = refusal(agency, applying=applying)
    if agency is None or why is not None:
        raise ApiError(404, "not_found", why or NO_AGENCY)
    return agency


class ChallengeOut(ApiOut):
    """验证题：网上提交申请时连同答案一并提交（30分钟内有效，只能使用一次，答错即作废）"""

    question: str = Field(description="题目（中文，如“十二减五等于多少？”），答案为整数")
    challenge_token: str = Field(description="验证题令牌：提交申请时原样放在 challenge_token 中")
    expires_in: int = Field(description="有效期（秒）")


class _OnlineApplicationFields(OnlineSubmissionIn):
    """The documented shape of an online application in the API: the form's fields and the challenge."""

    challenge_token: str = Field(max_length=200, description="验证题令牌（GET /api/public/{code}/challenge）")
    challenge_answer: str | int = Field(description="验证题答案（整数，可写作数字或文字）")


def _documented(schema: dict[str, Any]) -> None:
    doc = _OnlineApplicationFields.model_json_schema()
    doc.update(title="OnlineApplicationIn", description=OnlineApplicationIn.__doc__ or "")
    schema.clear()
    schema.update(doc)


class OnlineApplicationIn(RootModel[dict[str, Any]]):
    """网上提交政府信息公开申请：与网上申请表相同的字段（申请人、联系方式、所需信息、获取方式），加上验证题令牌和答案。
    附件可在提交后通过 POST /api/public/{code}/correction 补充"""

    # Documented as the form's fields (OnlineSubmissionIn and the challenge), read as a JSON object and checked by
    # workflow.portal.online as the page's form is: every problem — fields, ID number, challenge — in one 422, a
    # wrong answer spent and counted however the other fields stand (FastAPI's own check would stop at the fields).
    model_config = ConfigDict(json_schema_extra=_documented)


class SubmittedOut(ApiOut):
    """网上申请已提交：提交编号和查询码（查询码只在此显示一次，并发送到申请人的电子邮箱）"""

    submission_no: str = Field(description="提交编号（网上申请确认受理前，凭它和查询码查询）")
    query_code: str = Field(description="查询码：只显示这一次，本机关不保存，请立即记下")
    email: str = Field(description="提交确认已发送到的电子邮箱")
    duplicate: bool = Field(description="一天内已提交过内容相同的申请（工作人员将一并核对，不会重复办理）")
    state: str = Field(description="状态代码（submitted：等待工作人员确认受理）")
    state_text: str = Field(description="办理进度（写给申请人的话）")


class WithdrawIn(LookupIn):
    """撤回申请：受理编号（或网上申请的提交编号）、查询码和撤回理由"""

    reason: str = Field("", max_length=500, description="撤回理由（选填）")


class WithdrawnOut(ApiOut):
    """已撤回申请"""

    message: str = Field(description="告知申请人的话（撤回确认如何送达）")
    status: PublicStatusOut


class ReceivedFileOut(ApiOut):
    filename: str
    size: int = Field(description="字节数")
    content_type: str


class CorrectionOut(ApiOut):
    """收到的材料：补正（等待补正时）或补充（网上申请确认受理前）"""

    category: str = Field(description="correction 补正材料 / application 补充网上申请的材料")
    message: str = Field(description="告知申请人的话")
    note: str = Field(description="申请人的说明")
    files: list[ReceivedFileOut] = Field(description="收到的文件")
    status: PublicStatusOut


def _not_found() -> ApiError:
    return ApiError(404, "not_found", NOT_FOUND)


def _status_after(engine: Engine, number: str, code: str, agency_id: int) -> dict[str, Any]:
    view = public_status(engine, number, code, agency_id)
    if view is None:
        raise _not_found()
    return view


@router.get("/{code}/challenge", summary="获取网上申请的验证题（题目和令牌）", response_model=ChallengeOut,
            response_description="新的验证题",
            responses={404: {"model": ErrorOut, "description": "没有这个机关，或机关已停用、不再受理申请"}})
def new_challenge(request: Request, code: str, response: Response, engine: EngineDep, settings: SettingsDep,
                  now: NowDep) -> dict[str, Any]:
    _agency(engine, settings, code, applying=True)
    ch = challenge.issue(request.app.state.web_secret, now)
    response.headers.update(NO_STORE)
    return {"question": ch.question, "challenge_token": ch.token, "expires_in": int(challenge.TTL.total_seconds())}


@router.post("/{code}/applications", status_code=201, summary="网上提交政府信息公开申请（须回答验证题）",
             response_model=SubmittedOut, response_description="已提交：提交编号和查询码（只显示这一次）",
             responses={
                 404: {"model": ErrorOut, "description": "没有这个机关，或机关已停用、不再受理申请"},
                 422: {"model": ErrorOut, "description": "输入有误：error.fields 指出每个字段的问题（中文），验证题的问题在 "
                                                         "challenge_answer（答错、过期、已使用过：须重新获取验证题）"},
                 429: {"model": ErrorOut, "description": "本网络地址提交过于频繁（error.code too_many_submissions：每小时5件）或"
                                                         "验证题答错过多（too_many_wrong_answers：10分钟内10次）；Retry-After 头和 "
                                                         "error.retry_after 给出还需等待的秒数"}})
def apply_online(request: Request, code: str, body: OnlineApplicationIn, response: Response, engine: EngineDep,
                 settings: SettingsDep, now: NowDep) -> dict[str, Any]:
    agency = _agency(engine, settings, code, applying=True)
    fields, token, answer = from_body(body.root)
    ip, limits = client_ip(request), public_limits(request)
    checked = check_application(engine, fields, [], token=token, answer=answer, secret=request.app.state.web_secret,
                                ip=ip, now=now, settings=settings, limits=limits)
    if not checked.ready or checked.data is None:
        raise ApiError(422, "invalid_input", "输入有误，请检查标出的字段", fields=checked.problems)
    sub = submit_checked(engine, checked, [], agency_code=agency.code, ip=ip, now=now, settings=settings,
                         limits=limits)
    response.headers.update(NO_STORE)
    return {"submission_no": sub.submission_no, "query_code": sub.query_code, "email": checked.data.email,
            "duplicate": sub.duplicate, "state": DState.SUBMITTED.value,
            "state_text": PUBLIC_STATE_TEXT[DState.SUBMITTED]}


@router.post("/{code}/withdraw", summary="申请人撤回申请（答复前；受理编号 + 查询码，放在请求体中）",
             response_model=WithdrawnOut, response_description="已撤回，及撤回后的办理进度",
             responses={404: {"model": ErrorOut, "description": "未找到该申请（编号或查询码不对，或不是本机关的申请：同一答复）"},
                        409: {"model": ErrorOut, "description": "本申请当前不能撤回（已答复或已终止办理）"},
                        429: {"model": ErrorOut, "description": "查询过于频繁（与查询共用限制）；Retry-After 头和 "
                                                                "error.retry_after 给出还需等待的秒数"}})
def withdraw(request: Request, code: str, body: WithdrawIn, engine: EngineDep, settings: SettingsDep,
             now: NowDep) -> dict[str, Any]:
    agency = _agency(engine, settings, code)
    _limit(request, body.tracking_no)
    try:
        done = applicant_withdraw(engine, body.tracking_no, body.query_code, reason=body.reason, now=now,
                                  agency_id=agency.id)
    except NotFound:
        raise _not_found() from None
    except (InvalidTransition, StaleVersion):
        raise ApiError(409, "not_withdrawable", NOT_WITHDRAWABLE) from None
    return {"message": withdrawn_message(done),
            "status": _status_after(engine, body.tracking_no, body.query_code, agency.id)}


@router.post("/{code}/correction", status_code=201, summary="申请人网上提交补正材料或补充网上申请（受理编号 + 查询码 + 文件）",
             response_model=CorrectionOut, response_description="收到的材料，及办理进度",
             responses={404: {"model": ErrorOut, "description": "未找到该申请（编号或查询码不对，或不是本机关的申请：同一答复）"},
                        409: {"model": ErrorOut, "description": "本申请当前不需要上传材料"},
                        422: {"model": ErrorOut, "description": "文件或说明有误（error.fields：attachments 或 note）"},
                        429: {"model": ErrorOut, "description": "查询过于频繁（与查询共用限制）；Retry-After 头和 "
                                                                "error.retry_after 给出还需等待的秒数"}})
def correction(request: Request, code: str, engine: EngineDep, settings: SettingsDep, now: NowDep,
               tracking_no: Annotated[str, Form(min_length=1, max_length=64, description="受理编号或提交编号")],
               query_code: Annotated[str, Form(min_length=1, max_length=64, description="查询码")],
               note: Annotated[str, Form(description="说明（不超过2000字）")] = "",
               attachments: Annotated[list[UploadFile], File(
                   description=f"材料：PDF、JPG、PNG（按内容识别），每个不超过上传大小限制，一次最多{MAX_FILES}个，"
                               f"每件申请共{MAX_APPLICANT_FILES}个")] = []) -> dict[str, Any]:  # noqa: B006
    agency = _agency(engine, settings, code)
    _limit(request, tracking_no)
    try:
        sent = applicant_upload(engine, tracking_no, query_code, read_uploads(attachments, settings.max_upload_bytes),
                                note, now=now, settings=settings, agency_id=agency.id)
    except NotFound:
        raise _not_found() from None
    except InvalidTransition as exc:
        raise ApiError(409, exc.code, exc.message) from None
    return {"category": sent.category, "message": sent.message, "note": sent.note,
            "files": [{"filename": f["filename"], "size": f["size"], "content_type": f["content_type"]}
                      for f in sent.files],
            "status": _status_after(engine, tracking_no, query_code, agency.id)}
