"""Links between 12345 work orders and disclosure applications (rules.md §5.5 cross-conversion).

- A demand that belongs in the disclosure procedure (潍坊条例第十九条第一项; 国办函〔2025〕66号 (二)) is
  converted: a disclosure application is registered in the same transaction, linked both ways.
- A disclosure application closed as 不予处理 / 信访举报投诉类 (条例第三十九条第一款) may point to the
  work order that carries the matter (``detail.workorder_no`` of the reply).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationInfo, field_validator
from sqlmodel import col, select

from db.models import Disclosure, WorkOrder
from states.disclosure import DState
from states.vocab import CaseKindName
from workflow.cases.audit import append_event
from workflow.disclosure.context import Ctx as DCtx
from workflow.disclosure.context import notify_applicant
from workflow.disclosure.context import refresh_next_due as refresh_disclosure
from workflow.disclosure.payloads import ApplicantIn, RequestIn, Strict, err
from workflow.disclosure.receipt import hash_query_code, new_query_code, rest_day_rule, start_registered
from workflow.errors import DomainValidation
from workflow.timesource import local_date

if TYPE_CHECKING:
    from workflow.hotline.context import Ctx
    from workflow.hotline.payloads import ConvertToDisclosurePayload


class ConvertIn(Strict):
    """条例第二十九条: the applicant (identity document, contact) and the request (description, form, way).

    The request is read first so that the applicant's check of the way (an e-mail address for 电子邮件) is an
    error of ``applicant``, named ``applicant.email`` (workflow.disclosure.payloads.MODEL_ERROR_FIELDS)."""

    request: RequestIn
    applicant: ApplicantIn

    @field_validator("applicant")
    @classmethod
    def _way(cls, applicant: ApplicantIn, info: ValidationInfo) -> ApplicantIn:
        request = info.data.get("request")
        way = request.obtain_way if isinstance(request, RequestIn) else None
        if way == "email" and not applicant.email:
            raise err("email_required", "选择以电子邮件获取信息时，须填写电子邮箱")
        if way == "post" and not applicant.address:
            raise err("address_required", "选择邮寄获取信息时，须填写通信地址")
        return applicant


def conversion_input(row: WorkOrder, p: ConvertToDisclosurePayload) -> ConvertIn:
    """The caller's name, phone and demand prefill what the payload leaves out (raises ValidationError)."""
    applicant: dict[str, Any] = {"applicant_type": "natural", "applicant_category": "natural",
                                 "applicant_name": row.caller_name, "phone": row.caller_phone, **(p.applicant or {})}
    request: dict[str, Any] = {"description": row.content[:4000], **(p.request or {})}
    return ConvertIn.model_validate({"applicant": applicant, "request": request})


def convert_to_disclosure(ctx: Ctx, p: ConvertToDisclosurePayload) -> None:
    """Register a disclosure application from this order in the current transaction."""

    data = conversion_input(ctx.row, p)
    a, r = data.applicant, data.request
    code = new_query_code()
    d = Disclosure(
        agency_id=ctx.row.agency_id, state=DState.REGISTERED, query_code_hash=hash_query_code(code),
        applicant_type=a.applicant_type, applicant_category=a.applicant_category, applicant_name=a.applicant_name,
        id_type=a.id_type, id_number=a.id_number, applicant_key=f"{a.id_type}:{a.id_number}", phone=a.phone,
        email=a.email, address=a.address, postal_code=a.postal_code, contact_person=a.contact_person,
        assisted=a.assisted, description=r.description, document_ref=r.document_ref, purpose=r.purpose,
        form_wanted=r.form_wanted, obtain_way=r.obtain_way,
        # 条例第三十一条第三项: the request came through the hotline platform (an internet channel); it
        # counts as received on the date the agency confirms it with the applicant — this conversion.
        channel="internet", received_at_raw=ctx.row.received_at, confirmed_at=ctx.now,
        source_workorder_id=ctx.case_id, created_at=ctx.now, updated_at=ctx.now,
    )
    ctx.session.add(d)
    ctx.session.flush()
    dctx = DCtx(ctx.session, d, ctx.agency, ctx.cfg, ctx.cal, ctx.actor, ctx.now)
    raw = local_date(ctx.now, ctx.tz)
    receipt, rolled = rest_day_rule(ctx.cfg, ctx.cal, raw)
    start_registered(dctx, receipt_date=receipt, rolled_from=rolled)
    assert d.id is not None and d.tracking_no is not None
    append_event(ctx.session, agency_id=d.agency_id, case_kind=CaseKindName.DISCLOSURE, case_id=d.id, actor=ctx.actor,
                 action="register", from_state=None, to_state=DState.REGISTERED, now=ctx.now,
                 payload={"tracking_no": d.tracking_no, "channel": d.channel, "receipt_date": receipt.isoformat(),
                          "raw_receipt_date": raw.isoformat(), "source_workorder_id": ctx.case_id,
                          "source_order_no": ctx.row.order_no, "note": p.reason})
    reply = dctx.clocks().get("reply")
    notify_applicant(dctx, "disclosure.receipt", {
        "query_code": code, "due_date": reply.due_date.isoformat() if reply and reply.due_date else "",
        "provisional": bool(reply and reply.provisional)})
    refresh_disclosure(dctx)
    ctx.row.linked_disclosure_id = d.id
    ctx.event.update({"disclosure_id": d.id, "tracking_no": d.tracking_no, "receipt_date": receipt.isoformat()})
    ctx.result["disclosure"] = {"id": d.id, "tracking_no": d.tracking_no, "query_code": code,
                                "receipt_date": receipt.isoformat()}


def link_petition(dctx: DCtx, order_no: str) -> WorkOrder:
    """A disclosure closed as 信访举报投诉类 points to the work order carrying the matter (both ways)."""
    wo = dctx.session.exec(select(WorkOrder).where(WorkOrder.agency_id == dctx.row.agency_id,
                                                   WorkOrder.order_no == order_no)
                           .order_by(col(WorkOrder.id).desc())).first()
    if wo is None:
        raise DomainValidation.one("detail.workorder_no", "not_found", f"未找到12345工单“{order_no}”")
    assert wo.id is not None
    dctx.row.linked_workorder_id = wo.id
    if wo.linked_disclosure_id is None:
        wo.linked_disclosure_id = dctx.case_id
        wo.updated_at = dctx.now
        dctx.session.add(wo)
    append_event(dctx.session, agency_id=wo.agency_id, case_kind=CaseKindName.WORKORDER, case_id=wo.id, actor=dctx.actor,
                 action="link_disclosure", from_state=wo.state, to_state=wo.state, now=dctx.now,
                 payload={"disclosure_id": dctx.case_id, "decision": "not_processed.petition"})
    dctx.event["workorder_id"] = wo.id
    return wo
