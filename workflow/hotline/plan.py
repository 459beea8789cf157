"""Planning a 12345 work order's clocks and rows without touching the database (one implementation).

``intake`` (one order through the ORM), the batch import (Core bulk inserts) and new handling cycles
(rehandle / reassign) all call the same ``Planner``: it resolves the agency's time-limit profile
(``states.hotline_profiles.resolve``) for a category × urgency, computes each clock (working days,
working hours or the same day), lets the platform's own deadline win (``effective_handling_due``,
北京市接诉即办工作条例第十三条) and writes the explanation lines. Working-day clocks are memoised per
(category, urgency, base day), so a file of 100,000 orders computes each distinct deadline once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from states.calendar import WorkCalendar, WorkingHours
from states.hotline import CATEGORY_LABELS, URGENCY_LABELS, WorkOrderState
from states.hotline_profiles import (
    FIELD_LABELS,
    Limit,
    Profile,
    ResolvedLimits,
    effective_handling_due,
    resolve,
)
from states.inputs import PHONE_MESSAGE, is_phone
from workflow.cases.clocks import ClockKind, ClockPlan, plan_fixed, plan_minutes, plan_workdays
from workflow.hotline.records import RECORD_KEYS, RowError, record_hash
from workflow.timesource import end_of_day, fmt_local, local_date

FUTURE_TOLERANCE = timedelta(minutes=10)
# The sane range of a record's times. A platform's order ten years old is a data error (a blank Excel date reads as
# 1899-12-30), as is a deadline a year past the receipt (no profile's limit nor extension comes near it); the
# disclosure registration asks a reason for a receipt over a year old (workflow.disclosure.actions), the 12345 import
# brings historical orders in with their platform history (workflow.hotline.history).
OLDEST_RECEIPT = timedelta(days=3653)
LONGEST_PLATFORM_DUE = timedelta(days=366)
CLOCKS = {  # a work order's clocks (CaseKind.clocks); signing for it and the callback are the desk's (states.hotline)
    "sign_for": ClockKind("签收时限", duty=True, for_desk=True),
    "return_window": ClockKind("退单时限", duty=False, reminders=False),
    "handling": ClockKind("办理时限", duty=True),
    "callback": ClockKind("回访时限", duty=True, for_desk=True),
}
DUTY_KINDS = tuple(k for k, v in CLOCKS.items() if v.duty)  # sign_for, handling, callback
BINDING_KINDS = tuple(k for k, v in CLOCKS.items() if v.binds)  # an order's next deadline (ClockKind.binds)


def check_record(record: Mapping[str, Any], now: datetime, row: int = 0) -> list[RowError]:
    """Checks beyond the parser's (which every record has passed), for an order received by ``intake`` and a row of
    the import alike: a phone number that cannot be one, a receipt not yet happened or too long ago to be this
    platform's, a platform deadline implausibly far after the receipt. Errors name the field."""
    problems = []
    phone = record.get("caller_phone")
    if isinstance(phone, str) and phone and not is_phone(phone, masked=True):
        problems.append(RowError(row, "caller_phone", f"{PHONE_MESSAGE}（应为一个号码，如 13800138000、0871-12345678；"
                                 "没有号码时留空）", "invalid_phone"))
    received, due = record.get("received_at"), record.get("platform_due_at")
    if isinstance(received, datetime):
        if received > now + FUTURE_TOLERANCE:
            problems.append(RowError(row, "received_at", "来电时间晚于当前时间，请核对", "in_future"))
        elif received < now - OLDEST_RECEIPT:
            problems.append(RowError(row, "received_at", "来电时间早于十年前，请核对", "too_old"))
        elif isinstance(due, datetime) and due > received + LONGEST_PLATFORM_DUE:
            problems.append(RowError(row, "platform_due_at", "办理时限晚于来电时间一年以上，请核对", "too_late"))
    return problems


@dataclass(frozen=True)
class CyclePlan:
    clocks: list[ClockPlan]
    sign_for_due_at: datetime | None
    handling_due_at: datetime
    due_source: str  # platform | profile


@dataclass(frozen=True)
class OrderPlan:
    """The rows of a new order: ``order`` and ``cycle`` are column values (ids filled in by the caller)."""

    order: dict[str, Any]
    cycle: dict[str, Any]
    clocks: list[ClockPlan]
    event: dict[str, Any]


