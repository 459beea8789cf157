"""Input models for registering a disclosure application and for each action (Chinese messages).

Every model forbids unknown fields, so a payload meant for another action is refused (422) before
anything is written.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from states.decisions import Category
from states.identity import ID_TYPE_WORDS, ID_TYPES, id_problem
from states.inputs import EMAIL_MESSAGE, PHONE_MESSAGE, is_email, is_phone, is_postal_code
from states.wording import CHANNELS, NAIVE_TIME_MESSAGE
from workflow.inputs import Clean


def err(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message)


# A model-level check (its error's location is the model's, not a field's) → the field it concerns. The API's
# errors (workflow.input_errors.field_errors) and the pages name that field; the go-live import the column it comes from.
MODEL_ERROR_FIELDS: dict[str, str] = {
    "category_mismatch": "applicant_category",
    "invalid_id_number": "id_number",
    "contact_required": "phone",
    "email_required": "email",
    "address_required": "address",
    "confirmation_required": "confirmed_at",
    "confirmation_before_receipt": "confirmed_at",
    "oral_in_person": "oral",
    "tracking_required": "tracking_no",
    "interest_required": "interest",
}


class Strict(Clean):
    """Input models: unknown fields refused, whitespace stripped, text/integers/dates checked (workflow.inputs)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


ApplicantType = Literal["natural", "organization"]
ApplicantCategory = Literal["natural", "business", "research", "public_welfare", "legal_service", "other"]
Channel = Literal["in_person", "post_signed", "letter", "internet", "fax", "email"]
FormWanted = Literal["paper", "electronic", "inspection"]
ObtainWay = Literal["collect", "post", "email", "online"]

NEEDS_CONFIRMATION = frozenset({"letter", "internet", "fax", "email"})  # 条例第三十一条第二项后段、第三项


class ApplicantIn(Strict):
    applicant_type: ApplicantType
    applicant_category: ApplicantCategory
    applicant_name: str = Field(min_length=1, max_length=200)
    id_type: str = Field(min_length=1, max_length=32)
    id_number: str = Field(min_length=1, max_length=64)
    contact_person: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    postal_code: str = Field("", max_length=10)
    assisted: bool = False  # 条例第四十三条

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        if v and not is_email(v):
            raise err("invalid_email", EMAIL_MESSAGE)
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        if v and not is_phone(v):
            raise err("invalid_phone", PHONE_MESSAGE)
        return v

    @field_validator("postal_code")
    @classmethod
    def _postal(cls, v: str) -> str:
        if v and not is_postal_code(v):
            raise err("invalid_postal_code", "邮政编码应为6位数字")
        return v

    @field_validator("id_type")
    @classmethod
    def _id_type(cls, v: str) -> str:
        """The type's code, or its name as the message lists it (居民身份证 → resident_id)."""
        code = ID_TYPE_WORDS.get(v.strip())
        if code is None:
            raise err("invalid_id_type", "证件类型无效，可选：" + "、".join(ID_TYPES.values()))
        return code

    @field_validator("id_number")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper().replace(" ", "")

    @model_validator(mode="after")
    def _consistency(self) -> ApplicantIn:
        if self.applicant_type == "natural" and self.applicant_category != "natural":
            raise err("category_mismatch", "自然人申请人的类别应为“自然人”")
        if self.applicant_type == "organization" and self.applicant_category == "natural":
            raise err("category_mismatch", "法人或者其他组织应选择类别：商业企业、科研机构、社会公益组织、法律服务机构或其他")
        problem = id_problem(self.id_type, self.id_number)
        if problem:
            raise err("invalid_id_number", problem)
        if not (self.phone or self.email or self.address):
            raise err("contact_required", "请至少填写一种联系方式（电话、电子邮箱或通信地址）（条例第二十九条）")
        return self


class RequestIn(Strict):
    description: str = Field(min_length=1, max_length=4000)
    document_ref: str = Field("", max_length=200)
    purpose: str = Field("", max_length=1000)
    form_wanted: FormWanted
    obtain_way: ObtainWay


