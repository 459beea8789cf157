"""The fixed-date statutory holidays: what the working calendar assumes for a year whose holiday notice is not loaded
(pure).

《全国年节及纪念日放假办法》第二条 gives some holidays on fixed Gregorian dates (元旦 1月1日; 劳动节 5月1日、2日;
国庆节 10月1日至3日, as amended with effect from 2025). They are days off whatever the year's notice
(国务院办公厅关于XXXX年部分节假日安排的通知) later adds, so a year without its notice is counted as weekends plus these
dates, and the result stays provisional. The lunar holidays (春节, 清明节, 端午节, 中秋节), the 补假 for a holiday on a
weekend (第六条) and the 调休 (第七条) are known only from the notice: they are named, never guessed.

The dates are data (``workflow/calendar/data/fixed_holidays.yaml``, stored with the calendar's state when it changes),
never code; ``parse_fixed_holidays`` validates that data, all problems at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from states.calendar_model import SpecialDay

_DAY_RE = re.compile(r"^(\d{2})-(\d{2})$")


class FixedHolidaysError(ValueError):
    """The fixed-holiday data is malformed; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("fixed holidays: " + "; ".join(problems))


@dataclass(frozen=True)
class FixedHoliday:
    """A holiday on fixed Gregorian dates (month, day), e.g. 劳动节 on 5-1 and 5-2."""

    name: str
    days: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Edition:
    """The fixed-date holidays of one text of the 放假办法, in force from the year ``since``."""

    since: int
    document: str
    holidays: tuple[FixedHoliday, ...]
    pending: tuple[str, ...]  # holidays whose dates only the year's notice gives (the lunar ones)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(h.name for h in self.holidays)


@dataclass(frozen=True)
class FixedHolidays:
    """The editions in force over the years (sorted by ``since``), and where the data comes from."""

    source: str
    editions: tuple[Edition, ...]
    raw: Mapping[str, Any] = field(compare=False)  # the data as given (stored with the calendar's state)

    def edition(self, year: int) -> Edition | None:
        """The text in force in ``year`` (None before the first edition: nothing is assumed then)."""
        found = None
        for e in self.editions:
            if e.since <= year:
                found = e
        return found

    def days_in(self, year: int) -> list[SpecialDay]:
        """The assumed days off of ``year``, in date order (national scope: they are statutory holidays)."""
        e = self.edition(year)
        if e is None:
            return []
        return sorted((SpecialDay(date(year, m, d), "holiday", h.name) for h in e.holidays for m, d in h.days),
                      key=lambda sd: sd.day)

    def assumed(self, years: tuple[int, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(holidays counted from their fixed dates, holidays left to the notice) for these uncovered years."""
        counted: list[str] = []
        pending: list[str] = []
        for y in years:
            e = self.edition(y)
            if e is None:
                continue
            counted.extend(n for n in e.names if n not in counted)
            pending.extend(n for n in e.pending if n not in pending)
        return tuple(counted), tuple(pending)


def _days(value: Any, where: str, problems: list[str]) -> tuple[tuple[int, int], ...]:
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: dates must be a non-empty list of MM-DD")
        return ()
    out: list[tuple[int, int]] = []
    for text in value:
        m = _DAY_RE.match(str(text))
        if m is None:
            problems.append(f"{where}: {text!r} is not MM-DD")
            continue
        month, day = int(m.group(1)), int(m.group(2))
        try:
            date(2001, month, day)  # a common year: no fixed holiday may fall on 29 February
        except ValueError:
            problems.append(f"{where}: {text!r} is not a day of every year")
            continue
        out.append((month, day))
    if len(set(out)) != len(out):
        problems.append(f"{where}: a date is listed twice")
    return tuple(out)


def _edition(value: Any, i: int, problems: list[str]) -> Edition | None:
    where = f"editions[{i}]"
    if not isinstance(value, Mapping):
        problems.append(f"{where}: must be a mapping")
        return None
    since, document = value.get("since"), value.get("document")
    if isinstance(since, bool) or not isinstance(since, int) or not 1949 <= since <= 2100:
        problems.append(f"{where}.since: a year is required")
    if not isinstance(document, str) or not document.strip():
        problems.append(f"{where}.document: the amending text is required")
    holidays: list[FixedHoliday] = []
    raw_holidays = value.get("holidays")
    if not isinstance(raw_holidays, list) or not raw_holidays:
        problems.append(f"{where}.holidays: a non-empty list is required")
        raw_holidays = []
    for j, h in enumerate(raw_holidays):
        hw = f"{where}.holidays[{j}]"
        if not isinstance(h, Mapping) or not isinstance(h.get("name"), str) or not h["name"].strip():
            problems.append(f"{hw}: name and dates are required")
            continue
        holidays.append(FixedHoliday(h["name"].strip(), _days(h.get("dates"), hw, problems)))
    seen = [d for h in holidays for d in h.days]
    if len(set(seen)) != len(seen):
        problems.append(f"{where}: two holidays share a date")
    pending = value.get("pending", [])
    if not isinstance(pending, list) or not all(isinstance(p, str) and p.strip() for p in pending):
        problems.append(f"{where}.pending: a list of holiday names is required")
        pending = []
    if not isinstance(since, int) or not isinstance(document, str):
        return None
    return Edition(since, document.strip(), tuple(holidays), tuple(p.strip() for p in pending))


def parse_fixed_holidays(data: Any) -> FixedHolidays:
    """Validate the fixed-holiday data (the YAML file's mapping); FixedHolidaysError lists every problem."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise FixedHolidaysError(["the data must be a mapping"])
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.append("source: the legal basis is required")
    raw_editions = data.get("editions")
    if not isinstance(raw_editions, list) or not raw_editions:
        problems.append("editions: a non-empty list is required")
        raw_editions = []
    editions = [e for i, v in enumerate(raw_editions) if (e := _edition(v, i, problems)) is not None]
    sinces = [e.since for e in editions]
    if sinces != sorted(set(sinces)):
        problems.append("editions: list them by year, one per year")
    if problems:
        raise FixedHolidaysError(problems)
    assert isinstance(source, str)
    return FixedHolidays(source.strip(), tuple(editions), dict(data))
