"""Working-day arithmetic: the rules.md §4.3 worked examples, every 2025/2026 holiday and make-up day, edges."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from states.calendar import SpecialDay, WorkCalendar, merge_scopes

D = date.fromisoformat

# rules.md §4.2, transcribed independently of the chinese-calendar package:
# (name, first day off, last day off, make-up working days)
NOTICES_2025_2026 = [
    ("元旦", "2025-01-01", "2025-01-01", []),
    ("春节", "2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"]),
    ("清明节", "2025-04-04", "2025-04-06", []),
    ("劳动节", "2025-05-01", "2025-05-05", ["2025-04-27"]),
    ("端午节", "2025-05-31", "2025-06-02", []),
    ("国庆节", "2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"]),
    ("元旦", "2026-01-01", "2026-01-03", ["2026-01-04"]),
    ("春节", "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
    ("清明节", "2026-04-04", "2026-04-06", []),
    ("劳动节", "2026-05-01", "2026-05-05", ["2026-05-09"]),
    ("端午节", "2026-06-19", "2026-06-21", []),
    ("中秋节", "2026-09-25", "2026-09-27", []),
    ("国庆节", "2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"]),
]


def _days(first: str, last: str) -> list[date]:
    a, b = D(first), D(last)
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # rules.md §4.3 worked examples
        ("2025-09-22", 20, "2025-10-24"),  # counts make-up Sun 9/28 and Sat 10/11
        ("2025-09-22", 7, "2025-09-30"),  # 7-WD correction notice (条例第三十条)
        ("2025-01-20", 20, "2025-02-21"),
        ("2026-02-10", 20, "2026-03-16"),
        ("2026-09-18", 20, "2026-10-22"),
    ],
)
def test_worked_examples(cal: WorkCalendar, start: str, n: int, due: str) -> None:
    result = cal.add_workdays(D(start), n)
    assert result.due == D(due)
    assert result.provisional is False
    assert result.missing_years == ()
    assert cal.add_workdays_date(D(start), n) == D(due)
    assert cal.workdays_between(D(start), D(due)) == n


@pytest.mark.parametrize(
    ("start", "n", "due", "why"),
    [
        ("2025-10-03", 1, "2025-10-09", "start on a holiday"),
        ("2025-10-03", 3, "2025-10-11", "start on a holiday, reach the make-up Saturday"),
        ("2025-09-28", 1, "2025-09-29", "start on a make-up Sunday (not counted itself)"),
        ("2025-09-28", 3, "2025-10-09", "make-up Sunday start, across 国庆"),
        ("2025-01-24", 1, "2025-01-26", "Friday before 春节: next is make-up Sunday"),
        ("2025-01-24", 2, "2025-01-27", "Friday before 春节"),
        ("2025-01-24", 3, "2025-02-05", "Friday before 春节, across the block"),
        ("2026-04-03", 1, "2026-04-07", "Friday before 清明 (Sat–Mon)"),
        ("2026-02-13", 1, "2026-02-14", "Friday before 春节 2026: make-up Saturday"),
        ("2026-02-14", 1, "2026-02-24", "n=1 across the nine-day 春节 block"),
        ("2025-09-30", 1, "2025-10-09", "n=1 across the eight-day 国庆 block"),
        ("2025-12-31", 1, "2026-01-04", "year end: 元旦 then make-up Sunday"),
        ("2026-04-30", 1, "2026-05-06", "劳动节 2026"),
        ("2026-04-30", 4, "2026-05-09", "劳动节 2026 make-up Saturday"),
        ("2025-05-30", 1, "2025-06-03", "端午 2025 (Sat–Mon)"),
        ("2026-06-18", 1, "2026-06-22", "端午 2026 (Fri–Sun)"),
        ("2026-09-24", 1, "2026-09-28", "中秋 2026 (Fri–Sun)"),
        ("2026-09-19", 1, "2026-09-20", "Saturday before make-up Sunday"),
        ("2025-04-25", 1, "2025-04-27", "make-up Sunday before 劳动节 2025"),
        ("2025-02-07", 1, "2025-02-08", "make-up Saturday after 春节 2025"),
        ("2026-10-09", 1, "2026-10-10", "make-up Saturday after 国庆 2026"),
        ("2026-02-27", 1, "2026-02-28", "make-up Saturday after 春节 2026"),
        ("2025-04-03", 1, "2025-04-07", "清明 2025 (Fri–Sun)"),
        ("2024-12-31", 1, "2025-01-02", "元旦 2025"),
        ("2025-09-22", 0, "2025-09-22", "n=0 returns the start date"),
        ("2025-09-27", 0, "2025-09-27", "n=0 on a rest day returns it unchanged"),
    ],
)
def test_own_cases(cal: WorkCalendar, start: str, n: int, due: str, why: str) -> None:
    assert cal.add_workdays(D(start), n).due == D(due), why


@pytest.mark.parametrize(("name", "first", "last", "makeups"), NOTICES_2025_2026)
def test_every_2025_2026_holiday_and_makeup_day(
    cal: WorkCalendar, name: str, first: str, last: str, makeups: list[str]
) -> None:
    for d in _days(first, last):
        assert not cal.is_workday(d), d
        assert cal.day_info(d)[0] is False
    # the first working day after the block is next_workday of the last day off
    after = cal.next_workday(D(last))
    assert after > D(last)
    assert all(not cal.is_workday(d) for d in _days(last, (after - timedelta(days=1)).isoformat()))
    for m in makeups:
        d = D(m)
        assert d.weekday() >= 5
        assert cal.is_workday(d), d
        ok, label = cal.day_info(d)
        assert ok and label.endswith("调休上班"), label


def test_seed_matches_spec_tables(cal: WorkCalendar) -> None:
    """The package's data for 2025–2026 equals the State Council notices transcribed in rules.md §4.2."""
    offs = {d for _, a, b, _ in NOTICES_2025_2026 for d in _days(a, b)}
    ons = {D(m) for *_, ms in NOTICES_2025_2026 for m in ms}
    day = D("2025-01-01")
    while day.year < 2027:
        expected = day in ons or (day.weekday() < 5 and day not in offs)
        assert cal.is_workday(day) == expected, day
        day += timedelta(days=1)


