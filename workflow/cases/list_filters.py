"""Filters a kind's cases by what its list descriptor (``workflow.cases.kind.CaseList``) names — the unit, the month
it was received, requests awaiting a decision — as SQL conditions on the kind's table, for the cross-kind lists
(workflow.cases.listing: 我的案件, 案件查询, drill-downs) and each kind's own list (workflow.cases.keyset: the API's
lists, the 12345 order list) alike."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, false
from sqlmodel import col, select

from db.models import ApprovalRequest
from states.vocab import ApprovalStatus
from workflow.cases.kind import CaseList


def month_bounds(month: str) -> tuple[date, date | None] | None:
    """``YYYY-MM`` → its first day and the next month's (None after December 9999); None for anything else."""
    try:
        y, m = (int(p) for p in month.split("-"))
        start = date(y, m, 1)
    except ValueError:
        return None
    if m < 12:
        return start, date(y, m + 1, 1)
    return start, date(y + 1, 1, 1) if y < date.max.year else None


def in_unit(table: Any, spec: CaseList | None, unit_id: int) -> Any:
    """Cases of the unit (科室); none for a kind without units (or not listed)."""
    return getattr(table, spec.unit) == unit_id if spec is not None and spec.unit else false()


def received_in(table: Any, spec: CaseList | None, bounds: tuple[date, date | None], tz: str) -> tuple[Any, ...]:
    """Cases received within ``bounds`` (a month: ``month_bounds``): a date column as it is, an instant read as a day
    in the agency's zone ``tz``; none for a kind that records no receipt (or is not listed)."""
    start, end = bounds
    if spec is None:
        return (false(),)
    if spec.received_on:
        day = col(getattr(table, spec.received_on))
        return (day >= start,) if end is None else (day >= start, day < end)
    if spec.received_at:
        zone, at = ZoneInfo(tz), col(getattr(table, spec.received_at))
        since = at >= datetime.combine(start, time(), zone)
        return (since,) if end is None else (since, at < datetime.combine(end, time(), zone))
    return (false(),)


def awaiting_decision(case_kind: str, case_id: Any) -> Any:
    """The case has a request waiting for a decision (待审批, e.g. an extension)."""
    return exists(select(ApprovalRequest.id).where(
        col(ApprovalRequest.case_kind) == case_kind, col(ApprovalRequest.case_id) == case_id,
        col(ApprovalRequest.status) == ApprovalStatus.PENDING))
