"""When a step happened (补录): the effective time of an action, checked against the case and the agency's rules.

Every action of every kind may carry an ``effective_at`` (default: now). The engine runs the step *as of* that
time — guards, periods, clocks and the documents' dates all read it — and records when it was really entered,
by whom and why. A step dated earlier than now by more than the agency's grace (working days) is back-filled
and needs a reason; no step may be dated in the future or before the case's previous step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from states.calendar import WorkCalendar
from states.formats import cn_date
from workflow.accounts.principal import Principal
from workflow.agencies.config import AgencyConfig
from workflow.errors import DomainValidation
from workflow.timesource import local_date

FUTURE_TOLERANCE = timedelta(minutes=10)  # clocks of desk PCs drift


@dataclass(frozen=True)
class When:
    """The effective time of one step and, when back-filled, when it was recorded and why."""

    effective: datetime
    recorded: datetime
    backfilled: bool = False
    reason: str | None = None

    @property
    def recorded_later(self) -> bool:
        """Entered after it happened (补录 mode used): both times are kept and shown, even within the grace."""
        return self.effective < self.recorded - FUTURE_TOLERANCE

    def stamp(self) -> dict[str, Any]:
        """What the audit event keeps besides its own time (the effective one)."""
        if not self.recorded_later:
            return {}
        return {"backfill": {"recorded_at": self.recorded.isoformat(), "reason": self.reason or ""}}


def _local(dt: datetime, tz: str) -> str:
    return cn_date(local_date(dt, tz))


def is_backfill(effective: datetime, now: datetime, cfg: AgencyConfig, cal: WorkCalendar) -> bool:
    """Earlier than now by more than the agency's grace (in working days)?"""
    if effective >= now:
        return False
    eff_day, today = local_date(effective, cfg.timezone), local_date(now, cfg.timezone)
    return cal.workdays_between(eff_day, today) > cfg.backfill_grace_wd


def resolve(*, actor: Principal, now: datetime, effective_at: datetime | None, reason: str | None,
            previous: datetime | None, cfg: AgencyConfig, cal: WorkCalendar, noun: str,
            time_field: str = "effective_at") -> When:
    """The checked effective time of a step (DomainValidation at ``backfill_reason`` or at ``time_field``: the
    field the time came from — ``effective_at`` for an action, ``received_at`` for a back-filled registration)."""
    reason = (reason or "").strip() or None
    if effective_at is None:
        return When(now, now)
    if effective_at.tzinfo is None:
        raise DomainValidation.one(time_field, "invalid_datetime", "办理时间须带时区，例如 2026-03-02T09:30:00+08:00")
    effective = effective_at
    if effective > now + FUTURE_TOLERANCE:
        raise DomainValidation.one(time_field, "in_future", "办理时间不能晚于当前时间")
    if previous is not None and effective < previous - timedelta(seconds=1):
        if actor.is_system:
            effective = previous  # a lapse found late is dated no earlier than the case's last step
        else:
            raise DomainValidation.one(time_field, "before_previous",
                                       f"办理时间不能早于该{noun}的上一步（{_local(previous, cfg.timezone)}）")
    backfilled = is_backfill(effective, now, cfg, cal)
    if backfilled and not actor.is_system:
        if reason is None:
            raise DomainValidation.one("backfill_reason", "required", "补录的办理步骤须填写补录原因")
        if cfg.backfill_roles and not {str(r) for r in actor.roles} & set(cfg.backfill_roles):
            raise DomainValidation.one(time_field, "role_not_allowed", "本机关未允许您的角色补录办理步骤")
    if actor.is_system and reason is None:
        reason = "期限届满，按届满之日记录"
    return When(effective, now, backfilled, reason)