def test_day_info_labels(cal: WorkCalendar) -> None:
    assert cal.day_info(D("2025-10-01")) == (False, "国庆节")
    assert cal.day_info(D("2025-10-06")) == (False, "中秋节")
    assert cal.day_info(D("2025-09-28")) == (True, "国庆节调休上班")
    assert cal.day_info(D("2025-09-27")) == (False, "周六")
    assert cal.day_info(D("2025-10-12")) == (False, "周日")
    assert cal.day_info(D("2025-09-22")) == (True, "工作日")
    assert cal.day_info(D("2027-01-01")) == (True, "工作日（暂定）")


def test_special_days_in(cal: WorkCalendar) -> None:
    days = cal.special_days_in(2025)
    assert [sd.day for sd in days] == sorted(sd.day for sd in days)
    assert all(sd.day.year == 2025 for sd in days)
    assert sum(sd.kind == "workday" for sd in days) == 5
    assert cal.special_days_in(2027) == []


def test_workdays_between(cal: WorkCalendar) -> None:
    assert cal.workdays_between(D("2025-09-30"), D("2025-10-08")) == 0
    assert cal.workdays_between(D("2025-09-30"), D("2025-10-09")) == 1
    assert cal.workdays_between(D("2025-09-27"), D("2025-09-28")) == 1  # make-up Sunday counts
    assert cal.workdays_between(D("2025-09-22"), D("2025-09-22")) == 0
    assert cal.workdays_between(D("2025-10-24"), D("2025-09-22")) == 0
    r = cal.workdays_between_result(D("2025-09-22"), D("2025-10-24"))
    assert r.workdays == 20
    assert r == (20, False, ())


