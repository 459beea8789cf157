"""Per-action context for 12345 work orders: the row, agency config, calendar, profile, the current
cycle's clocks, the facts the guards read, and the notices an action leaves in the outbox."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from db.models import ApprovalRequest, Clock, Unit, User, WorkOrder, WorkOrderCycle
from notifications.context import case_ref
from states.calendar import WorkCalendar
from states.hotline import CATEGORY_LABELS
from states.hotline_profiles import (
    Profile,
    ResolvedLimits,
    escalations_due,
    hour_escalations_due,
    hour_steps_reached,
)
from states.roles import Role
from states.vocab import OPEN_CLOCK, ApprovalStatus, CaseKindName, ClockStatus
from states.wording import CASE_NOUNS
from workflow.accounts.roles import holders
from workflow.agencies.config import AgencyConfig
from workflow.cases.clocks import CLOCK_KINDS, INSTANT_UNITS, case_clocks, stop_clock
from workflow.cases.context import CaseCtx
from workflow.disclosure.context import agency_snapshot
from workflow.hotline.plan import BINDING_KINDS, DUTY_KINDS, Planner
from workflow.hotline.profiles import get_profile
from workflow.timesource import fmt_local, local_date

KIND = CaseKindName.WORKORDER


@functools.lru_cache(maxsize=32)
def cached_profile(code: str) -> Profile:
    """Profiles are read from workflow/hotline/data/profiles once per process (restart to pick up an edited file)."""
    return get_profile(code)


def planner_for(cfg: AgencyConfig, cal: WorkCalendar, profile_code: str | None = None) -> Planner:
    return Planner(cached_profile(profile_code or cfg.hotline_profile), cfg.hotline_overrides, cal, cfg.hours())


@dataclass
class Ctx(CaseCtx):
    """Everything one 12345 action needs, loaded once inside its transaction."""

    row: WorkOrder
    _planner: Planner | None = None

    @property
    def planner(self) -> Planner:
        if self._planner is None:
            self._planner = planner_for(self.cfg, self.cal, self.row.profile_code)
        return self._planner

    def limits(self) -> ResolvedLimits:
        return self.planner.limits(self.row.category, self.row.urgency)

    def clocks(self, cycle: int | None = None) -> dict[str, Clock]:
        """The clocks of one cycle (default: the current one) by kind."""
        n = self.row.cycle if cycle is None else cycle
        return {c.kind: c for c in case_clocks(self.session, KIND, self.case_id) if c.cycle == n}

    def cycle_row(self) -> WorkOrderCycle:
        row = self.session.exec(select(WorkOrderCycle).where(WorkOrderCycle.workorder_id == self.case_id,
                                                             WorkOrderCycle.cycle == self.row.cycle)).first()
        assert row is not None, "every order has a row for its current cycle"
        return row

    def fmt(self, dt: datetime | None) -> str | None:
        return fmt_local(dt, self.tz) if dt is not None else None


def pending_approval(session: Session, case_id: int, kind: str = "extension") -> ApprovalRequest | None:
    return session.exec(
        select(ApprovalRequest).where(ApprovalRequest.case_kind == KIND, ApprovalRequest.case_id == case_id,
                                      ApprovalRequest.kind == kind, ApprovalRequest.status == ApprovalStatus.PENDING)
    ).first()


def overdue_index(ctx: Ctx, clocks: dict[str, Clock]) -> int | None:
    """Working days past the latest overdue duty clock: 0 on the first working day after its due day."""
    worst: int | None = None
    for c in clocks.values():
        if c.kind in DUTY_KINDS and c.status in OPEN_CLOCK and c.due_at and c.due_date and ctx.now > c.due_at:
            idx = ctx.cal.workdays_between(c.due_date, ctx.today) - 1
            worst = idx if worst is None else max(worst, idx)
    return worst


def hour_steps(ctx: Ctx, clocks: dict[str, Clock]) -> int:
    """Ladder steps reached by the order's breached hour-based duty clocks (states.hotline_profiles.hour_steps_reached):
    an urgent order's sign-for is pressed within working hours, not on the next working day."""
    reached = 0
    for c in clocks.values():
        if c.kind in DUTY_KINDS and c.status in OPEN_CLOCK and c.unit in INSTANT_UNITS and c.due_at and ctx.now > c.due_at:
            over = ctx.cal.working_seconds_between(c.due_at, ctx.now, ctx.cfg.hours())
            reached = max(reached, hour_steps_reached(over, ctx.cfg.hour_supervise_after_wmin))
    return reached


