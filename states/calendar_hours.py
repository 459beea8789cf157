"""Walking working time on wall-clock local datetimes (pure helpers behind WorkCalendar's minute methods).

All datetimes here are naive and mean wall-clock time in the working-hours time zone; the caller
converts aware datetimes in and out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

Periods = tuple[tuple[time, time], ...]

_ONE_DAY = timedelta(days=1)


def walk_working_time(
    is_workday: Callable[[date], bool], start: datetime, amount: timedelta, periods: Periods
) -> datetime:
    """The instant at which ``amount`` of working time has elapsed, counting only inside working periods
    on working days and starting at ``start`` (or the next period start if ``start`` is outside one).

    ``amount == 0`` gives the next working instant. Ends exactly at a period end when the amount fills it.
    """
    day = start.date()
    remaining = amount
    while True:
        if is_workday(day):
            for p_start, p_end in periods:
                seg_end = datetime.combine(day, p_end)
                if seg_end <= start:
                    continue
                seg_start = max(datetime.combine(day, p_start), start)
                available = seg_end - seg_start
                if remaining <= available:
                    return seg_start + remaining
                remaining -= available
        day += _ONE_DAY


def working_time_between(
    is_workday: Callable[[date], bool], start: datetime, end: datetime, periods: Periods, max_days: int = 400
) -> timedelta:
    """The working time inside ``[start, end)`` (zero when ``end <= start``); days beyond ``max_days`` after the
    start are not walked (the sweeps ask about deadlines hours or days away)."""
    total = timedelta(0)
    day, last = start.date(), min(end.date(), start.date() + timedelta(days=max_days))
    while day <= last:
        if is_workday(day):
            for p_start, p_end in periods:
                lo = max(datetime.combine(day, p_start), start)
                hi = min(datetime.combine(day, p_end), end)
                if hi > lo:
                    total += hi - lo
        day += _ONE_DAY
    return total


def inside_working_period(is_workday: Callable[[date], bool], moment: datetime, periods: Periods) -> bool:
    """True if ``moment`` is on a working day and within a period (start inclusive, end exclusive)."""
    if not is_workday(moment.date()):
        return False
    t = moment.time()
    return any(p_start <= t < p_end for p_start, p_end in periods)


def used_working_time_on(day: date, start: datetime, periods: Periods) -> bool:
    """Whether a walk starting at ``start`` could use any working time on ``day`` (for the explanation)."""
    if day != start.date():
        return True
    return start < datetime.combine(day, periods[-1][1])