@pytest.mark.parametrize("n", [-1, -20])
def test_negative_n_raises(cal: WorkCalendar, n: int) -> None:
    with pytest.raises(ValueError, match=r"must be >= 0"):
        cal.add_workdays(D("2025-09-22"), n)
    with pytest.raises(ValueError, match=r"must be >= 0"):
        cal.add_workdays_date(D("2025-09-22"), n)


def test_huge_n_raises(cal: WorkCalendar) -> None:
    assert cal.add_workdays(D("2025-09-22"), 3660).due > D("2039-01-01")
    with pytest.raises(ValueError, match=r"too large"):
        cal.add_workdays(D("2025-09-22"), 3661)


def test_bad_argument_types(cal: WorkCalendar) -> None:
    with pytest.raises(TypeError):
        cal.add_workdays(D("2025-09-22"), 2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cal.add_workdays(D("2025-09-22"), True)
    with pytest.raises(TypeError, match=r"datetime\.date"):
        cal.add_workdays(datetime(2025, 9, 22, 10), 1)


def test_duplicate_special_days_rejected() -> None:
    a = SpecialDay(D("2026-08-07"), "holiday", "火把节", "532300")
    b = SpecialDay(D("2026-08-07"), "workday", "调休", "national")
    with pytest.raises(ValueError, match="2026-08-07"):
        WorkCalendar([a, b], [2026])


def test_special_day_validation() -> None:
    with pytest.raises(ValueError):
        SpecialDay(D("2026-08-07"), "rest", "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SpecialDay(datetime(2026, 8, 7), "holiday", "x")


def test_merge_scopes_local_wins() -> None:
    national = [
        SpecialDay(D("2026-09-20"), "workday", "国庆节"),
        SpecialDay(D("2026-10-01"), "holiday", "国庆节"),
    ]
    local = [SpecialDay(D("2026-09-20"), "holiday", "火把节", "532300")]
    merged = merge_scopes(national, local)
    assert [(sd.day.isoformat(), sd.kind, sd.scope) for sd in merged] == [
        ("2026-09-20", "holiday", "532300"),
        ("2026-10-01", "holiday", "national"),
    ]
    with pytest.raises(ValueError, match="duplicate local"):
        merge_scopes([], local + local)


def test_local_holiday_in_calendar_and_explanation(cal: WorkCalendar) -> None:
    torch = [SpecialDay(D("2026-08-07") + timedelta(days=i), "holiday", "火把节", "532300") for i in range(3)]
    national = [sd for y in range(2004, 2027) for sd in cal.special_days_in(y)]
    local_cal = WorkCalendar(merge_scopes(national, torch), range(2004, 2027))
    assert cal.add_workdays(D("2026-08-06"), 1).due == D("2026-08-07")
    result = local_cal.add_workdays(D("2026-08-06"), 1)
    assert result.due == D("2026-08-10")
    assert "跳过地方节假日：2026-08-07 至 2026-08-09 火把节" in result.explanation.lines_zh()


def test_next_workday(cal: WorkCalendar) -> None:
    assert cal.next_workday(D("2025-09-22")) == D("2025-09-23")
    assert cal.next_workday(D("2025-09-27")) == D("2025-09-28")
    assert cal.next_workday(D("2025-09-30")) == D("2025-10-09")


def test_changed_days() -> None:
    before = WorkCalendar([SpecialDay(date(2026, 10, 1), "holiday", "国庆节"),
                           SpecialDay(date(2026, 10, 10), "workday", "国庆节")], [2026])
    after = WorkCalendar([SpecialDay(date(2026, 10, 1), "holiday", "国庆节"),
                          SpecialDay(date(2026, 10, 8), "holiday", "国庆节"),
                          SpecialDay(date(2026, 10, 11), "workday", "国庆节")], [2026])
    assert after.changed_days(before) == [(date(2026, 10, 8), False), (date(2026, 10, 10), False),
                                          (date(2026, 10, 11), True)]
    assert before.changed_days(after) == [(date(2026, 10, 8), True), (date(2026, 10, 10), True),
                                          (date(2026, 10, 11), False)]
    assert after.changed_days(after) == []