def _ladder_due(ctx: Ctx, clocks: dict[str, Clock], lim: ResolvedLimits) -> tuple[str, ...]:
    """Ladder steps due and not yet fired: by working days past a day clock, or by working time past an hour clock."""
    fired = ctx.row.overdue_level
    due = {*escalations_due(lim.escalation, overdue_index(ctx, clocks), fired),
           *hour_escalations_due(lim.escalation, hour_steps(ctx, clocks), fired)}
    return tuple(dict.fromkeys(s.action for s in lim.escalation if s.action in due))


def build_facts(ctx: Ctx) -> dict[str, Any]:
    """What the guards in states.hotline read, from the stored clocks and rows of the current cycle."""
    clocks = ctx.clocks()
    lim = ctx.limits()
    ret, handling = clocks.get("return_window"), clocks.get("handling")
    return {
        "designated": ctx.row.designated,
        "within_return_window": bool(ret is not None and ret.status != ClockStatus.CANCELLED and ret.due_at
                                     and ctx.now <= ret.due_at),
        "before_handling_due": bool(handling is not None and handling.status in OPEN_CLOCK and handling.due_at
                                    and ctx.now <= handling.due_at),
        # when those windows ended, as the agency's wall-clock time (for the reason a refused action gives)
        "return_window_ends": ctx.fmt(ret.due_at) if ret is not None else None,
        "handling_due_ends": ctx.fmt(handling.due_at) if handling is not None else None,
        "extensions_used": ctx.row.extensions_used,
        "max_extensions": lim.max_extensions,
        "extension_pending": pending_approval(ctx.session, ctx.case_id) is not None,
        "callback_result": ctx.row.callback_result,
        "state_before_return": ctx.row.state_before_return,
        "escalations_due": _ladder_due(ctx, clocks, lim),
    }


def refresh_next_due(ctx: Ctx) -> None:
    """Denormalise the nearest running binding deadline of the current cycle onto the row (lists, sorting): the
    rule of the disclosure rows and of the recompute (ClockKind.binds)."""
    dues = [c.due_at for c in ctx.clocks().values()
            if c.kind in BINDING_KINDS and c.status == ClockStatus.RUNNING and c.due_at is not None]
    ctx.row.next_due_at = min(dues, default=None)


def stop_open_clocks(ctx: Ctx, status: ClockStatus = ClockStatus.CANCELLED, cycle: int | None = None) -> None:
    for c in ctx.clocks(cycle).values():
        if c.status in OPEN_CLOCK:
            stop_clock(c, status=status, now=ctx.now)
            ctx.session.add(c)


# ------------------------------------------------------------------ notices (notifications.catalog)

def order_snapshot(row: WorkOrder, tz: str) -> dict[str, Any]:
    """The ``case`` part of a work-order notice (docs/notices.md); printed forms mask the caller."""
    return {
        "kind": KIND, "kind_label": CASE_NOUNS[KIND], "id": row.id, "order_no": row.order_no,
        "number": row.order_no, "caller": {"name": row.caller_name or "（未留姓名）",
                                           "phone": row.caller_phone or "（未留电话）"},
        "category_label": CATEGORY_LABELS.get(row.category, row.category)
        + (f"（{row.category_code}）" if row.category_code else ""),
        "content": row.content, "received_date": local_date(row.received_at, tz).isoformat(),
    }


def _summary(row: WorkOrder) -> str:
    return (row.title or row.content)[:60]


def _unit_name(ctx: Ctx, unit_id: int | None) -> str:
    unit = ctx.session.get(Unit, unit_id) if unit_id is not None else None
    return unit.name if unit is not None else ctx.agency.name


def notify_assigned(ctx: Ctx, user: User, note: str = "") -> None:
    """承办事项分派通知 to the assignee (also sent when the platform returns the order for re-handling)."""
    handling = ctx.clocks().get("handling")
    notice: dict[str, Any] = {"assigned_by": ctx.actor.label, "clock_label": "办理时限",
                              "due_date": handling.due_date.isoformat() if handling and handling.due_date else "",
                              "provisional": bool(handling and handling.provisional)}
    if note:
        notice["note"] = note
    ctx.notify_user(user, case_kind=KIND, notice_type="internal.assigned",
                    agency=agency_snapshot(ctx.agency, ctx.cfg),
                    case=case_ref(KIND, ctx.row.order_no, _summary(ctx.row)), notice=notice,
                    dedupe_key=f"{KIND}:{ctx.case_id}:assigned:{ctx.action_key}")


