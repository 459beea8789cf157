"""Seed data for the national calendar table from the chinese-calendar package, 2004–2026 (pure data, no DB).

The package knows only 2004–2026; later years come from the admin's notice files
(states.calendar_notice). Its holiday names are English; the Chinese names come from
``chinese_calendar.constants.Holiday``, spelled as in 全国年节及纪念日放假办法第二条
(清明节、端午节、中秋节 rather than the package's 清明、端午、中秋).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata
from typing import Any

import chinese_calendar
from chinese_calendar.constants import Holiday

from states.calendar_model import SpecialDay
from states.calendar_notice import NoticeData

_OFFICIAL_SPELLING = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


def chinese_holiday_name(english: str) -> str:
    """The Chinese name of a chinese-calendar holiday (English value), in the official spelling."""
    for holiday in Holiday:
        if holiday.value == english:
            zh = str(holiday.chinese)
            return _OFFICIAL_SPELLING.get(zh, zh)
    raise ValueError(f"unknown chinese-calendar holiday name {english!r}")


def package_version() -> str:
    """Installed chinese-calendar version (distribution 'chinesecalendar')."""
    try:
        return metadata.version("chinesecalendar")
    except metadata.PackageNotFoundError:  # pragma: no cover - only when installed oddly
        return "unknown"


def seeded_years() -> list[int]:
    """Years for which the package has data."""
    return sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})


def _holiday_ranges(days: Iterable[SpecialDay]) -> list[dict[str, str]]:
    """Consecutive same-name days as notice-file ranges {name, start, end}."""
    ranges: list[dict[str, str]] = []
    previous: SpecialDay | None = None
    for sd in days:
        if (
            previous is not None
            and sd.name == previous.name
            and sd.day.toordinal() == previous.day.toordinal() + 1
        ):
            ranges[-1]["end"] = sd.day.isoformat()
        else:
            ranges.append({"name": sd.name, "start": sd.day.isoformat(), "end": sd.day.isoformat()})
        previous = sd
    return ranges


def seed_from_chinese_calendar() -> list[NoticeData]:
    """One national NoticeData per year the package covers (2004–2026).

    Holidays include the weekend days the package lists inside holiday blocks (harmless: they are
    rest days anyway). A make-up day is named after the holiday it compensates. ``raw`` is in the
    notice-file format, so it can be exported and re-imported with parse_notice.
    """
    version = package_version()
    notices: list[NoticeData] = []
    for year in seeded_years():
        holidays = [
            SpecialDay(d, "holiday", chinese_holiday_name(name))
            for d, name in sorted(chinese_calendar.holidays.items())
            if d.year == year
        ]
        workdays = [
            SpecialDay(d, "workday", chinese_holiday_name(name))
            for d, name in sorted(chinese_calendar.workdays.items())
            if d.year == year
        ]
        document = f"chinese-calendar {version} 数据（{year}年）"
        raw: dict[str, Any] = {
            "year": year,
            "document": document,
            "scope": "national",
            "holidays": _holiday_ranges(holidays),
            "workdays": [{"date": sd.day.isoformat(), "name": sd.name} for sd in workdays],
        }
        notices.append(NoticeData(year, document, "national", holidays, workdays, raw))
    return notices
