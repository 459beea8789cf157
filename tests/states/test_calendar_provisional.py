"""Uncovered years: answer as weekends-only, mark provisional, never raise; a notice makes it exact."""

from __future__ import annotations

from datetime import date

import pytest

from states.calendar import CalendarNotCovered, SpecialDay, WorkCalendar

D = date.fromisoformat
MISSING_2027 = "2027 年节假日安排尚未发布，按周末推算，结果为暂定"


def test_deadline_crossing_into_uncovered_2027(cal: WorkCalendar) -> None:
    r = cal.add_workdays(D("2026-12-20"), 20)
    assert r.due == D("2027-01-15")  # weekends only in 2027: 1 Jan counts
    assert r.provisional is True
    assert r.missing_years == (2027,)
    assert r.explanation.missing_years == (2027,)
    assert MISSING_2027 in r.explanation.lines_zh()
    assert r.to_dict()["provisional"] is True
    assert r.to_dict()["missing_years"] == [2027]
    with pytest.raises(CalendarNotCovered) as exc:
        r.require_exact()
    assert exc.value.years == (2027,)
    assert "2027" in exc.value.message_zh


def test_with_2027_notice_exact_and_different(cal_2027: WorkCalendar) -> None:
    r = cal_2027.add_workdays(D("2026-12-20"), 20)
    assert r.due == D("2027-01-18")  # the fixture makes 1 Jan 2027 a holiday (元旦 1–3 Jan)
    assert r.provisional is False
    assert r.missing_years == ()
    assert r.require_exact() is r
    assert "跳过法定节假日：2027-01-01 至 2027-01-03 元旦" in r.explanation.lines_zh()
    assert cal_2027.is_covered(2027)
    assert cal_2027.day_info(D("2027-01-01")) == (False, "元旦")
    assert cal_2027.day_info(D("2027-05-08")) == (True, "调休上班")
    assert cal_2027.day_info(D("2027-10-09")) == (True, "国庆节调休上班")


def test_deadline_inside_covered_years_not_provisional_even_near_boundary(cal: WorkCalendar) -> None:
    r = cal.add_workdays(D("2026-12-01"), 20)
    assert r.due == D("2026-12-29")
    assert not r.provisional


def test_start_day_year_is_not_touched(cal: WorkCalendar) -> None:
    """Only the counted days matter: n=0 in an uncovered year touches nothing."""
    r = cal.add_workdays(D("2030-06-03"), 0)
    assert r.due == D("2030-06-03")
    assert not r.provisional


def test_far_future_and_far_past_never_raise(cal: WorkCalendar) -> None:
    r = cal.add_workdays(D("2150-03-02"), 20)  # outside the index: slow path
    assert r.provisional and r.missing_years == (2150,)
    assert r.due == D("2150-03-30")
    old = cal.add_workdays(D("1999-12-30"), 3)
    assert old.due == D("2000-01-04")
    assert old.missing_years == (1999, 2000)


def test_multiple_missing_years(cal: WorkCalendar) -> None:
    r = cal.add_workdays(D("2026-06-01"), 700)
    assert r.due == D("2029-02-12")  # weekends only from 2027 on
    assert r.missing_years == (2027, 2028, 2029)
    assert [line for line in r.explanation.lines_zh() if "暂定" in line] == [  # once, for every year
        "2027、2028、2029 年节假日安排尚未发布，按周末推算，结果为暂定"
    ]


def test_covered_years_are_explicit_not_inferred() -> None:
    day_off = SpecialDay(D("2027-01-01"), "holiday", "元旦")
    # data present but year not declared covered: the data is used, the result still provisional
    data_only = WorkCalendar([day_off], covered_years=[])
    r = data_only.add_workdays(D("2026-12-31"), 1)
    assert r.due == D("2027-01-04")
    assert r.provisional and r.missing_years == (2027,)
    # declared covered with no special days at all: exact
    empty_covered = WorkCalendar([], covered_years=[2027])
    r2 = empty_covered.add_workdays(D("2026-12-31"), 1)
    assert r2.due == D("2027-01-01")
    assert not r2.provisional


def test_workdays_between_result_flags_missing(cal: WorkCalendar, cal_2027: WorkCalendar) -> None:
    assert cal.workdays_between_result(D("2026-12-20"), D("2027-01-15")) == (20, True, (2027,))
    assert cal_2027.workdays_between_result(D("2026-12-20"), D("2027-01-18")) == (20, False, ())
    assert cal.workdays_between_result(D("2027-01-15"), D("2026-12-20")) == (0, False, ())


def test_calendar_version_carried(cal: WorkCalendar, cal_2027: WorkCalendar) -> None:
    assert cal.add_workdays(D("2025-09-22"), 1).calendar_version == cal.version == 1
    assert cal_2027.add_workdays(D("2025-09-22"), 1).to_dict()["calendar_version"] == 2
