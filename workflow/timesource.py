"""The one clock source. Domain code takes ``now`` as a parameter; only SystemTime reads real time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


class TimeSource(Protocol):
    def now(self) -> datetime: ...


class SystemTime:
    """Real time (UTC, aware)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedTime:
    """A settable clock for tests and simulations."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedTime needs an aware datetime")
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedTime needs an aware datetime")
        self._now = now

    def advance(self, **kw: float) -> datetime:
        self._now = self._now + timedelta(**kw)
        return self._now


def local_date(dt: datetime, tz: str = DEFAULT_TZ) -> date:
    """The calendar date of an instant in the agency's time zone (which day a receipt falls on)."""
    if dt.tzinfo is None:
        raise ValueError("aware datetime required")
    return dt.astimezone(ZoneInfo(tz)).date()


def end_of_day(d: date, tz: str = DEFAULT_TZ) -> datetime:
    """24:00 of a date in the agency's time zone, as an aware UTC instant (民法典第二百零三条第二款)."""
    return datetime.combine(d + timedelta(days=1), datetime.min.time(), ZoneInfo(tz)).astimezone(UTC)


def fmt_local(dt: datetime, tz: str | None) -> str:
    """An instant as the agency's wall-clock time, e.g. 2026-03-02 15:30; midnight ends the day: 2026-03-09 24:00.
    ``tz`` None: the instant's own offset (an instant stored in the agency's time)."""
    local = dt.astimezone(ZoneInfo(tz)) if tz else dt
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return (local.date() - timedelta(days=1)).isoformat() + " 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def start_of_day(d: date, tz: str = DEFAULT_TZ) -> datetime:
    return datetime.combine(d, datetime.min.time(), ZoneInfo(tz)).astimezone(UTC)


def local_dt(year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: str = DEFAULT_TZ) -> datetime:
    """An aware instant from local wall-clock parts (tests and fixtures)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))


def aware(dt: datetime) -> datetime:
    """A timestamp read back from SQLite may be naive: it is UTC."""
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
