"""Response models shared by the JSON API's routers (issue 17: API responses typed with response models).

Each model describes what a route answers today, key for key: the same names, nesting and types, nullable where
the value can be null. The routers' own answers are modelled beside them (web.api.auth, .disclosures, …); what
several share is here: a case's clocks, actions, timeline and approvals.

``ApiOut`` keeps what a model does not name (``extra="allow"``): FastAPI filters an answer through its response
model, and a key the model forgot would otherwise vanish from the answer without a word. tests/web/test_api_schemas
calls every operation and fails on a key a model does not declare, and on any value the model changed.
Times and dates are the ISO 8601 strings the workflow writes (kept as strings: re-parsing them would change their
spelling, e.g. ``+00:00`` → ``Z``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from workflow.inputs import DayOrInstant

# A JSON number as the workflow wrote it: an integer stays an integer (``float`` would answer 15.0 for 15).
Number = Annotated[int | float, WithJsonSchema({"type": "number"})]


# A list's due bounds: an instant with its offset, or a date alone — a day of the listed agency (its zone). A time
# without offset is refused (422 at the field): the API never guesses whose clock it was read from.
DueBefore = Annotated[DayOrInstant | None, Query(
    description="下一期限不晚于此时（含）：带时区的时间，如 2026-12-04T18:00+08:00；或只写日期 2026-12-04，"
                "即该日24:00（本机关时区），含当日到期的。不带时区的时间不接受（422）",
    examples=["2026-12-04", "2026-12-04T18:00:00+08:00"])]
DueAfter = Annotated[DayOrInstant | None, Query(
    description="下一期限不早于此时（含）：带时区的时间，如 2026-12-04T08:00+08:00；或只写日期 2026-12-04，"
                "即该日0:00之后（本机关时区），当日及以后到期的。不带时区的时间不接受（422）",
    examples=["2026-12-04", "2026-12-04T08:00:00+08:00"])]


class ApiOut(BaseModel):
    """Base of every response model: undeclared keys pass through (never silently dropped)."""

    model_config = ConfigDict(extra="allow")


class ListedCaseOut(ApiOut):  # workflow.cases.keyset: what every kind's list row ends with
    """列表中一件案件的共同部分：承办人、最近的期限、逾期情况和版本"""

    assignee_id: int | None
    next_due_at: str | None = Field(description="最近一个计时中的期限")
    overdue: bool
    overdue_level: int
    version: int


class ActionRef(ApiOut):
    action: str = Field(description="操作代码（用于 POST …/actions/{action}）")
    label: str = Field(description="操作名称")


class UnavailableAction(ApiOut):
    """本状态下您的角色可以执行、但现在不能执行的操作及原因"""

    action: str
    label: str
    reason: str = Field(description="现在不能执行的原因")


class AssigneeRef(ApiOut):
    id: int
    name: str | None = Field(description="承办人姓名（本机关以外的人员为 null）")


class ClockOut(ApiOut):  # workflow.cases.clocks.clock_view
    """案件的一个期限"""

    urgency: Literal["overdue", "soon", ""] = Field(description="overdue 已逾期；soon 即将到期；空为其他")
    kind: str = Field(description="期限种类代码")
    label: str = Field(description="期限名称")
    cycle: int = Field(description="办理周期（12345 工单重办、改派后加一）")
    status: str = Field(description="running 计时中 / paused 暂停 / met 已完成 / lapsed 已届满 / cancelled 已取消")
    status_label: str
    passed: bool = Field(description="计时中且已过期限")
    due_date: str | None
    due_at: str | None
    provisional: bool = Field(description="跨入尚未发布节假日安排的年度：结果为暂定")
    missing_years: list[int]
    calendar_version: int
    deadline_version: int
    overdue_level: int = Field(description="已发出的催办、督办级数")
    met_at: str | None
    breached_at: str | None
    explanation: list[str] = Field(description="期限如何计算的说明（中文，逐行）")


class EventOut(ApiOut):
    """办理记录中的一步"""

    model_config = ConfigDict(populate_by_name=True)
    id: int
    action: str
    label: str
    actor: str = Field(description="办理人（系统操作为“系统”）")
    from_: str | None = Field(alias="from", description="操作前状态")
    to: str | None = Field(description="操作后状态")
    payload: dict[str, Any] = Field(description="该步骤记录的内容（因操作而异）")
    at: str


class ApprovalOut(ApiOut):
    """待负责人或平台审批、或已审批的申请（如延期）"""

    id: int
    agency_id: int
    case_kind: str
    case_id: int
    kind: str = Field(description="申请种类，如 extension（延期）")
    payload: dict[str, Any]
    status: str = Field(description="pending 待审批 / approved 已批准 / denied 未批准")
    requested_by: int | None
    requested_at: str
    decided_by: int | None
    decided_at: str | None
    decision_note: str


class FieldErrorOut(ApiOut):
    field: str = Field(description="出错的字段（空：整个请求）")
    code: str = Field(description="问题代码")
    message: str = Field(description="问题（中文）")
    line: int | None = Field(None, description="上传的文件中的行号（节假日安排等文件有误时，能确定行号的）")


class ErrorDetailOut(ApiOut):  # web.errors.ApiError
    """出了什么问题；有的错误另带字段（如 current_version、retry_after）"""

    code: str = Field(description="错误代码，如 invalid_input、not_found、forbidden、stale_version、illegal_action")
    message: str = Field(description="说明（中文）")
    fields: list[FieldErrorOut] | None = Field(None, description="各字段的问题（输入有误时）")
    allowed_actions: list[str] | None = Field(None, description="现在可以执行的操作（操作被拒绝时）")


class ErrorOut(ApiOut):
    """所有错误的应答：{"error": {"code", "message", …}}"""

    error: ErrorDetailOut


# Every API router documents its errors in their one shape (instead of FastAPI's {"detail": …} for 422)
ERRORS: dict[int | str, dict[str, Any]] = {
    "default": {"model": ErrorOut, "description": "出错（4xx、5xx）：error.code 为错误代码，error.message 为中文说明"}}


BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
ANY_FILE = "*/*"  # a stored file answers in its own type (PDF, JPG, PNG, DOCX …)


def file_answer(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route answering a file: its media types, no JSON schema (with ``response_class=
    Response``, FastAPI then lists no application/json of its own)."""
    return {200: {"description": description, "content": {m.split(";")[0]: BINARY for m in media_types}}}


__all__ = ["ANY_FILE", "BINARY", "ERRORS", "ActionRef", "ApiOut", "ApprovalOut", "AssigneeRef", "ClockOut",
           "ErrorOut", "EventOut", "Number", "UnavailableAction", "file_answer"]
