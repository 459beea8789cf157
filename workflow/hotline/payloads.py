"""Payload schemas of the 12345 work-order actions, with Chinese error messages.

``parse_payload(RequestExtensionPayload, data, max_extension_days=…)`` (typed, for the one workflow
function per action) or ``validate_payload(trigger, data, …)`` returns the validated model or raises
``PayloadError`` whose ``problems`` are ``(field, 中文说明)`` pairs. Field names equal the ``payload``
keys of each row in ``states.hotline.TRANSITIONS`` (a test keeps them in step).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from states.hotline import (
    CALLBACK_LABELS,
    TERMINATION_GROUND_LABELS,
    CallbackResult,
    TerminationGround,
)
from workflow.inputs import Clean

FIELD_LABELS = {
    "note": "备注", "reason": "理由", "days": "延期天数", "text": "答复内容", "result_text": "办理结果",
    "attachment_ids": "附件", "result": "回访结果", "assignee_id": "承办人", "unit_id": "承办科室",
    "platform_due_at": "平台办理时限", "ground": "终止办理情形", "into_order_no": "并入的工单编号",
    "applicant": "申请人信息", "request": "申请内容",
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


def _from_label(labels: Mapping[str, str]) -> BeforeValidator:
    """Accept the Chinese label as well as the code (满意 → satisfied)."""
    reverse = {v: k for k, v in labels.items()}
    return BeforeValidator(lambda v: reverse.get(v.strip(), v.strip()) if isinstance(v, str) else v)


class Payload(Clean):
    """Base of the action payloads: unknown keys are refused, models are immutable, text/integers/dates
    checked (workflow.inputs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NotePayload(Payload):
    note: Note = ""


class ReasonPayload(Payload):
    reason: Text


class AssignPayload(Payload):
    assignee_id: int = Field(gt=0)
    unit_id: int | None = Field(default=None, gt=0)
    note: Note = ""


class ReassignPayload(Payload):
    reason: Text
    platform_due_at: AwareDatetime | None = None


def _check_days(days: int, info: ValidationInfo) -> int:
    top = (info.context or {}).get("max_extension_days")
    if top is None:
        raise PydanticCustomError("no_max", "未设置延期上限（时限方案 max_extension_days）")
    if days > top:
        raise PydanticCustomError("extension_too_long", "延期天数不能超过{max}个工作日", {"max": top})
    return days


class RequestExtensionPayload(Payload):
    reason: Text
    days: int = Field(ge=1)

    @field_validator("days")
    @classmethod
    def check_days(cls, days: int, info: ValidationInfo) -> int:
        return _check_days(days, info)


class ApproveExtensionPayload(Payload):
    days: int = Field(ge=1)
    note: Note = ""

    @field_validator("days")
    @classmethod
    def check_days(cls, days: int, info: ValidationInfo) -> int:
        return _check_days(days, info)


class InterimReplyPayload(Payload):
    text: LongText


class ReplyPayload(Payload):
    result_text: LongText
    attachment_ids: list[Annotated[int, Field(gt=0)]] = Field(default_factory=list)


class RecordCallbackPayload(Payload):
    result: Annotated[CallbackResult, _from_label(CALLBACK_LABELS)]
    note: Note = ""


class RequestTerminationPayload(Payload):
    reason: Text
    ground: Annotated[TerminationGround, _from_label(TERMINATION_GROUND_LABELS)]


class ConvertToDisclosurePayload(ReasonPayload):
    """转依申请公开: the applicant and the request as 条例第二十九条 needs them.

    Checked by the disclosure input models when the action runs (``workflow.hotline.links``); the
    name, phone and description default to the order's caller and content.
    """

    applicant: dict[str, Any] | None = None  # workflow.disclosure.payloads.ApplicantIn fields
    request: dict[str, Any] | None = None  # workflow.disclosure.payloads.RequestIn fields


class MergePayload(Payload):
    into_order_no: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    note: Note = ""


P = TypeVar("P", bound="Payload")

PAYLOADS: dict[str, type[Payload]] = {
    "sign_for": NotePayload,
    "assign": AssignPayload,
    "start_handling": NotePayload,
    "return_order": ReasonPayload,
    "accept_return": NotePayload,
    "reject_return": NotePayload,
    "reassign": ReassignPayload,
    "request_extension": RequestExtensionPayload,
    "approve_extension": ApproveExtensionPayload,
    "deny_extension": NotePayload,
    "interim_reply": InterimReplyPayload,
    "reply": ReplyPayload,
    "record_callback": RecordCallbackPayload,
    "rehandle": ReasonPayload,
    "close": NotePayload,
    "urge": NotePayload,
    "supervise": NotePayload,
    "request_termination": RequestTerminationPayload,
    "approve_termination": NotePayload,
    "deny_termination": NotePayload,
    "convert_to_disclosure": ConvertToDisclosurePayload,
    "merge": MergePayload,
}


class PayloadError(ValueError):
    """Invalid action input; ``problems`` are (field, Chinese message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("；".join(m for _, m in problems))
        self.problems = problems


# pydantic error type → what follows the field's label in the message
_AFTER_LABEL = {
    "missing": "为必填项",
    "string_too_short": "不能为空",
    "string_type": "应为文本",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "datetime_parsing": "不是有效的时间", "datetime_type": "不是有效的时间", "datetime_from_date_parsing": "不是有效的时间",
    "timezone_aware": "须带时区",
    "list_type": "应为列表",
    "dict_type": "应为键值对",
}


def _message(err: Mapping[str, Any]) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    field = str(err["loc"][0]) if err["loc"] else ""
    label = FIELD_LABELS.get(field, field)
    if kind in _AFTER_LABEL:
        return label + _AFTER_LABEL[kind]
    if kind == "extra_forbidden":
        return f"不接受的字段“{field}”"
    if kind == "string_too_long":
        return f"{label}过长（最多{ctx.get('max_length')}字）"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{label}应大于{'或等于' if kind == 'greater_than_equal' else ''}{ctx.get('ge', ctx.get('gt'))}"
    if kind == "enum":
        labels = CALLBACK_LABELS if field == "result" else TERMINATION_GROUND_LABELS
        return f"{label}的取值无效，应为以下之一：{' / '.join(labels.values())}"
    if kind == "model_type":
        return "提交的数据应为键值对"
    if kind in ("control_characters", "out_of_range", "date_out_of_range"):  # workflow.inputs
        return f"{label}{err['msg']}"
    if kind in ("no_max", "extension_too_long"):
        return str(err["msg"])  # ours, already Chinese
    return f"{label}的值无效"


def parse_payload(model: type[P], data: Mapping[str, Any] | None, max_extension_days: int | None = None) -> P:
    """Validate input for a known action (typed); the extension actions need the profile's maximum."""
    try:
        return model.model_validate(data or {}, context={"max_extension_days": max_extension_days})
    except ValidationError as exc:
        problems = [(str(e["loc"][0]) if e["loc"] else "", _message(e)) for e in exc.errors()]
        raise PayloadError(problems) from exc


def validate_payload(trigger: str, data: Mapping[str, Any] | None,
                     max_extension_days: int | None = None) -> Payload:
    """Validate input by trigger name (for generic callers such as the API's action endpoint)."""
    model = PAYLOADS.get(trigger)
    if model is None:
        raise PayloadError([("", f"未知的操作：{trigger}")])
    return parse_payload(model, data, max_extension_days)
