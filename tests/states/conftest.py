"""Shared calendar fixtures: built once per session from the chinese-calendar seed (2004–2026)."""

from __future__ import annotations

from pathlib import Path

import pytest

from states.calendar import WorkCalendar
from states.calendar_fixed import FixedHolidays
from states.calendar_notice import NoticeData, calendar_from_notices, parse_notice
from workflow.calendar.fixed import packaged_fixed_holidays
from workflow.calendar.seed import seed_from_chinese_calendar

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calendar"


@pytest.fixture(scope="session")
def seed_notices() -> list[NoticeData]:
    """National notices 2004–2026 from the package."""
    return seed_from_chinese_calendar()


@pytest.fixture(scope="session")
def cal(seed_notices: list[NoticeData]) -> WorkCalendar:
    """The national calendar as seeded: covers 2004–2026, 2027 is not covered."""
    return calendar_from_notices(seed_notices, version=1)


@pytest.fixture(scope="session")
def notice_2027() -> NoticeData:
    """The made-up 2027 notice in tests/fixtures/calendar/2027-national.yaml."""
    path = FIXTURES / "2027-national.yaml"
    return parse_notice(path.read_text(encoding="utf-8"), path.name)


@pytest.fixture(scope="session")
def cal_2027(seed_notices: list[NoticeData], notice_2027: NoticeData) -> WorkCalendar:
    """The seeded calendar plus the 2027 fixture notice: covers 2004–2027."""
    return calendar_from_notices([*seed_notices, notice_2027], version=2)


@pytest.fixture(scope="session")
def fixed() -> FixedHolidays:
    """The fixed-date statutory holidays as shipped (workflow/calendar/data/fixed_holidays.yaml)."""
    return packaged_fixed_holidays()


@pytest.fixture(scope="session")
def cal_fixed(seed_notices: list[NoticeData], fixed: FixedHolidays) -> WorkCalendar:
    """The calendar as the system loads it: 2004–2026 from the seed, later years weekends plus 元旦, 劳动节, 国庆节."""
    return calendar_from_notices(seed_notices, version=1, fixed=fixed)


@pytest.fixture(scope="session")
def cal_fixed_2027(seed_notices: list[NoticeData], notice_2027: NoticeData, fixed: FixedHolidays) -> WorkCalendar:
    """The same once the 2027 fixture notice is imported."""
    return calendar_from_notices([*seed_notices, notice_2027], version=2, fixed=fixed)
