"""What each 12345 work-order action does beyond the state change: fields, cycles, clocks, notices.

Handlers run inside the action's transaction (``workflow.cases.engine.fire``) and never commit. Decisions
of the hotline platform (return, extension, termination, re-handling, closing) are *recorded* here by
the agency's desk; the agency itself only requests them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlmodel import col, select

from db.models import ApprovalRequest, StoredFile, Unit, User, WorkOrder, WorkOrderCycle
from states.hotline import CALLBACK_LABELS, TERMINATION_GROUND_LABELS
from states.vocab import OPEN_CLOCK, ApprovalStatus, ClockStatus
from workflow.cases.assignment import validate_assignee
from workflow.cases.clocks import add_adjustment, start_planned, stop_clock
from workflow.cases.pressing import hour_overdue, press
from workflow.disclosure.context import agency_snapshot
from workflow.errors import DomainValidation
from workflow.hotline import payloads as P
from workflow.hotline.context import (
    KIND,
    Ctx,
    notify_assigned,
    notify_overdue,
    notify_reply,
    overdue_index,
    pending_approval,
    stop_open_clocks,
)
from workflow.hotline.links import convert_to_disclosure
from workflow.hotline.plan import DUTY_KINDS

Handler = Callable[[Ctx, Any], None]


def _iso(ctx: Ctx, kind: str) -> str | None:
    c = ctx.clocks().get(kind)
    return c.due_at.isoformat() if c is not None and c.due_at else None


def _meet(ctx: Ctx, kind: str) -> bool | None:
    """Stop a running clock of the current cycle as met; whether it was met in time (None: no clock)."""
    c = ctx.clocks().get(kind)
    if c is None or c.status not in OPEN_CLOCK:
        return None
    on_time = bool(c.due_at and ctx.now <= c.due_at)
    stop_clock(c, status=ClockStatus.MET, now=ctx.now)
    ctx.session.add(c)
    return on_time


def cancel_pending(ctx: Ctx, note: str) -> None:
    """A request the platform never decided on is moot once the order moves on (replied or closed)."""
    for kind in ("extension",):
        req = pending_approval(ctx.session, ctx.case_id, kind)
        if req is not None:
            req.status, req.decided_at, req.decision_note = ApprovalStatus.CANCELLED, ctx.now, note
            ctx.session.add(req)


def open_cycle(ctx: Ctx, reason: str, text: str, *, platform_due: Any, sign_for: bool, return_window: bool) -> None:
    """A new handling cycle with fresh clocks; the previous cycle's row keeps its figures."""
    row = ctx.row
    old = ctx.cycle_row()
    old.ended_at = ctx.now
    ctx.session.add(old)
    stop_open_clocks(ctx, ClockStatus.CANCELLED)
    row.cycle += 1
    row.extensions_used, row.overdue_level = 0, 0
    row.callback_result, row.callback_note, row.state_before_return = None, "", None
    label = {"rehandle": "退回重办", "reassign": "平台改派"}[reason]
    cp = ctx.planner.plan_cycle(row.category, row.urgency, ctx.now, platform_due, reason=label,
                                sign_for=sign_for, return_window=return_window)
    ctx.session.add(WorkOrderCycle(workorder_id=ctx.case_id, cycle=row.cycle, reason=reason, reason_text=text,
                                   started_at=ctx.now, sign_for_due_at=cp.sign_for_due_at,
                                   handling_due_at=cp.handling_due_at, due_source=cp.due_source))
    for plan in cp.clocks:
        start_planned(ctx.session, plan, agency_id=row.agency_id, case_kind=KIND, case_id=ctx.case_id, cal=ctx.cal,
                      now=ctx.now, tz=ctx.tz, cycle=row.cycle, assignee_id=row.assignee_id)
    ctx.session.flush()
    ctx.event.update({"cycle": row.cycle, "handling_due_at": cp.handling_due_at.isoformat(),
                      "due_source": cp.due_source})
    ctx.result["cycle"] = row.cycle


# ------------------------------------------------------------------ handlers


