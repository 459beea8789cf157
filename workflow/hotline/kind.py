"""The 12345 work order (12345政务服务便民热线工单) as a case kind of the shared engine (workflow.cases)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from db.models import WorkOrder
from states.hotline import ACTION_LABELS, MACHINE, OPEN_STATES, RESOLUTION_BY_TRIGGER, STATE_LABELS
from states.vocab import CaseKindName, ClockStatus
from states.wording import CASE_KINDS, CASE_NOUNS, NO_ASSIGNEE
from workflow.cases.kind import CaseKind, CaseList, register
from workflow.errors import DomainValidation
from workflow.hotline.context import KIND, Ctx, build_facts, refresh_next_due, stop_open_clocks
from workflow.hotline.handlers import HANDLERS, cancel_pending
from workflow.hotline.ladders import escalation_ladders, reminder_ladders
from workflow.hotline.payloads import PAYLOADS, PayloadError, parse_payload
from workflow.hotline.plan import CLOCKS

# 我的案件 / 案件查询 and the caseload: the caller's phone masked; no identity number; received at an instant
LISTING = CaseList(
    label=CASE_KINDS[CaseKindName.WORKORDER], state_labels=STATE_LABELS, open_states=OPEN_STATES,
    search=("order_no", "caller_name", "title", "content"), applicant="caller_name", phone="caller_phone",
    received_at="received_at", unit="unit_id", unassigned=NO_ASSIGNEE[KIND],
)
PRIVATE = frozenset({"applicant", "request"})  # identity data lives on the disclosure row, not in this event


def _parse(ctx: Ctx, action: str, raw: Mapping[str, Any] | None) -> BaseModel:
    try:
        return parse_payload(PAYLOADS[action], raw, max_extension_days=ctx.limits().max_extension_days)
    except PayloadError as exc:
        raise DomainValidation([{"field": f, "code": "invalid_payload", "message": m}
                                for f, m in exc.problems]) from exc


def _after_fire(ctx: Ctx, action: str) -> None:
    """An action that ends the order (accept_return, close, merge, …) closes its cycle and clocks."""
    resolution = RESOLUTION_BY_TRIGGER.get(action)
    if resolution is None:
        return
    ctx.row.resolution, ctx.row.closed_at = resolution.value, ctx.now
    stop_open_clocks(ctx, ClockStatus.CANCELLED)
    cancel_pending(ctx, "工单已关闭")
    cyc = ctx.cycle_row()
    cyc.ended_at = ctx.now
    ctx.session.add(cyc)


def _event_payload(payload: BaseModel) -> dict[str, Any]:
    return payload.model_dump(mode="json", exclude=set(PRIVATE & set(type(payload).model_fields)))


HOTLINE = register(CaseKind(
    name=KIND, noun="工单", table=WorkOrder, machine=MACHINE, labels=ACTION_LABELS, make_ctx=Ctx,
    facts=build_facts, parse=_parse, handlers=HANDLERS, refresh=refresh_next_due, after_fire=_after_fire,
    event_payload=_event_payload, received=lambda row: row.received_at,
    not_yours="该工单未交办给您，您无权查看或办理",
    clocks=CLOCKS, title=CASE_NOUNS[KIND], path="/workorders", ref_number=("order_no",), ref_summary=("title", "content"),
    # the order's own urge/supervise (system rows whose guards read its profile's ladder) carry out each step
    reminder_ladders=reminder_ladders, escalation_ladders=escalation_ladders, presses_itself=True, listing=LISTING,
    entered=lambda row: row.created_at,
))