def notify_overdue(ctx: Ctx, level: int, clock: Clock, days_overdue: int, extra: dict[str, Any] | None = None) -> None:
    """逾期催办督办通知 to the agency's leaders (who see that the officer acts), else to the officer."""
    users = list(ctx.session.exec(select(User).where(User.agency_id == ctx.row.agency_id,
                                                     col(User.active).is_(True))))
    officer = next((u for u in users if u.id == ctx.row.assignee_id), None)
    recipients = holders(ctx.session, ctx.row.agency_id, Role.LEADER) or ([officer] if officer else [])
    notice = {"level": level, "clock_label": CLOCK_KINDS[clock.kind].label,
              "due_date": clock.due_date.isoformat() if clock.due_date else "", "provisional": clock.provisional,
              "days_overdue": days_overdue,
              "officer": officer.display_name if officer else "（未指派）",
              "unit": _unit_name(ctx, ctx.row.unit_id), **(extra or {})}
    for u in recipients:
        ctx.notify_user(u, case_kind=KIND, notice_type="internal.overdue",
                        agency=agency_snapshot(ctx.agency, ctx.cfg),
                        case=case_ref(KIND, ctx.row.order_no, _summary(ctx.row)), notice=notice,
                        dedupe_key=f"{KIND}:{ctx.case_id}:overdue:{ctx.action_key}:{u.id}")


def notify_reply(ctx: Ctx, text: str, attachments: list[dict[str, Any]]) -> None:
    """办理情况回复单 (printed and filed, 济南条例第二十四条) and the text the caller is told (txt, printed for
    the desk / the platform: the outbox has no SMS channel)."""
    handler = ctx.session.get(User, ctx.row.assignee_id) if ctx.row.assignee_id else None
    # No result label: the order has none of its own (the platform grades it at the callback), and "办理结果：
    # 已办理" would only repeat that it was handled.
    notice: dict[str, Any] = {"reply_text": text,
                              "handler": handler.display_name if handler else ctx.actor.label,
                              "unit": _unit_name(ctx, ctx.row.unit_id), "reply_date": ctx.today.isoformat()}
    if attachments:
        notice["attachments"] = [a["filename"] for a in attachments]
    base = {"agency": agency_snapshot(ctx.agency, ctx.cfg), "case": order_snapshot(ctx.row, ctx.tz),
            "issued_date": ctx.today.isoformat()}
    ctx.enqueue(case_kind=KIND, notice_type="workorder.reply_sheet", channel="print", recipient_name=ctx.agency.name,
                context={**base, "notice": notice},
                dedupe_key=f"{KIND}:{ctx.case_id}:reply_sheet:{ctx.action_key}")
    ctx.enqueue(case_kind=KIND, notice_type="workorder.caller_text", channel="print", recipient_name=ctx.row.caller_name,
                context={**base, "notice": {"reply_text": text}},
                dedupe_key=f"{KIND}:{ctx.case_id}:caller_text:{ctx.action_key}")


def cycle_view(c: WorkOrderCycle, tz: str) -> dict[str, Any]:
    def t(v: datetime | None) -> str | None:
        return fmt_local(v, tz) if v is not None else None

    return {
        "cycle": c.cycle, "reason": c.reason, "reason_text": c.reason_text, "started_at": t(c.started_at),
        "signed_at": t(c.signed_at), "sign_for_due_at": t(c.sign_for_due_at),
        "handling_due_at": t(c.handling_due_at), "due_source": c.due_source, "replied_at": t(c.replied_at),
        "callback_result": c.callback_result, "signed_on_time": c.signed_on_time,
        "replied_on_time": c.replied_on_time, "extensions_used": c.extensions_used,
        "extension_days": c.extension_days, "ended_at": t(c.ended_at),
    }


def cycles(session: Session, case_id: int) -> list[WorkOrderCycle]:
    return list(session.exec(select(WorkOrderCycle).where(WorkOrderCycle.workorder_id == case_id)
                             .order_by(col(WorkOrderCycle.cycle))).all())