def h_sign_for(ctx: Ctx, p: P.NotePayload) -> None:
    due = _iso(ctx, "sign_for")
    on_time = _meet(ctx, "sign_for")
    cyc = ctx.cycle_row()
    cyc.signed_at, cyc.signed_on_time = ctx.now, on_time
    ctx.session.add(cyc)
    ctx.event.update({"sign_for_due_at": due, "on_time": on_time})


def h_assign(ctx: Ctx, p: P.AssignPayload) -> None:

    user = validate_assignee(ctx.session, ctx.row.agency_id, p.assignee_id)
    unit_id = user.unit_id
    if p.unit_id is not None:
        unit = ctx.session.get(Unit, p.unit_id)
        if unit is None or unit.agency_id != ctx.row.agency_id:
            raise DomainValidation.one("unit_id", "invalid_unit", "承办科室不存在或不属于本机关")
        unit_id = unit.id
    old = ctx.row.assignee_id
    ctx.row.assignee_id, ctx.row.unit_id = user.id, unit_id
    for c in ctx.clocks().values():
        c.assignee_id = user.id
        ctx.session.add(c)
    ctx.event.update({"assignee": user.display_name, "previous_assignee_id": old})
    notify_assigned(ctx, user, p.note)


def h_noop(ctx: Ctx, p: BaseModel) -> None:
    """Actions whose effect is the state change and the audit event (their payload is in the event)."""


def h_return_order(ctx: Ctx, p: P.ReasonPayload) -> None:
    # 潍坊条例第二十二条; 山东办法 (2020): return with reasons within the window (checked by the guard).
    ctx.event["return_window_due_at"] = _iso(ctx, "return_window")
    ctx.row.state_before_return = ctx.row.state
    _meet(ctx, "return_window")


def h_reject_return(ctx: Ctx, p: P.NotePayload) -> None:
    ctx.event["back_to"] = ctx.row.state_before_return
    ctx.row.state_before_return = None


def h_reassign(ctx: Ctx, p: P.ReassignPayload) -> None:
    """改派 back to this agency (国办函〔2025〕66号 (五)): a fresh dispatch, new cycle, fresh clocks."""
    ctx.row.platform_due_at = p.platform_due_at
    open_cycle(ctx, "reassign", p.reason, platform_due=p.platform_due_at, sign_for=True, return_window=True)


def h_request_extension(ctx: Ctx, p: P.RequestExtensionPayload) -> None:
    """延期申请 before the deadline, with reason and period; the hotline platform decides."""
    ctx.session.add(ApprovalRequest(agency_id=ctx.row.agency_id, case_kind=KIND, case_id=ctx.case_id,
                                    kind="extension", payload={"days": p.days, "reason": p.reason},
                                    requested_by=ctx.actor.id, requested_at=ctx.now))
    ctx.event["handling_due_at"] = _iso(ctx, "handling")


def h_approve_extension(ctx: Ctx, p: P.ApproveExtensionPayload) -> None:
    """The platform approved (recorded by the desk): the handling clock moves by the approved days."""
    req = pending_approval(ctx.session, ctx.case_id)
    assert req is not None  # guard EXTENSION_PENDING
    req.status, req.decided_by, req.decided_at, req.decision_note = ApprovalStatus.APPROVED, ctx.actor.id, ctx.now, p.note
    ctx.session.add(req)
    handling = ctx.clocks()["handling"]
    old_at = handling.due_at
    add_adjustment(ctx.session, handling, kind="extension", workdays=p.days, cal=ctx.cal, now=ctx.now, tz=ctx.tz,
                   reason=str(req.payload.get("reason", "")), actor_id=req.requested_by, approver_id=ctx.actor.id)
    cyc = ctx.cycle_row()
    cyc.extensions_used += 1
    cyc.extension_days += p.days
    cyc.handling_due_at = handling.due_at
    ctx.session.add(cyc)
    ctx.row.extensions_used += 1
    ctx.row.extension_days_total += p.days
    ctx.event.update({"days": p.days, "requested_days": req.payload.get("days"),
                      "old_due_at": old_at.isoformat() if old_at else None,
                      "new_due_at": handling.due_at.isoformat() if handling.due_at else None})


