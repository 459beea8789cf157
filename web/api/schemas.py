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

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

# A JSON number as the workflow wrote it: an integer stays an integer (``float`` would answer 15.0 for 15).
Number = Annotated[int | float, WithJsonSchema({"type": "number"})]

OK = "成功"  # the default description of a 2xx answer in the API reference (was FastAPI's "Successful Response")


class ApiOut(BaseModel):
    """Base of every response model: undeclared keys pass through (never silently dropped)."""

    model_config = ConfigDict(extra="allow")


class ActionRef(ApiOut):
    action: str = Field(description="操作代码（用于 POST …/actions/{action}）")
    label: str = Field(description="操作名称")


class UnavailableAction(ApiOut):
    """An action of the current state the reader's role could take, not available now, with the reason."""

    action: str
    label: str
    reason: str = Field(description="现在不能执行的原因")


class AssigneeRef(ApiOut):
    id: int
    name: str | None = Field(description="承办人姓名（本机关以外的人员为 null）")


class ClockOut(ApiOut):
    """A time limit of a case as screens show it (workflow.cases.clocks.clock_view)."""

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
    """One step of a case's audit trail."""

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
    """A request awaiting, or decided by, a leader or the platform (e.g. an extension)."""

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


BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
ANY_FILE = "*/*"  # a stored file answers in its own type (PDF, JPG, PNG, DOCX …)


def file_answer(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route answering a file: its media types, no JSON schema (with ``response_class=
    Response``, FastAPI then lists no application/json of its own)."""
    return {200: {"description": description, "content": {m.split(";")[0]: BINARY for m in media_types}}}


__all__ = ["ANY_FILE", "BINARY", "OK", "ActionRef", "ApiOut", "ApprovalOut", "AssigneeRef", "ClockOut", "EventOut",
           "Number", "UnavailableAction", "file_answer"]
