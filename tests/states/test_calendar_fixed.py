"""A year without its holiday notice: weekends plus the fixed-date statutory holidays of 全国年节及纪念日放假办法第二条
(元旦 1/1, 劳动节 5/1–2, 国庆节 10/1–3), provisional; the lunar holidays wait for the notice (h2 finding 2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from states.calendar import SpecialDay, WorkCalendar
from states.calendar_fixed import FixedHolidays, FixedHolidaysError, parse_fixed_holidays

D = date.fromisoformat
LINE_2027 = ("2027 年节假日安排尚未发布，暂按周末和元旦、劳动节、国庆节的法定日期推算；"
             "春节、清明节、端午节、中秋节的放假日期和补假、调休安排待国务院通知公布，结果为暂定")


def test_packaged_data_is_the_2025_text(fixed: FixedHolidays) -> None:
    assert [e.since for e in fixed.editions] == [2025]
    assert {sd.day: sd.name for sd in fixed.days_in(2027)} == {
        D("2027-01-01"): "元旦", D("2027-05-01"): "劳动节", D("2027-05-02"): "劳动节",
        D("2027-10-01"): "国庆节", D("2027-10-02"): "国庆节", D("2027-10-03"): "国庆节"}
    assert fixed.edition(2024) is None and fixed.days_in(2024) == []
    assert fixed.assumed((2027, 2028)) == (("元旦", "劳动节", "国庆节"), ("春节", "清明节", "端午节", "中秋节"))


def test_new_years_day_2027_is_a_day_off_while_provisional(cal_fixed: WorkCalendar) -> None:
    assert not cal_fixed.is_covered(2027)
    assert cal_fixed.is_workday(D("2027-01-01")) is False
    assert cal_fixed.day_info(D("2027-01-01")) == (False, "元旦（暂定）")
    assert cal_fixed.day_info(D("2027-10-01")) == (False, "国庆节（暂定）")
    # 5/1–2 2027 fall on a weekend: the 补假 (第六条) and every 调休 come only with the notice
    assert cal_fixed.is_workday(D("2027-05-03")) and cal_fixed.day_info(D("2027-05-03")) == (True, "工作日（暂定）")
    assert cal_fixed.is_workday(D("2027-02-08"))  # a weekday in the (unknown) 春节 week: counted
    assert cal_fixed.is_workday(D("2028-05-01")) is False and cal_fixed.is_workday(D("2028-05-02")) is False


def test_receipt_on_4_december_2026_is_due_on_4_january_not_new_years_day(cal_fixed: WorkCalendar) -> None:
    """h2 case 29: received 2026-12-04, 20 working days."""
    r = cal_fixed.add_workdays(D("2026-12-04"), 20)
    assert r.due == D("2027-01-04")
    assert r.provisional and r.missing_years == (2027,)
    lines = r.explanation.lines_zh()
    assert "跳过法定节假日：2027-01-01 元旦" in lines
    assert [line for line in lines if "暂定" in line] == [LINE_2027]  # once, saying what was assumed
    data = r.to_dict()["explanation"]
    assert data["assumed_holidays"] == ["元旦", "劳动节", "国庆节"]
    assert data["pending_holidays"] == ["春节", "清明节", "端午节", "中秋节"]
    assert cal_fixed.provisional_line([2027]) == LINE_2027


def test_the_notice_replaces_the_assumption(cal_fixed: WorkCalendar, cal_fixed_2027: WorkCalendar,
                                            cal_2027: WorkCalendar) -> None:
    r = cal_fixed_2027.add_workdays(D("2026-12-04"), 20)
    assert r.due == D("2027-01-04")  # the same day (元旦 1–3 January: a Friday and a weekend), now exact
    assert not r.provisional and not any("暂定" in line for line in r.explanation.lines_zh())
    assert r.to_dict()["explanation"]["assumed_holidays"] == []
    before = cal_fixed.add_workdays(D("2027-01-20"), 20)
    after = cal_fixed_2027.add_workdays(D("2027-01-20"), 20)  # 春节 was not known before the notice
    assert (before.due, before.provisional, after.due, after.provisional) == (D("2027-02-17"), True,
                                                                              D("2027-02-24"), False)
    d = date(2027, 1, 1)
    while d.year == 2027:  # a covered year is exactly its notice
        assert cal_fixed_2027.is_workday(d) == cal_2027.is_workday(d), d
        d += timedelta(days=1)
    assert cal_fixed_2027.is_workday(D("2028-01-03")) and not cal_fixed_2027.is_workday(D("2028-10-02"))


def test_calendar_periods_roll_past_a_fixed_holiday(cal_fixed: WorkCalendar) -> None:
    r = cal_fixed.add_calendar_period(D("2026-11-02"), days=60)  # nominal end 2027-01-01 (Friday)
    assert r.due == D("2027-01-04") and r.provisional
    assert [line for line in r.explanation.lines_zh() if "暂定" in line] == [LINE_2027]


def test_years_before_the_text_and_local_entries_are_left_alone(fixed: FixedHolidays) -> None:
    local = SpecialDay(D("2027-10-02"), "workday", "地方调休", scope="chuxiong")
    cal = WorkCalendar([local], covered_years=[], fixed=fixed)
    assert cal.is_workday(D("2027-10-02"))  # the agency's own entry on the date wins (as in merge_scopes)
    assert not cal.is_workday(D("2027-10-01"))
    assert cal.is_workday(D("2024-10-01"))  # before 2025 nothing is assumed (the text then was another)
    assert cal.provisional_line([2024]) == "2024 年节假日安排尚未发布，按周末推算，结果为暂定"
    without = WorkCalendar([], covered_years=[])
    assert without.is_workday(D("2027-01-01")) and without.provisional_line([2027]).endswith("按周末推算，结果为暂定")


def test_changed_days_on_import_are_only_what_the_notice_adds(cal_fixed: WorkCalendar,
                                                              cal_fixed_2027: WorkCalendar) -> None:
    changed = dict(cal_fixed_2027.changed_days(cal_fixed))
    assert D("2027-01-01") not in changed and D("2027-10-01") not in changed  # off before and after
    assert changed[D("2027-02-08")] is False  # 春节 from the notice
    assert changed[D("2027-02-20")] is True  # a Saturday make-up working day


def test_bad_data_lists_every_problem() -> None:
    with pytest.raises(FixedHolidaysError) as exc:
        parse_fixed_holidays({"editions": [{"since": "2025", "holidays": [{"name": "元旦", "dates": ["1-1"]},
                                                                           {"name": "x", "dates": ["02-29"]}]}]})
    text = str(exc.value)
    for part in ("source", "since", "document", "'1-1'", "'02-29'"):
        assert part in text
    with pytest.raises(FixedHolidaysError):
        parse_fixed_holidays({"source": "s", "editions": [
            {"since": 2030, "document": "b", "holidays": [{"name": "元旦", "dates": ["01-01"]}]},
            {"since": 2025, "document": "a", "holidays": [{"name": "元旦", "dates": ["01-01"]}]}]})


# ----- properties with the fixed holidays: the index and the slow paths agree, every day is accounted for

any_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2120, 12, 31))
small_n = st.integers(min_value=0, max_value=100)


@pytest.fixture(scope="module")
def tiny_index_fixed(cal_fixed: WorkCalendar, fixed: FixedHolidays) -> WorkCalendar:
    special = [sd for y in range(2004, 2027) for sd in cal_fixed.special_days_in(y)]
    return WorkCalendar(special, cal_fixed.covered_years, cal_fixed.version, fixed=fixed,
                        index_range=(date(2025, 1, 1), date(2025, 12, 31)))


@given(any_dates, small_n, any_dates)
@settings(max_examples=200)
def test_slow_paths_equal_index_with_fixed_holidays(cal_fixed: WorkCalendar, tiny_index_fixed: WorkCalendar,
                                                    d: date, n: int, b: date) -> None:
    assert tiny_index_fixed.add_workdays_date(d, n) == cal_fixed.add_workdays_date(d, n)
    assert tiny_index_fixed.is_workday(d) == cal_fixed.is_workday(d)
    assert tiny_index_fixed.workdays_between(d, b) == cal_fixed.workdays_between(d, b)
    assert tiny_index_fixed.add_workdays(d, n) == cal_fixed.add_workdays(d, n)


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2031, 12, 31)), small_n)
def test_explanation_accounts_for_every_day_across_uncovered_years(cal_fixed: WorkCalendar, d: date, n: int) -> None:
    r = cal_fixed.add_workdays(d, n)
    e = r.explanation
    assert (r.due - d).days == n + len(e.weekends_skipped) + len(e.holidays_skipped)
    assert all(not cal_fixed.is_workday(sd.day) for sd in e.holidays_skipped)
    assert cal_fixed.workdays_between(d, r.due) == n
    assert r.provisional == any(not cal_fixed.is_covered(y) for y in range(d.year, r.due.year + 1) if r.due > d)