class RegisterIn(ApplicantIn, RequestIn):
    """Front-desk registration (条例第二十九条、第三十一条)."""

    channel: Channel
    received_at: datetime
    confirmed_at: datetime | None = None
    oral: bool = False  # 口头提出，代为填写
    assignee_id: int | None = None
    note: str = Field("", max_length=1000)
    # 补录: an application received long ago (go-live, paper records) is registered with a reason; its receipt
    # notice is then printed and stored, not emailed, unless ``email_notices``.
    backfill_reason: str | None = Field(None, max_length=500)
    email_notices: bool = False

    @field_validator("received_at", "confirmed_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise err("naive_datetime", NAIVE_TIME_MESSAGE)
        return v

    @model_validator(mode="after")
    def _receipt(self) -> RegisterIn:
        if self.obtain_way == "email" and not self.email:
            raise err("email_required", "选择以电子邮件获取信息时，须填写电子邮箱")
        if self.obtain_way == "post" and not self.address:
            raise err("address_required", "选择邮寄获取信息时，须填写通信地址")
        if self.channel in NEEDS_CONFIRMATION and self.confirmed_at is None:
            raise err("confirmation_required",
                      f"以{CHANNELS[self.channel]}方式提交的申请，须填写与申请人确认收到的时间（条例第三十一条）")
        if self.confirmed_at is not None and self.confirmed_at < self.received_at:
            raise err("confirmation_before_receipt", "确认时间不能早于收到时间")
        if self.oral and self.channel != "in_person":
            raise err("oral_in_person", "口头申请应为当面提出")
        return self


def early_id_problem(fields: dict[str, Any]) -> dict[str, str] | None:
    """The ID number's problem as a field error even while another field is missing or wrong (pydantic then skips
    the model-level check that would say it): None when it is right, or the type is not a known one."""
    raw_type, number = fields.get("id_type"), fields.get("id_number")
    id_type = ID_TYPE_WORDS.get(raw_type.strip()) if isinstance(raw_type, str) else None  # as the model reads it
    if id_type is None or not isinstance(number, str) or not number:
        return None
    problem = id_problem(id_type, number.upper().replace(" ", ""))
    return {"field": "id_number", "code": "invalid_id_number", "message": problem} if problem else None


class OnlineSubmissionIn(ApplicantIn, RequestIn):
    """The applicant's own online submission (workflow.portal.submissions): replies go by email, so one is required."""

    @model_validator(mode="after")
    def _online(self) -> OnlineSubmissionIn:
        if not self.email:
            raise err("email_required", "网上申请须填写电子邮箱，用于接收提交确认、接收回执和办理结果")
        if self.obtain_way == "post" and not self.address:
            raise err("address_required", "选择邮寄获取信息时，须填写通信地址")
        return self


# ------------------------------------------------------------------ actions


class Empty(Strict):
    reason: str = Field("", max_length=500)


class AssignIn(Strict):
    assignee_id: int


class ReassignIn(Strict):
    assignee_id: int
    reason: str = Field("", max_length=500)


class CorrectionIn(Strict):
    items: list[str] = Field(min_length=1, max_length=50)
    period_days: int | None = Field(None, ge=1, le=60)
    guidance: str = Field("", max_length=2000)

    @field_validator("items")
    @classmethod
    def _items(cls, v: list[str]) -> list[str]:
        items = [i.strip() for i in v]
        if any(not i for i in items):
            raise err("empty_item", "补正事项不能为空")
        if any(len(i) > 500 for i in items):
            raise err("item_too_long", "每项补正事项不超过500字")
        return items


class ReceiveCorrectionIn(Strict):
    received_date: date | None = None
    note: str = Field("", max_length=1000)
    # 条例第三十条: a correction received after the period is accepted only for the applicant's good reason
    late_reason: str = Field("", max_length=1000)


class ConsultationIn(Strict):
    consultee_kind: Literal["third_party", "agency"]
    consultee_name: str = Field(min_length=1, max_length=200)
    consultee_contact: str = Field("", max_length=300)
    sent_date: date | None = None
    consultee_received_date: date | None = None
    info_description: str = Field("", max_length=2000)  # defaults to the application's description
    interest: str = Field("", max_length=2000)  # 条例第三十二条: how disclosure may affect the third party

    @model_validator(mode="after")
    def _interest(self) -> ConsultationIn:
        if self.consultee_kind == "third_party" and not self.interest:
            raise err("interest_required", "征求第三方意见时，须说明公开可能损害第三方合法权益的情形（条例第三十二条）")
        return self


class OpinionIn(Strict):
    opinion: Literal["agree", "object", "none"]
    received_date: date | None = None
    opinion_text: str = Field("", max_length=2000)


class ExtensionIn(Strict):
    days: int = Field(ge=1, le=20)  # 条例第三十三条第二款: 不得超过20个工作日
    reason: str = Field(min_length=1, max_length=500)


class ApproveExtensionIn(Strict):
    days: int | None = Field(None, ge=1, le=20)
    note: str = Field("", max_length=500)


class NoteIn(Strict):
    note: str = Field("", max_length=500)


class CompletionIn(Strict):
    """What the applicant must add to an online submission before it can be confirmed."""

    message: str = Field(min_length=1, max_length=2000)


class ReasonsIn(Strict):
    """条例第三十五条: ask the applicant to state reasons for a volume/frequency beyond reason."""

    facts: str = Field(min_length=1, max_length=2000)
    period_days: int = Field(10, ge=1, le=60)


class RecordReasonsIn(Strict):
    """条例第三十五条: the reasons the applicant stated, and what the agency finds of them (unreasonable → 不予处理;
    reasonable → the application is handled, with a delayed reply period if it cannot be answered in time)."""

    received_date: date | None = None
    reasons: str = Field("", max_length=2000)
    assessment: Literal["unreasonable", "reasonable"]


class DelayIn(Strict):
    days: int = Field(ge=1, le=250)
    reason: str = Field(min_length=1, max_length=500)


class FeeNoticeIn(Strict):
    method: Literal["item", "page"]
    quantity: int = Field(ge=1, le=1_000_000)
    notice_date: date | None = None


class PaymentIn(Strict):
    paid_date: date | None = None
    receipt_no: str = Field("", max_length=100)


class ReplyIn(Strict):
    category: Category
    reason: str = Field(min_length=1, max_length=40)
    detail: dict[str, str] = Field(default_factory=dict)
    text: str = Field("", max_length=20000)
    documents: list[str] = Field(default_factory=list, max_length=200)  # what is provided (予以公开/部分公开)
    # 条例第三十二条 when a third party objected: is the information it objected to withheld because of the
    # objection, or disclosed over it (only then the reason and the notice to the third party)?
    third_party_objection: Literal["", "withheld", "disclosed"] = ""
    public_interest_reason: str = Field("", max_length=2000)
    objected_content: str = Field("", max_length=2000)  # what is disclosed over the objection (default: documents)


class DeliverIn(Strict):
    method: Literal["post", "email", "in_person", "online", "fax"]
    delivered_date: date | None = None
    tracking_no: str = Field("", max_length=64)
    signer: str = Field("", max_length=100)

    @model_validator(mode="after")
    def _post(self) -> DeliverIn:
        if self.method == "post" and not self.tracking_no:
            raise err("tracking_required", "邮寄送达须填写邮件号码（如EMS单号）")
        return self


class WithdrawIn(Strict):
    reason: str = Field("", max_length=500)
    withdrawn_date: date | None = None


class RemedyIn(Strict):
    kind: Literal["reconsideration", "litigation_direct", "litigation_after_reconsideration"]
    filed_date: date
    outcome: Literal["upheld", "corrected", "other", "pending"] = "pending"
    decided_date: date | None = None
    note: str = Field("", max_length=1000)
    remedy_id: int | None = None


PAYLOADS: dict[str, type[BaseModel]] = {
    "confirm_submission": NoteIn,
    "request_completion": CompletionIn,
    "discard_submission": Empty,
    "assign": AssignIn,
    "reassign": ReassignIn,
    "request_correction": CorrectionIn,
    "receive_correction": ReceiveCorrectionIn,
    "lapse_correction": Empty,
    "start_consultation": ConsultationIn,
    "record_opinion": OpinionIn,
    "lapse_consultation": Empty,
    "request_extension": ExtensionIn,
    "approve_extension": ApproveExtensionIn,
    "deny_extension": NoteIn,
    "request_reasons": ReasonsIn,
    "record_reasons": RecordReasonsIn,
    "set_delay": DelayIn,
    "send_fee_notice": FeeNoticeIn,
    "record_payment": PaymentIn,
    "lapse_fee": Empty,
    "reply": ReplyIn,
    "deliver": DeliverIn,
    "archive": Empty,
    "withdraw": WithdrawIn,
    "record_remedy": RemedyIn,
    "urge": NoteIn,
    "supervise": NoteIn,
}


def parse_payload(action: str, data: dict[str, Any]) -> BaseModel:
    """Validate an action's payload (raises pydantic.ValidationError)."""
    return PAYLOADS[action].model_validate(data)
