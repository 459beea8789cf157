"""Disclosure application endpoints: register, list, detail, actions, fee preview."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from web.api.cases import case_router
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
)
from web.concurrency import group_commit
from web.deps import EngineDep, NowDep, PrincipalDep
from workflow.cases.attachments import CATEGORIES as UPLOAD_CATEGORIES
from workflow.disclosure import actions as wf
from workflow.disclosure.kind import DISCLOSURE
from workflow.disclosure.payloads import RegisterIn
from workflow.disclosure.queries import ListFilter, disclosure_list, get_detail, quoted_fee

router = APIRouter(prefix="/api/disclosures", tags=["disclosures"], responses=ERRORS)


class RegisteredOut(BaseModel):
    id: int
    tracking_no: str = Field(description="受理编号，如 依申〔2026〕0001号")
    query_code: str = Field(description="查询码（只显示这一次；库中只存其散列）")
    state: str
    version: int
    receipt_date: str = Field(description="法定收到日期（条例第三十一条），YYYY-MM-DD")


class DisclosureItemOut(ListedCaseOut):  # workflow.disclosure.queries.list_item
    """列表中的一件申请（个人信息脱敏）"""

    id: int
    agency_id: int
    tracking_no: str | None = Field(description="受理编号（网上申请确认受理之前为 null）")
    state: str
    state_label: str
    applicant_name: str
    applicant_category: str
    id_number_masked: str = Field(description="证件号码（脱敏）")
    phone_masked: str = Field(description="电话（脱敏）")
    description: str = Field(description="所需信息的描述（前120字）")
    receipt_date: str | None = Field(description="收到申请之日")


class DisclosureListOut(ApiOut):
    items: list[DisclosureItemOut] = Field(description="新登记的在前")
    next_cursor: str | None = Field(description="下一页的游标（没有下一页时为 null）")


class FeeLineOut(ApiOut):
    band: str = Field(description="计费档次")
    quantity: int
    rate: int = Field(description="单价（元）")
    subtotal: int = Field(description="小计（元）")


class FeeQuoteOut(ApiOut):
    """信息处理费的计算（国办函〔2020〕109号）"""

    method: Literal["item", "page"] = Field(description="item 按件计收 / page 按量计收")
    quantity: int
    prior: int = Field(description="本月已计入的件数（按件计收）")
    amount: int = Field(description="金额（元）")
    lines: list[FeeLineOut]


class ApplicantOut(ApiOut):
    type: str
    category: str
    category_label: str
    name: str
    id_type: str
    id_number: str = Field(description="证件号码（看不到全部个人信息时脱敏）")
    contact_person: str
    phone: str = Field(description="电话（看不到全部个人信息时脱敏）")
    email: str
    address: str
    postal_code: str
    assisted: bool = Field(description="代为填写等帮助（条例第四十三条）")
    oral: bool = Field(description="口头提出（条例第二十九条）")


class RequestOut(ApiOut):
    description: str
    document_ref: str
    purpose: str
    form_wanted: str
    form_wanted_label: str
    obtain_way: str
    obtain_way_label: str


class ReceiptOut(ApiOut):
    channel: str
    channel_label: str
    received_at: str
    confirmed_at: str | None
    receipt_date: str | None = Field(description="收到申请之日（条例第三十一条）")
    base_date: str | None = Field(description="答复期限的起算日（补正后为收到补正之日）")


class FeeOut(ApiOut):
    method: str | None
    amount: int | None = Field(description="金额（元）")
    detail: dict[str, Any]
    notice_date: str | None
    paid_date: str | None


class DecisionOut(ApiOut):
    category: str
    category_label: str
    reason: str
    reason_label: str
    article: str = Field(description="所依据的条款")
    row: str = Field(description="年度报告表三的行")
    reconsideration_first: bool = Field(description="复议前置（行政复议法第二十三条）")


class ConsultationOut(ApiOut):
    """征求第三方（条例第三十二条）或其他机关（第三十四条）意见"""

    id: int
    disclosure_id: int
    consultee_kind: str = Field(description="third_party 第三方 / agency 其他机关")
    consultee_name: str
    consultee_contact: str
    sent_date: str
    due_date: str | None
    received_date: str | None
    opinion: str | None = Field(description="agree 同意 / object 不同意 / none 逾期未答复")
    opinion_text: str
    deemed: bool = Field(description="逾期未提出意见")


class RemedyOut(ApiOut):
    """就本申请提起的行政复议或行政诉讼（年度报告表四）"""

    id: int
    agency_id: int
    disclosure_id: int | None
    kind: str
    filed_date: str
    outcome: str
    decided_date: str | None
    note: str
    created_at: str


class DisclosureFileOut(ApiOut):
    id: int
    category: str
    notice_type: str | None
    filename: str
    content_type: str
    size: int
    sha256: str
    for_applicant: bool = Field(description="申请人可通过查询下载")


class ReasonsOut(ApiOut):
    """申请人说明的理由（条例第三十五条）"""

    received_date: str | None = Field(description="收到申请人说明理由之日")
    text: str = Field(description="申请人说明的理由")
    assessment: str | None = Field(description="审查意见：reasonable 理由合理，unreasonable 理由不合理")
    assessment_label: str


class DisclosureOut(ApiOut):  # workflow.disclosure.queries.get_detail
    """一件申请的详情（按您可见的范围）"""

    id: int
    agency_id: int
    version: int = Field(description="执行操作时作为 expected_version 传回")
    state: str
    state_label: str
    tracking_no: str | None
    submission_no: str | None
    applicant: ApplicantOut
    request: RequestOut
    receipt: ReceiptOut
    assignee: AssigneeRef | None
    extended: bool
    extension_days: int
    delayed: bool = Field(description="已确定延迟答复期限（条例第三十五条）")
    reasons: ReasonsOut
    fee: FeeOut
    decision: DecisionOut | None
    decision_detail: dict[str, Any]
    report_row: str | None
    reply_doc_no: str | None
    replied_at: str | None
    concluded_date: str | None
    delivery: dict[str, Any]
    clocks: list[ClockOut]
    timezone: str
    may_upload: bool
    allowed_actions: list[ActionRef] = Field(description="您现在可以执行的操作")
    unavailable_replies: dict[str, str] = Field(description="现在不能作出的答复（类别.理由 → 原因，如补正后仍不明确须先告知补正）")
    unavailable_actions: list[UnavailableAction] = Field(description="本状态下您的角色可做、但现在不能做的操作及原因")
    pending_approvals: list[str] = Field(description="待审批的申请（如“延期待负责人审批”）")
    consultations: list[ConsultationOut]
    approvals: list[ApprovalOut]
    remedies: list[RemedyOut]
    files: list[DisclosureFileOut] = Field(description="材料和文书（看不到全部个人信息时为空）")
    events: list[EventOut] = Field(description="办理记录")


@router.post("", status_code=201, summary="登记政府信息公开申请", response_model=RegisteredOut,
             response_description="已登记：受理编号与查询码（查询码只在此显示一次）")
async def register(request: Request, data: RegisterIn, now: NowDep, actor: PrincipalDep) -> JSONResponse:
    # Group commit: registrations arriving together share one transaction (each all-or-nothing).
    r: wf.Registered = await group_commit(request, "registrations", (data, actor, now))
    # The front desk's hot path: the response is built directly (the schema above documents it).
    return JSONResponse({"id": r.id, "tracking_no": r.tracking_no, "query_code": r.query_code, "state": r.state,
                         "version": r.version, "receipt_date": r.receipt_date}, status_code=201)


@router.get("", summary="申请列表（服务端筛选，键集分页）", response_model=DisclosureListOut,
            response_description="一页申请")
def list_(engine: EngineDep, now: NowDep, actor: PrincipalDep,
          state: Annotated[list[str] | None, Query()] = None, assignee: int | None = None,
          due_before: DueBefore = None, due_after: DueAfter = None, overdue: bool | None = None,
          applicant: str | None = None, text: str | None = None, agency_id: int | None = None,
          open_only: bool = False, unit: UnitParam = None, month: MonthParam = None,
          pending_approval: PendingParam = None, limit: Annotated[int, Query(ge=1, le=200)] = 50,
          cursor: str | None = None) -> dict[str, Any]:
    f = ListFilter(state=state, assignee_id=assignee, due_before=due_before, due_after=due_after, overdue=overdue,
                   applicant=applicant, text=text, agency_id=agency_id, open_only=open_only, unit_id=unit,
                   received_month=month, pending_approval=pending_approval)
    items, nxt = disclosure_list(engine, actor, f, now=now, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": nxt}


@router.get("/{case_id}/fee-preview", summary="信息处理费预览（国办函〔2020〕109号）", response_model=FeeQuoteOut,
            response_description="费用及其计算")
def fee_preview(case_id: int, method: Literal["item", "page"], quantity: Annotated[int, Query(ge=1, le=1_000_000)],
                engine: EngineDep, now: NowDep, actor: PrincipalDep) -> dict[str, Any]:
    return quoted_fee(engine, case_id, actor, now=now, method=method, quantity=quantity)


# Detail, actions and files: the endpoints every request kind shares (web.api.cases), after the routes above.
router.include_router(case_router(DISCLOSURE, prefix="", tag="disclosures", detail=get_detail,
                                  detail_model=DisclosureOut, upload_categories=UPLOAD_CATEGORIES, default_category="application"))