class Planner:
    """Limits and clocks for one agency's orders (profile + overrides, calendar, working hours)."""

    def __init__(self, profile: Profile, overrides: Mapping[str, Any] | None, cal: WorkCalendar,
                 hours: WorkingHours) -> None:
        self.profile, self.overrides, self.cal, self.hours = profile, dict(overrides or {}), cal, hours
        self.tz = hours.tz
        self._limits: dict[tuple[str, str], ResolvedLimits] = {}
        self._memo: dict[tuple[str, str, str, str, Any, str], ClockPlan] = {}

    def limits(self, category: str, urgency: str) -> ResolvedLimits:
        key = (category, urgency)
        if key not in self._limits:
            self._limits[key] = resolve(self.profile, category, urgency, self.overrides)
        return self._limits[key]

    def intro(self, field: str, lim: ResolvedLimits) -> str:
        """Where a length comes from, as a clerk reads it: the profile, the cell and the value. The value's source
        and how sure it is are for administrators (the profile page), never in a clerk's explanation."""
        value: Limit = getattr(lim, field)
        return (f"时限方案：{self.profile.name}，{CATEGORY_LABELS[lim.category]}·{URGENCY_LABELS[lim.urgency]}，"
                f"{FIELD_LABELS[field]}{value.describe_zh()}")

    def plan_limit(self, kind: str, field: str, lim: ResolvedLimits, start_at: datetime, reason: str) -> ClockPlan:
        """A clock of ``limit`` length from ``start_at`` (``reason``: what happened then, e.g. 收到工单)."""
        limit: Limit = getattr(lim, field)
        intro = [self.intro(field, lim)]
        if limit.unit == "wh":
            return plan_minutes(kind, start_at, limit.minutes, self.cal, self.hours, base_reason=f"{reason}之时",
                                intro=intro)
        day = local_date(start_at, self.tz)
        if limit.unit == "same_day":  # e.g. 应急类当日答复: by 24:00 of the day it arrived
            return plan_fixed(kind, end_of_day(day, self.tz), self.cal, self.tz, start_at=start_at, intro=intro,
                              lines=[f"{reason}之日 {day.isoformat()} 当日24:00前办结"])
        key = (kind, field, lim.category, lim.urgency, day, reason)
        plan = self._memo.get(key)
        if plan is None:
            plan = plan_workdays(kind, day, limit.amount, self.cal, self.tz, base_reason=f"{reason}之日", intro=intro)
            self._memo[key] = plan
        return plan

    def plan_cycle(self, category: str, urgency: str, start_at: datetime, platform_due: datetime | None, *,
                   reason: str, sign_for: bool, return_window: bool) -> CyclePlan:
        """The clocks of one handling cycle, the platform's deadline winning over the computed one."""
        lim = self.limits(category, urgency)
        clocks: list[ClockPlan] = []
        sign = None
        if sign_for:
            sign = self.plan_limit("sign_for", "sign_for", lim, start_at, reason)
            clocks.append(sign)
        if return_window:
            clocks.append(self.plan_limit("return_window", "return_window", lim, start_at, reason))
        computed = self.plan_limit("handling", "handling", lim, start_at, reason)
        due, source = effective_handling_due(platform_due, computed.due_at)
        handling = computed
        if source == "platform":
            assert due is not None
            handling = plan_fixed("handling", due, self.cal, self.tz, start_at=start_at, lines=[
                f"平台工单注明的办理时限：{fmt_local(due, self.tz)}，以平台时限为准",  # 北京市接诉即办工作条例第十三条
                f"按时限方案（{lim.handling.describe_zh()}）计算应为 {fmt_local(computed.due_at, self.tz)}，未采用",
            ])
        clocks.append(handling)
        return CyclePlan(clocks, sign.due_at if sign else None, handling.due_at, source)

    def plan_order(self, record: Mapping[str, Any], *, agency_id: int, now: datetime) -> OrderPlan:
        """A new order as dispatched: state received, cycle 1, clocks sign-for, return window, handling."""
        received: datetime = record["received_at"]
        cp = self.plan_cycle(record["category"], record["urgency"], received, record.get("platform_due_at"),
                             reason="收到工单", sign_for=True, return_window=True)
        duty = [c.due_at for c in cp.clocks if c.kind in BINDING_KINDS]
        order = {k: record[k] for k in RECORD_KEYS if k in record}
        order.update({
            "agency_id": agency_id, "version": 1, "state": WorkOrderState.RECEIVED.value, "resolution": None,
            "cycle": 1, "assisting_units": list(record.get("assisting_units") or []),
            "profile_code": self.profile.code, "source_hash": record_hash(record), "assignee_id": None,
            "unit_id": None, "state_before_return": None, "extensions_used": 0, "extension_days_total": 0,
            "next_due_at": min(duty), "overdue_level": 0, "result_text": None, "replied_at": None,
            "callback_result": None, "callback_note": "", "closed_at": None, "terminated_reason": None,
            "merged_into_id": None, "related_ids": [], "linked_disclosure_id": None, "created_at": now,
            "updated_at": now,
        })
        cycle = {"cycle": 1, "reason": "dispatch", "reason_text": "", "started_at": received, "signed_at": None,
                 "sign_for_due_at": cp.sign_for_due_at, "handling_due_at": cp.handling_due_at,
                 "due_source": cp.due_source, "replied_at": None, "callback_result": None, "signed_on_time": None,
                 "replied_on_time": None, "extensions_used": 0, "extension_days": 0, "ended_at": None}
        event = {"order_no": record["order_no"], "platform": record.get("platform", "12345"),
                 "profile": self.profile.code, "due_source": cp.due_source,
                 "sign_for_due_at": cp.sign_for_due_at.isoformat() if cp.sign_for_due_at else None,
                 "handling_due_at": cp.handling_due_at.isoformat()}
        return OrderPlan(order, cycle, cp.clocks, event)
