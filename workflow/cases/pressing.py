"""催办 and 督办 by hand: a leader presses a case of either kind (济南条例第二十八条第一项; 潍坊条例第二十六条第一、二项;
the office head's duty to see an application answered in time, 条例第三十三条). Inside the action's transaction: the
step is recorded by the engine's audit event; the person who must act — the officer of the case, or the desk while
nobody is assigned — is told at once (internal.overdue, the same notice the sweeps send, marked as pressed by hand).
A pressed case keeps its automatic ladder: a step by hand is not a step of the ladder."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from db.models import Clock, Unit, User
from notifications.context import case_ref
from states.calendar import WorkCalendar, WorkingHours
from states.roles import Role
from states.vocab import OPEN_CLOCK, ClockStatus
from workflow.accounts.roles import holders
from workflow.cases.clocks import CLOCK_KINDS, INSTANT_UNITS, duty_kinds
from workflow.cases.context import CaseCtx
from workflow.timesource import local_date

STEP_LEVEL = {"urge": 1, "supervise": 2}


def overdue_text(seconds: int) -> str:
    """Working time past a deadline, as a clerk says it: 12分钟, 2小时5分钟 (工作时间)."""
    minutes = max(1, seconds // 60)
    hours, rest = divmod(minutes, 60)
    return (f"{hours}小时" if hours else "") + (f"{rest}分钟" if rest or not hours else "") + "（工作时间）"


def due_time(at: datetime, tz: str) -> str:
    """The time of day of an hour deadline (24:00 for the end of a day)."""
    local = at.astimezone(ZoneInfo(tz))
    return "24:00" if (local.hour, local.minute) == (0, 0) else f"{local:%H:%M}"


def hour_overdue(clock: Clock, cal: WorkCalendar, hours: WorkingHours, now: datetime) -> dict[str, Any]:
    """What an overdue notice says of an hour-based clock: its time of day and the working time past it."""
    if clock.unit not in INSTANT_UNITS or clock.due_at is None:
        return {}
    return {"due_time": due_time(clock.due_at, hours.tz),
            "overdue_text": overdue_text(cal.working_seconds_between(clock.due_at, now, hours))}


def desk(ctx: CaseCtx) -> list[User]:
    """The agency's front desk (who signs for and calls back), else its leaders."""
    return holders(ctx.session, ctx.row.agency_id, Role.FRONT_DESK) or holders(ctx.session, ctx.row.agency_id,
                                                                                 Role.LEADER)


def press(ctx: CaseCtx, *, kind: str, step: str, note: str, number: str, summary: str, clocks: list[Clock],
          agency: dict[str, Any]) -> None:
    """Record a leader's 催办/督办 on the case and tell the person who must act (``agency``: the notice's agency
    part, as the kind builds it)."""
    duties = duty_kinds()
    open_ = [c for c in clocks if c.kind in duties and c.status in OPEN_CLOCK and c.due_at is not None]
    nearest = min(open_, key=lambda c: (c.status != ClockStatus.RUNNING, c.due_at or ctx.now), default=None)
    officer = ctx.session.get(User, ctx.row.assignee_id) if ctx.row.assignee_id else None
    recipients = [officer] if officer is not None and officer.active else desk(ctx)
    unit = ctx.session.get(Unit, ctx.row.unit_id) if getattr(ctx.row, "unit_id", None) else None
    ctx.event.update({"note": note, "by_hand": True, "pressed_by": ctx.actor.label})
    days = 0
    notice: dict[str, Any] = {"level": STEP_LEVEL[step], "by": ctx.actor.label, "note": note,
                              "officer": officer.display_name if officer else "（未指派）",
                              "unit": unit.name if unit is not None else ctx.agency.name,
                              # no deadline to name (all paused or none): the notice says nothing of one
                              "clock_label": "—", "due_date": ctx.today.isoformat(), "days_overdue": days,
                              "no_clock": True}
    if nearest is not None and nearest.due_date is not None:
        label = CLOCK_KINDS[nearest.kind].label + ("（暂停计时）" if nearest.status == ClockStatus.PAUSED else "")
        notice.update({"clock_label": label, "due_date": nearest.due_date.isoformat(),
                       "provisional": nearest.provisional, "no_clock": False})
        if nearest.status == ClockStatus.RUNNING and nearest.due_at is not None and nearest.due_at < ctx.now:
            notice["days_overdue"] = ctx.cal.workdays_between(nearest.due_date, local_date(ctx.now, ctx.tz))
    for u in recipients:
        ctx.notify_user(u, case_kind=kind, notice_type="internal.overdue", agency=agency,
                        case=case_ref(kind, number, summary), notice=notice,
                        dedupe_key=f"{kind}:{ctx.case_id}:pressed:{ctx.action_key}:{u.id}")
