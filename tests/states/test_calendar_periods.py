"""Calendar-day periods (民法典第二百零一至二百零三条) and working-minute clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from states.calendar import WorkCalendar, WorkingHours

D = date.fromisoformat
SH = ZoneInfo("Asia/Shanghai")
HOURS = WorkingHours()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


# ----- calendar-day periods ---------------------------------------------------------------------


def test_60_days_ending_on_holiday_rolls_forward(cal: WorkCalendar) -> None:
    r = cal.add_calendar_period(D("2025-08-04"), days=60)
    assert r.explanation.nominal_end == D("2025-10-03")  # 国庆 holiday
    assert r.due == D("2025-10-09")
    assert not r.provisional
    assert [sd.day for sd in r.explanation.holidays_skipped] == [D(f"2025-10-0{i}") for i in range(3, 9)]
    lines = r.explanation.lines_zh()
    assert "期间最后一日 2025-10-03 为休息日，顺延至其后第一个工作日（民法典第二百零三条）" in lines
    assert "跳过法定节假日：2025-10-03 至 2025-10-08 国庆节、中秋节" in lines
    assert lines[-1] == "届满日 2025-10-09（星期四）"


def test_15_days_ending_on_weekend(cal: WorkCalendar) -> None:
    r = cal.add_calendar_period(D("2025-09-05"), days=15)
    assert r.due == D("2025-09-22")
    assert r.explanation.weekends_skipped == (D("2025-09-20"), D("2025-09-21"))


def test_ending_on_makeup_day_does_not_roll(cal: WorkCalendar) -> None:
    r = cal.add_calendar_period(D("2025-09-13"), days=15)
    assert r.due == D("2025-09-28")  # make-up Sunday is a working day
    assert r.explanation.weekends_skipped == ()


def test_ending_on_working_day(cal: WorkCalendar) -> None:
    r = cal.add_calendar_period(D("2025-09-01"), days=60)
    assert r.due == D("2025-10-31")
    assert r.explanation.nominal_end == r.due


def test_six_months_month_end_clamp(cal: WorkCalendar, cal_2027: WorkCalendar) -> None:
    r = cal.add_calendar_period(D("2026-08-31"), months=6)
    assert r.explanation.nominal_end == D("2027-02-28")  # 民法典第二百零二条: month end
    assert r.explanation.month_end_clamped
    assert r.due == D("2027-03-01")  # 2027-02-28 is a Sunday
    assert r.provisional and r.missing_years == (2027,)
    exact = cal_2027.add_calendar_period(D("2026-08-31"), months=6)
    assert exact.due == D("2027-03-01") and not exact.provisional
    lines = exact.explanation.lines_zh()
    assert "期间：6 个月" in lines
    assert "到期月无对应日，以月末日 2027-02-28 为期间最后一日" in lines


def test_months_corresponding_day(cal: WorkCalendar) -> None:
    assert cal.add_calendar_period(D("2025-04-30"), months=6).due == D("2025-10-30")
    r = cal.add_calendar_period(D("2025-03-31"), months=6)
    assert r.due == D("2025-09-30") and r.explanation.month_end_clamped
    assert cal.add_calendar_period(D("2023-08-31"), months=6).explanation.nominal_end == D("2024-02-29")
    assert cal.add_calendar_period(D("2025-12-15"), months=1).due == D("2026-01-15")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"days": 10, "months": 1}, "exactly one"),
        ({"days": -1}, ">= 0"),
        ({"months": -6}, ">= 0"),
        ({"days": 36601}, "too large"),
    ],
)
def test_calendar_period_bad_input(cal: WorkCalendar, kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cal.add_calendar_period(D("2025-09-22"), **kwargs)


# ----- working minutes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes", "due", "why"),
    [
        ("2025-09-22T11:00", 120, "2025-09-22T15:30", "across lunch"),
        ("2025-09-22T17:00", 120, "2025-09-23T10:00", "across a night"),
        ("2025-09-19T17:30", 60, "2025-09-22T09:30", "across a weekend"),
        ("2025-09-26T17:30", 60, "2025-09-28T09:30", "weekend with a make-up Sunday"),
        ("2025-09-30T17:00", 90, "2025-10-09T09:30", "across 国庆"),
        ("2025-09-22T07:00", 30, "2025-09-22T09:30", "before hours"),
        ("2025-09-22T12:30", 30, "2025-09-22T15:00", "at lunch"),
        ("2025-09-22T20:00", 30, "2025-09-23T09:30", "after hours"),
        ("2025-09-20T10:00", 30, "2025-09-22T09:30", "on a Saturday"),
        ("2025-10-03T10:00", 30, "2025-10-09T09:30", "on a holiday"),
        ("2025-09-22T09:00", 180, "2025-09-22T12:00", "fills the morning exactly"),
        ("2025-09-22T09:00", 390, "2025-09-22T18:00", "fills the day exactly"),
        ("2025-09-22T09:00", 391, "2025-09-23T09:01", "one minute into the next day"),
        ("2025-09-22T12:30", 0, "2025-09-22T14:30", "zero minutes: next working instant"),
        ("2025-09-22T10:15:30", 1, "2025-09-22T10:16:30", "seconds kept"),
    ],
)
def test_working_minutes(cal: WorkCalendar, start: str, minutes: int, due: str, why: str) -> None:
    r = cal.add_working_minutes(at(start), minutes, HOURS)
    assert r.due == at(due), why
    assert isinstance(r.due, datetime) and r.due.tzinfo is not None
    assert r.due.utcoffset() == at(due).utcoffset()


def test_working_minutes_from_utc_and_explained(cal: WorkCalendar) -> None:
    start = datetime(2025, 9, 30, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    r = cal.add_working_minutes(start, 90, HOURS)
    assert r.due == at("2025-10-09T09:30")
    assert isinstance(r.due, datetime)
    assert str(r.due.tzinfo) == "Asia/Shanghai"
    e = r.explanation
    assert e.holidays_skipped[0].day == D("2025-10-01")
    assert e.weekends_skipped == ()
    lines = e.lines_zh()
    assert lines[0] == "起算时间 2025-09-30 17:00（北京时间）"
    assert lines[1] == "期间：90 分钟工作时间（每个工作日 09:00-12:00、14:30-18:00）"
    assert lines[-1] == "届满时间 2025-10-09 09:30"
    d = r.to_dict()
    assert d["due"] == "2025-10-09T09:30:00+08:00"


def test_working_minutes_makeup_only_when_used(cal: WorkCalendar) -> None:
    r = cal.add_working_minutes(at("2025-09-26T17:30"), 60, HOURS)
    assert [sd.day for sd in r.explanation.makeup_days_counted] == [D("2025-09-28")]
    assert r.explanation.weekends_skipped == (D("2025-09-27"),)
    late = cal.add_working_minutes(at("2025-09-28T19:00"), 30, HOURS)
    assert late.due == at("2025-09-29T09:30")
    assert late.explanation.makeup_days_counted == ()


def test_working_minutes_provisional(cal: WorkCalendar) -> None:
    r = cal.add_working_minutes(at("2026-12-31T17:00"), 120, HOURS)
    assert r.due == at("2027-01-01T10:00")
    assert r.provisional and r.missing_years == (2027,)


def test_working_minutes_bad_input(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_working_minutes(datetime(2025, 9, 22, 10), 10, HOURS)
    with pytest.raises(ValueError, match=">= 0"):
        cal.add_working_minutes(at("2025-09-22T10:00"), -5, HOURS)
    with pytest.raises(ValueError, match="too large"):
        cal.add_working_minutes(at("2025-09-22T10:00"), 10**7, HOURS)


def test_next_working_instant(cal: WorkCalendar) -> None:
    inside = at("2025-09-22T10:00")
    assert cal.next_working_instant(inside, HOURS) is inside
    assert cal.next_working_instant(at("2025-09-22T12:00"), HOURS) == at("2025-09-22T14:30")
    assert cal.next_working_instant(at("2025-09-19T18:00"), HOURS) == at("2025-09-22T09:00")
    assert cal.next_working_instant(at("2025-10-01T10:00"), HOURS) == at("2025-10-09T09:00")
    sunday = at("2025-09-28T10:00")  # make-up Sunday
    assert cal.next_working_instant(sunday, HOURS) is sunday
    utc_night = datetime(2025, 9, 22, 16, 0, tzinfo=UTC)  # 00:00 on the 23rd in Shanghai
    assert cal.next_working_instant(utc_night, HOURS) == at("2025-09-23T09:00")
    with pytest.raises(ValueError):
        cal.next_working_instant(datetime(2025, 9, 22, 10), HOURS)


def test_other_working_hours(cal: WorkCalendar) -> None:
    hours = WorkingHours.from_strings(["08:30-12:00", "13:30-17:30"], "Asia/Shanghai")
    assert hours.periods == ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))
    assert cal.add_working_minutes(at("2025-09-22T11:30"), 60, hours).due == at("2025-09-22T14:00")
    urumqi = WorkingHours.from_strings(["10:00-14:00", "16:00-20:00"], "Asia/Urumqi")
    r = cal.add_working_minutes(at("2025-09-22T09:00"), 30, urumqi)  # 07:00 in Urumqi
    assert r.due.isoformat() == "2025-09-22T10:30:00+06:00"


@pytest.mark.parametrize(
    ("periods", "tz"),
    [
        (["9-12"], "Asia/Shanghai"),
        (["12:00-09:00"], "Asia/Shanghai"),
        (["09:00-12:00", "11:00-13:00"], "Asia/Shanghai"),
        (["14:00-16:00", "09:00-12:00"], "Asia/Shanghai"),
        (["09:00-25:00"], "Asia/Shanghai"),
        ([], "Asia/Shanghai"),
        (["09:00-12:00"], "Mars/Olympus"),
    ],
)
def test_working_hours_validation(periods: list[str], tz: str) -> None:
    with pytest.raises(ValueError):
        WorkingHours.from_strings(periods, tz)
