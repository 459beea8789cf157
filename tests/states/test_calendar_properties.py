"""Hypothesis properties of the working-day arithmetic, checked against chinese-calendar for 2004–2026."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from states.calendar import SpecialDay, WorkCalendar

# Start dates whose 200-WD deadline stays inside the package's data (it raises for 2027).
covered_dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 3, 31))
small_n = st.integers(min_value=0, max_value=100)
any_dates = st.dates(min_value=date(1980, 1, 1), max_value=date(2120, 12, 31))


def naive_add(d: date, n: int) -> date:
    """Day-by-day loop over chinese_calendar.is_workday; the start day is never counted."""
    while n:
        d += timedelta(days=1)
        if chinese_calendar.is_workday(d):
            n -= 1
    return d


def naive_between(a: date, b: date) -> int:
    count, d = 0, a
    while d < b:
        d += timedelta(days=1)
        count += chinese_calendar.is_workday(d)
    return count


def test_is_workday_matches_package_every_day(cal: WorkCalendar) -> None:
    d = date(2004, 1, 1)
    while d.year <= 2026:
        assert cal.is_workday(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


@given(covered_dates, small_n)
def test_equals_naive_loop(cal: WorkCalendar, d: date, n: int) -> None:
    assert cal.add_workdays(d, n).due == naive_add(d, n)


@given(covered_dates, st.integers(min_value=1, max_value=100))
def test_result_is_a_working_day_after_start(cal: WorkCalendar, d: date, n: int) -> None:
    due = cal.add_workdays_date(d, n)
    assert due > d
    assert cal.is_workday(due)


@given(covered_dates, small_n, small_n)
def test_additive(cal: WorkCalendar, d: date, a: int, b: int) -> None:
    assert cal.add_workdays_date(d, a + b) == cal.add_workdays_date(cal.add_workdays_date(d, a), b)


@given(any_dates, small_n)
def test_between_inverts_add(cal: WorkCalendar, d: date, n: int) -> None:
    assert cal.workdays_between(d, cal.add_workdays_date(d, n)) == n


@given(covered_dates, st.integers(min_value=0, max_value=60))
def test_between_equals_naive(cal: WorkCalendar, a: date, span: int) -> None:
    b = a + timedelta(days=span)
    assert cal.workdays_between(a, b) == naive_between(a, b)


@given(any_dates, any_dates, small_n, small_n)
def test_monotonic(cal: WorkCalendar, d1: date, d2: date, n1: int, n2: int) -> None:
    d1, d2 = min(d1, d2), max(d1, d2)
    n1, n2 = min(n1, n2), max(n1, n2)
    assert cal.add_workdays_date(d1, n1) <= cal.add_workdays_date(d2, n1)
    assert cal.add_workdays_date(d1, n1) <= cal.add_workdays_date(d1, n2)


@given(covered_dates, small_n)
def test_explanation_accounts_for_every_day(cal: WorkCalendar, d: date, n: int) -> None:
    """Days in (d, due] = n working days + the weekends and holidays listed as skipped."""
    r = cal.add_workdays(d, n)
    e = r.explanation
    assert type(r.due) is date
    assert (r.due - d).days == n + len(e.weekends_skipped) + len(e.holidays_skipped)
    assert all(not cal.is_workday(x) for x in e.weekends_skipped)
    assert all(not cal.is_workday(sd.day) for sd in e.holidays_skipped)
    assert all(cal.is_workday(sd.day) and sd.day.weekday() >= 5 for sd in e.makeup_days_counted)


@pytest.fixture(scope="module")
def tiny_index_cal(cal: WorkCalendar) -> WorkCalendar:
    """Same data, index only over 2025: most dates go through the slow and closed-form paths."""
    special: list[SpecialDay] = [sd for y in range(2004, 2027) for sd in cal.special_days_in(y)]
    return WorkCalendar(
        special, cal.covered_years, cal.version, index_range=(date(2025, 1, 1), date(2025, 12, 31))
    )


@given(any_dates, small_n, any_dates)
@settings(max_examples=200)
def test_slow_paths_equal_index(
    cal: WorkCalendar, tiny_index_cal: WorkCalendar, d: date, n: int, b: date
) -> None:
    assert tiny_index_cal.add_workdays_date(d, n) == cal.add_workdays_date(d, n)
    assert tiny_index_cal.is_workday(d) == cal.is_workday(d)
    assert tiny_index_cal.workdays_between(d, b) == cal.workdays_between(d, b)
    assert tiny_index_cal.add_workdays(d, n) == cal.add_workdays(d, n)
