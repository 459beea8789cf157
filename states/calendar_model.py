"""Calendar value types: special days, working hours, scope merging, Chinese day labels (pure).

Re-exported by ``states.calendar``; import them from there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SpecialKind = Literal["holiday", "workday"]

WEEKDAY_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
REST_WEEKDAY_ZH = {5: "周六", 6: "周日"}


class CalendarNotCovered(Exception):
    """A computation touched years without holiday data and the caller demanded an exact answer."""

    def __init__(self, years: Iterable[int]) -> None:
        self.years: tuple[int, ...] = tuple(sorted(set(years)))
        joined = ", ".join(str(y) for y in self.years)
        super().__init__(f"no holiday data for year(s) {joined}: the result would be provisional")

    @property
    def message_zh(self) -> str:
        """Chinese message for a clerk."""
        return "、".join(str(y) for y in self.years) + " 年节假日安排尚未录入，无法给出确定结果"


@dataclass(frozen=True)
class SpecialDay:
    """One date that departs from the Mon–Fri rule: a day off (放假) or a make-up working day (调休上班).

    ``name`` is the holiday's Chinese name; for a make-up day, the holiday it compensates
    (e.g. "国庆节") or a label ending in "调休".
    """

    day: date
    kind: SpecialKind
    name: str
    scope: str = "national"

    def __post_init__(self) -> None:
        if self.kind not in ("holiday", "workday"):
            raise ValueError(f"SpecialDay.kind must be 'holiday' or 'workday', not {self.kind!r}")
        if type(self.day) is not date:
            raise ValueError(f"SpecialDay.day must be a datetime.date, not {type(self.day).__name__}")
        if not self.scope:
            raise ValueError("SpecialDay.scope must not be empty")


def makeup_label(name: str) -> str:
    """'国庆节' -> '国庆节调休'; a name already ending in 调休 is kept; empty -> '调休'."""
    if not name:
        return "调休"
    return name if name.endswith("调休") else name + "调休"


def merge_scopes(national: Iterable[SpecialDay], local: Iterable[SpecialDay]) -> list[SpecialDay]:
    """Union of national and local special days; a local entry replaces the national one on the same date.

    Policy (documented choice): the agency's local notice is the more specific instrument, so
    whatever it says about a date wins — a local holiday (e.g. 火把节) over a national make-up day,
    and a local make-up day over a national holiday. Duplicates inside one list raise ValueError.
    """
    merged: dict[date, SpecialDay] = {}
    for label, source in (("national", national), ("local", local)):
        seen: set[date] = set()
        for sd in source:
            if sd.day in seen:
                raise ValueError(f"duplicate {label} special day {sd.day.isoformat()}")
            seen.add(sd.day)
            merged[sd.day] = sd
    return sorted(merged.values(), key=lambda sd: sd.day)


_PERIOD_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class WorkingHours:
    """An agency's daily working periods (wall-clock, in ``tz``); the same on every working day."""

    periods: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(14, 30), time(18)))
    tz: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("working hours need at least one period")
        previous_end: time | None = None
        for start, end in self.periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("working-hour periods are wall-clock times: no tzinfo")
            if start >= end:
                raise ValueError(f"period {start:%H:%M}-{end:%H:%M}: start must be before end")
            if previous_end is not None and start < previous_end:
                raise ValueError(f"period {start:%H:%M}-{end:%H:%M} overlaps or is out of order")
            previous_end = end
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc

    @property
    def zone(self) -> ZoneInfo:
        """The ZoneInfo for ``tz`` (cached by zoneinfo itself)."""
        return ZoneInfo(self.tz)

    @classmethod
    def from_strings(cls, periods: list[str], tz: str) -> WorkingHours:
        """Build from ``["09:00-12:00", "14:30-18:00"]``; raises ValueError on any malformed entry."""
        parsed: list[tuple[time, time]] = []
        for text in periods:
            m = _PERIOD_RE.match(text)
            if m is None:
                raise ValueError(f"working-hour period {text!r} is not of the form HH:MM-HH:MM")
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
                raise ValueError(f"working-hour period {text!r} has an impossible time")
            parsed.append((time(h1, m1), time(h2, m2)))
        return cls(periods=tuple(parsed), tz=tz)

    def describe(self) -> str:
        """'09:00-12:00、14:30-18:00'."""
        return "、".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.periods)