def h_deny_extension(ctx: Ctx, p: P.NotePayload) -> None:
    """A refusal does not use up an extension; the original deadline stands."""
    req = pending_approval(ctx.session, ctx.case_id)
    assert req is not None
    req.status, req.decided_by, req.decided_at, req.decision_note = ApprovalStatus.DENIED, ctx.actor.id, ctx.now, p.note
    ctx.session.add(req)


def _attachments(ctx: Ctx, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    files = ctx.session.exec(select(StoredFile).where(col(StoredFile.id).in_(ids))).all()
    found = {f.id: f for f in files if f.agency_id == ctx.row.agency_id
             and f.case_kind in (None, KIND) and f.case_id in (None, ctx.case_id)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainValidation.one("attachment_ids", "unknown_file",
                                   f"附件不存在或不属于本工单：{'、'.join(str(i) for i in missing)}")
    return [{"id": i, "filename": found[i].filename} for i in ids]


def h_reply(ctx: Ctx, p: P.ReplyPayload) -> None:
    """答复来电人并反馈热线 (济南条例第二十四条、潍坊条例第二十条); the callback window starts."""
    attachments = _attachments(ctx, p.attachment_ids)
    due = _iso(ctx, "handling")
    _meet(ctx, "sign_for")  # replying straight after signing for
    on_time = _meet(ctx, "handling")
    ret = ctx.clocks().get("return_window")
    if ret is not None and ret.status in OPEN_CLOCK:
        stop_clock(ret, status=ClockStatus.CANCELLED, now=ctx.now)
        ctx.session.add(ret)
    cancel_pending(ctx, "已反馈办理结果，延期申请不再需要")
    cyc = ctx.cycle_row()
    cyc.replied_at, cyc.replied_on_time = ctx.now, on_time
    ctx.session.add(cyc)
    ctx.row.result_text, ctx.row.replied_at = p.result_text, ctx.now
    plan = ctx.planner.plan_limit("callback", "callback_window", ctx.limits(), ctx.now, "反馈办理结果")
    start_planned(ctx.session, plan, agency_id=ctx.row.agency_id, case_kind=KIND, case_id=ctx.case_id, cal=ctx.cal,
                  now=ctx.now, tz=ctx.tz, cycle=ctx.row.cycle, assignee_id=ctx.row.assignee_id)
    ctx.event.update({"handling_due_at": due, "on_time": on_time, "attachments": attachments})
    ctx.result["on_time"] = on_time
    notify_reply(ctx, p.result_text, attachments)


def h_record_callback(ctx: Ctx, p: P.RecordCallbackPayload) -> None:
    """回访 (济南条例第二十七条、潍坊条例第二十五条): the result stays with this cycle."""
    _meet(ctx, "callback")
    ctx.row.callback_result, ctx.row.callback_note = p.result.value, p.note
    cyc = ctx.cycle_row()
    cyc.callback_result = p.result.value
    ctx.session.add(cyc)
    ctx.event["result_label"] = CALLBACK_LABELS[p.result]


def h_rehandle(ctx: Ctx, p: P.ReasonPayload) -> None:
    """重办 (济南条例第二十七条第二款): a new handling cycle with the category's time limit from today."""
    open_cycle(ctx, "rehandle", p.reason, platform_due=None, sign_for=False, return_window=False)
    assignee = ctx.session.get(User, ctx.row.assignee_id) if ctx.row.assignee_id is not None else None
    if assignee is not None:
        notify_assigned(ctx, assignee, f"退回重办：{p.reason}")


def _escalate(ctx: Ctx, step: str, note: str) -> None:
    """催办 / 督办 (济南条例第二十八条；潍坊条例第二十六条): one ladder step, marked on the overdue clocks."""
    clocks = ctx.clocks()
    idx = overdue_index(ctx, clocks)
    # overdue_level counts ladder steps passed: firing 督办 before 催办 passes both (escalations_due).
    steps = [s.action for s in ctx.limits().escalation]
    ctx.row.overdue_level = steps.index(step, ctx.row.overdue_level) + 1  # type: ignore[arg-type]
    overdue = [c for c in clocks.values()
               if c.kind in DUTY_KINDS and c.status in OPEN_CLOCK and c.due_at and ctx.now > c.due_at]
    for c in overdue:
        c.overdue_level = ctx.row.overdue_level
        c.breached_at = c.breached_at or c.due_at  # the breach is when the limit passed, not when noticed
        ctx.session.add(c)
    days = 0 if idx is None else idx + 1
    ctx.event.update({"step": ctx.row.overdue_level, "overdue_workdays": days, "note": note})
    if overdue:
        worst = min(overdue, key=lambda c: c.due_at or ctx.now)
        notify_overdue(ctx, 1 if step == "urge" else 2, worst, days,
                       hour_overdue(worst, ctx.cal, ctx.cfg.hours(), ctx.now))


def _step(ctx: Ctx, step: str, note: str) -> None:
    """The scheduler climbs the ladder; a leader presses by hand (recorded and notified, the ladder untouched)."""
    if ctx.actor.is_system:
        _escalate(ctx, step, note)
        return
    press(ctx, kind=KIND, step=step, note=note, number=ctx.row.order_no, summary=(ctx.row.title or ctx.row.content)[:60],
          clocks=list(ctx.clocks().values()), agency=agency_snapshot(ctx.agency, ctx.cfg))


def h_urge(ctx: Ctx, p: P.NotePayload) -> None:
    _step(ctx, "urge", p.note)


def h_supervise(ctx: Ctx, p: P.NotePayload) -> None:
    _step(ctx, "supervise", p.note)


def h_request_termination(ctx: Ctx, p: P.RequestTerminationPayload) -> None:
    """终止办理 is asked in writing and reviewed by the hotline office (潍坊条例第二十一条)."""
    ctx.row.terminated_reason = f"{TERMINATION_GROUND_LABELS[p.ground]}：{p.reason}"
    ctx.event["ground_label"] = TERMINATION_GROUND_LABELS[p.ground]


def h_deny_termination(ctx: Ctx, p: P.NotePayload) -> None:
    ctx.row.terminated_reason = None


def h_merge(ctx: Ctx, p: P.MergePayload) -> None:
    """并单 (国办函〔2025〕66号 (五)): closed into the lead order, which lists this one as related."""
    target = ctx.session.exec(select(WorkOrder).where(WorkOrder.agency_id == ctx.row.agency_id,
                                                      WorkOrder.platform == ctx.row.platform,
                                                      WorkOrder.order_no == p.into_order_no)).first()
    if target is None:
        raise DomainValidation.one("into_order_no", "not_found", f"未找到工单“{p.into_order_no}”")
    if target.id == ctx.case_id:
        raise DomainValidation.one("into_order_no", "self", "不能并入本工单自身")
    ctx.row.merged_into_id = target.id
    target.related_ids = [*target.related_ids, ctx.case_id]
    target.updated_at = ctx.now
    ctx.session.add(target)
    ctx.event["into_id"] = target.id


def h_close_with_note(ctx: Ctx, p: BaseModel) -> None:
    """accept_return / approve_termination / close: the closing itself is generic (_fire)."""
    ctx.row.state_before_return = None


HANDLERS: dict[str, Handler] = {
    "sign_for": h_sign_for,
    "assign": h_assign,
    "start_handling": h_noop,
    "return_order": h_return_order,
    "accept_return": h_close_with_note,
    "reject_return": h_reject_return,
    "reassign": h_reassign,
    "request_extension": h_request_extension,
    "approve_extension": h_approve_extension,
    "deny_extension": h_deny_extension,
    "interim_reply": h_noop,
    "reply": h_reply,
    "record_callback": h_record_callback,
    "rehandle": h_rehandle,
    "close": h_close_with_note,
    "urge": h_urge,
    "supervise": h_supervise,
    "request_termination": h_request_termination,
    "approve_termination": h_close_with_note,
    "deny_termination": h_deny_termination,
    "convert_to_disclosure": convert_to_disclosure,
    "merge": h_merge,
}
