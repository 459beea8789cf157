"""Working-day calendar and deadline arithmetic (pure: no DB, no I/O, no clock reads).

A date is a working day iff it is Mon–Fri and not a holiday, or it is a make-up working day (调休上班)
(rules.md §4.1(4); 国务院办公厅年度节假日安排通知). Periods never count their start day
(民法典第二百零一条). A year without holiday data is computed as weekends plus the fixed-date statutory holidays
(``fixed``: 元旦, 劳动节, 国庆节 — 全国年节及纪念日放假办法第二条, data in states.calendar_fixed) and the result is
marked provisional; ``covered_years`` is an explicit input, never inferred from the data.

Speed: each calendar builds, once, an index over 2000-01-01..2100-12-31 — ``_cum[i]`` = working
days on or before day i, ``_ords[k]`` = ordinal of the k-th working day — so adding working days is
two array reads. Dates outside the index use an exact slow path.
"""

from __future__ import annotations

import bisect
import calendar as _stdcal
import itertools
from array import array
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from states.calendar_explain import DeadlineResult, Explanation, provisional_line
from states.calendar_fixed import FixedHolidays
from states.calendar_hours import (
    inside_working_period,
    used_working_time_on,
    walk_working_time,
    working_time_between,
)
from states.calendar_model import (
    REST_WEEKDAY_ZH,
    CalendarNotCovered,
    SpecialDay,
    WorkingHours,
    makeup_label,
    merge_scopes,
)

__all__ = [
    "CalendarNotCovered",
    "CountResult",
    "DeadlineResult",
    "Explanation",
    "SpecialDay",
    "WorkCalendar",
    "WorkingHours",
    "merge_scopes",
]

INDEX_START = date(2000, 1, 1)
INDEX_END = date(2100, 12, 31)
MAX_WORKDAYS = 3660  # ten years of working days; anything longer is a data-entry error
MAX_CALENDAR_DAYS = 36600
MAX_MONTHS = 1200
MAX_WORKING_MINUTES = 1_000_000


class CountResult(NamedTuple):
    """Working days in (a, b], and whether an uncovered year was involved."""

    workdays: int
    provisional: bool
    missing_years: tuple[int, ...]


def _weekdays_upto(ordinal: int) -> int:
    """Number of Mon–Fri days with ordinal in [1, ordinal] (ordinal 1 = 0001-01-01, a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def _check_date(d: object, what: str) -> None:
    if type(d) is not date:
        raise TypeError(f"{what} must be a datetime.date (convert datetimes to the local date first)")


def _check_count(n: object, what: str, limit: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what} must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"{what} must be >= 0, got {n}")
    if n > limit:
        raise ValueError(f"{what}={n} is too large (at most {limit})")
    return n


class WorkCalendar:
    """A per-date working calendar built from special days (holidays and make-up days) and covered years."""

    def __init__(
        self,
        special_days: Iterable[SpecialDay],
        covered_years: Iterable[int],
        version: int = 0,
        *,
        fixed: FixedHolidays | None = None,
        index_range: tuple[date, date] = (INDEX_START, INDEX_END),
    ) -> None:
        special: dict[date, SpecialDay] = {}
        for sd in special_days:
            if sd.day in special:
                raise ValueError(
                    f"more than one special day on {sd.day.isoformat()}: merge scopes first (merge_scopes)"
                )
            special[sd.day] = sd
        self.version: int = version
        self.covered_years: frozenset[int] = frozenset(covered_years)
        self.fixed = fixed
        if fixed is not None and fixed.editions:
            # An uncovered year: its fixed-date statutory holidays are days off (a local entry on the date wins, as
            # in merge_scopes). Up to the index's end at least, so the index and the slow paths agree.
            last = max(INDEX_END.year, index_range[1].year)
            for year in range(fixed.editions[0].since, last + 1):
                if year not in self.covered_years:
                    for sd in fixed.days_in(year):
                        special.setdefault(sd.day, sd)
        self._special = special
        ordered = sorted(special.values(), key=lambda sd: sd.day)
        self._special_sorted = ordered
        self._special_ords = [sd.day.toordinal() for sd in ordered]
        self._special_ord_set = frozenset(self._special_ords)
        # For the closed-form count outside the index: weekday holidays and weekend make-up days.
        self._off_weekday_ords = [
            o
            for o, sd in zip(self._special_ords, ordered, strict=True)
            if sd.kind == "holiday" and sd.day.weekday() < 5
        ]
        self._on_weekend_ords = [
            o
            for o, sd in zip(self._special_ords, ordered, strict=True)
            if sd.kind == "workday" and sd.day.weekday() >= 5
        ]
        self._build_index(*index_range)

    def _build_index(self, start: date, end: date) -> None:
        if end < start:
            raise ValueError("index_range end must not precede its start")
        base = start.toordinal()
        size = end.toordinal() - base + 1
        w0 = start.weekday()
        week = bytes(1 if (w0 + i) % 7 < 5 else 0 for i in range(7))
        flags = bytearray((week * (size // 7 + 1))[:size])
        lo = bisect.bisect_left(self._special_ords, base)
        hi = bisect.bisect_right(self._special_ords, base + size - 1)
        for o, sd in zip(self._special_ords[lo:hi], self._special_sorted[lo:hi], strict=True):
            flags[o - base] = 1 if sd.kind == "workday" else 0
        self._base = base
        self._size = size
        self._flags = flags
        self._cum = array("i", itertools.accumulate(flags))
        self._ords = array("i", itertools.compress(range(base, base + size), flags))

    def index_bytes(self) -> int:
        """Approximate memory held by the index arrays."""
        return len(self._flags) + self._cum.itemsize * len(self._cum) + self._ords.itemsize * len(self._ords)

    # ----- single dates -------------------------------------------------------------------------

    def is_covered(self, year: int) -> bool:
        """Whether holiday data for ``year`` has been loaded (explicit input)."""
        return year in self.covered_years

    def is_workday(self, d: date) -> bool:
        """Working day iff (Mon–Fri and not a holiday) or a make-up working day."""
        i = d.toordinal() - self._base
        if 0 <= i < self._size:
            return self._flags[i] == 1
        return self._is_workday_slow(d)

    def _is_workday_slow(self, d: date) -> bool:
        sd = self._special.get(d)
        if sd is not None:
            return sd.kind == "workday"
        return d.weekday() < 5

    def day_info(self, d: date) -> tuple[bool, str]:
        """(is_workday, Chinese reason): '周六', '国庆节', '国庆节调休上班', '工作日'; '（暂定）' if uncovered."""
        sd = self._special.get(d)
        if sd is not None and sd.kind == "holiday":
            result = (False, sd.name)
        elif sd is not None:
            result = (True, makeup_label(sd.name) + "上班")
        elif d.weekday() >= 5:
            result = (False, REST_WEEKDAY_ZH[d.weekday()])
        else:
            result = (True, "工作日")
        if not self.is_covered(d.year):
            return result[0], result[1] + "（暂定）"
        return result

    def changed_days(self, before: WorkCalendar) -> list[tuple[date, bool]]:
        """The days whose working status differs from ``before``'s, in date order, each with its status here (True:
        a working day now)."""
        days = sorted({sd.day for sd in self._special_sorted} | {sd.day for sd in before._special_sorted})
        return [(d, self.is_workday(d)) for d in days if self.is_workday(d) != before.is_workday(d)]

    def special_days_in(self, year: int) -> list[SpecialDay]:
        """The special days of ``year``, in date order."""
        lo = bisect.bisect_left(self._special_ords, date(year, 1, 1).toordinal())
        hi = bisect.bisect_right(self._special_ords, date(year, 12, 31).toordinal())
        return self._special_sorted[lo:hi]

    def provisional_line(self, years: Iterable[int]) -> str:
        """The Chinese sentence saying that ``years`` have no holiday notice and what was assumed for them."""
        ys = tuple(sorted(set(years)))
        return provisional_line(ys, *self._assumed(ys))

    def _assumed(self, years: tuple[int, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.fixed.assumed(years) if self.fixed is not None and years else ((), ())

    def missing_years(self, first: date, last: date) -> tuple[int, ...]:
        """Uncovered years among those of the dates first..last (empty if last < first)."""
        if last < first:
            return ()
        y1, y2 = first.year, last.year
        covered = self.covered_years
        if y2 - y1 <= 1 and y1 in covered and y2 in covered:  # the common case, cheaply
            return ()
        return tuple(y for y in range(y1, y2 + 1) if y not in covered)

    # ----- working-day arithmetic ---------------------------------------------------------------

    def add_workdays_date(self, d: date, n: int) -> date:
        """Fast path: the n-th working day after d (d itself never counted), no explanation."""
        _check_date(d, "d")
        _check_count(n, "n (working days)", MAX_WORKDAYS)
        if n == 0:
            return d
        i = d.toordinal() - self._base
        if 0 <= i < self._size:
            k = self._cum[i] + n - 1
            if k < len(self._ords):
                return date.fromordinal(self._ords[k])
        return self._add_slow(d, n)

    def _add_slow(self, d: date, n: int) -> date:
        o = d.toordinal()
        while n:
            o += 1
            if self.is_workday(date.fromordinal(o)):
                n -= 1
        return date.fromordinal(o)

    def add_workdays(self, d: date, n: int) -> DeadlineResult:
        """The n-th working day after d (民法典第二百零一条: the start day is not counted), explained.

        n == 0 returns d; n < 0 or n > 3660 raises ValueError.
        """
        due = self.add_workdays_date(d, n)
        first = d + timedelta(days=1)
        weekends, holidays, makeups = self._explain_range(first, due)
        missing = self.missing_years(first, due)
        expl = Explanation(
            rule="workdays",
            start=d,
            amount=n,
            end=due,
            weekends_skipped=weekends,
            holidays_skipped=holidays,
            makeup_days_counted=makeups,
            missing_years=missing,
            assumed=self._assumed(missing),
        )
        return DeadlineResult(due, bool(missing), missing, expl, self.version)

    def next_workday(self, d: date) -> date:
        """The first working day strictly after d."""
        return self.add_workdays_date(d, 1)

    def workdays_between(self, a: date, b: date) -> int:
        """Number of working days w with a < w <= b (0 if b <= a); used to measure pauses."""
        _check_date(a, "a")
        _check_date(b, "b")
        if b <= a:
            return 0
        ia, ib = a.toordinal() - self._base, b.toordinal() - self._base
        if 0 <= ia < self._size and 0 <= ib < self._size:
            return self._cum[ib] - self._cum[ia]
        return self._count_closed_form(a.toordinal(), b.toordinal())

    def _count_closed_form(self, oa: int, ob: int) -> int:
        """Working days in (oa, ob] by formula: Mon–Fri count, minus weekday holidays, plus weekend make-ups."""
        off = bisect.bisect_right(self._off_weekday_ords, ob) - bisect.bisect_right(
            self._off_weekday_ords, oa
        )
        on = bisect.bisect_right(self._on_weekend_ords, ob) - bisect.bisect_right(self._on_weekend_ords, oa)
        return _weekdays_upto(ob) - _weekdays_upto(oa) - off + on

    def workdays_between_result(self, a: date, b: date) -> CountResult:
        """workdays_between with the provisional flag and the uncovered years of (a, b]."""
        count = self.workdays_between(a, b)
        missing = self.missing_years(a + timedelta(days=1), b) if b > a else ()
        return CountResult(count, bool(missing), missing)

    def _explain_range(
        self, first: date, last: date
    ) -> tuple[tuple[date, ...], tuple[SpecialDay, ...], tuple[SpecialDay, ...]]:
        """Rest days and make-up days in [first, last]: plain weekends, holidays, weekend make-up days."""
        if last < first:
            return (), (), ()
        o1, o2 = first.toordinal(), last.toordinal()
        lo = bisect.bisect_left(self._special_ords, o1)
        hi = bisect.bisect_right(self._special_ords, o2)
        holidays: tuple[SpecialDay, ...] = ()
        makeups: tuple[SpecialDay, ...] = ()
        if lo < hi:
            specials = self._special_sorted[lo:hi]
            holidays = tuple(sd for sd in specials if sd.kind == "holiday")
            makeups = tuple(sd for sd in specials if sd.kind == "workday" and sd.day.weekday() >= 5)
        special = self._special_ord_set
        sat = o1 + (5 - (o1 - 1) % 7) % 7  # first Saturday on or after o1 (ordinal 1 is a Monday)
        weekend_ords = [o1] if (o1 - 1) % 7 == 6 and o1 not in special else []  # o1 is a Sunday
        for o in range(sat, o2 + 1, 7):
            if o not in special:
                weekend_ords.append(o)
            if o < o2 and o + 1 not in special:
                weekend_ords.append(o + 1)
        return tuple(map(date.fromordinal, weekend_ords)), holidays, makeups

    # ----- calendar-day periods -----------------------------------------------------------------

    def add_calendar_period(self, d: date, *, days: int = 0, months: int = 0) -> DeadlineResult:
        """A calendar-day or month period (e.g. 信访 60 days, litigation 6 months), rolled past rest days.

        民法典第二百零一条: the start day is not counted, so N days end on d + N.
        民法典第二百零二条: months end on the corresponding day, or the month end if there is none.
        民法典第二百零三条: a last day that is a rest day moves to the next working day.
        """
        _check_date(d, "d")
        _check_count(days, "days", MAX_CALENDAR_DAYS)
        _check_count(months, "months", MAX_MONTHS)
        if (days == 0) == (months == 0):
            raise ValueError("give exactly one of days=N or months=M, and it must be positive")
        clamped = False
        if days:
            nominal = d + timedelta(days=days)
        else:
            carry, month0 = divmod(d.month - 1 + months, 12)
            year = d.year + carry
            last_day = _stdcal.monthrange(year, month0 + 1)[1]
            clamped = d.day > last_day
            nominal = date(year, month0 + 1, min(d.day, last_day))
        due = nominal if self.is_workday(nominal) else self.next_workday(nominal)
        weekends, holidays, _ = self._explain_range(nominal, due - timedelta(days=1))
        missing = self.missing_years(nominal, due)
        expl = Explanation(
            rule="calendar_days" if days else "calendar_months",
            start=d,
            amount=days or months,
            end=due,
            weekends_skipped=weekends,
            holidays_skipped=holidays,
            missing_years=missing,
            assumed=self._assumed(missing),
            nominal_end=nominal,
            month_end_clamped=clamped,
        )
        return DeadlineResult(due, bool(missing), missing, expl, self.version)

    # ----- working minutes ----------------------------------------------------------------------

    def add_working_minutes(self, dt: datetime, minutes: int, hours: WorkingHours) -> DeadlineResult:
        """dt plus ``minutes`` of working time (inside ``hours`` on working days); aware result in hours.tz.

        Outside working hours the count starts at the next period start; minutes == 0 gives that instant.
        """
        _check_aware(dt)
        _check_count(minutes, "minutes", MAX_WORKING_MINUTES)
        zone = hours.zone
        start = dt.astimezone(zone).replace(tzinfo=None)
        end = walk_working_time(self.is_workday, start, timedelta(minutes=minutes), hours.periods)
        due = end.replace(tzinfo=zone)
        weekends, holidays, makeups = self._explain_range(start.date(), end.date())
        makeups = tuple(sd for sd in makeups if used_working_time_on(sd.day, start, hours.periods))
        missing = self.missing_years(start.date(), end.date())
        expl = Explanation(
            rule="working_minutes",
            start=start.replace(tzinfo=zone),
            amount=minutes,
            end=due,
            weekends_skipped=weekends,
            holidays_skipped=holidays,
            makeup_days_counted=makeups,
            missing_years=missing,
            assumed=self._assumed(missing),
            hours_desc=hours.describe(),
            tz=hours.tz,
        )
        return DeadlineResult(due, bool(missing), missing, expl, self.version)

    def working_seconds_between(self, a: datetime, b: datetime, hours: WorkingHours) -> int:
        """Seconds of working time in ``[a, b)`` (0 when b <= a): how long until a deadline in working time, or how
        long past it (the 12345 hour clocks' reminders and escalation)."""
        _check_aware(a)
        _check_aware(b)
        zone = hours.zone
        start, end = (x.astimezone(zone).replace(tzinfo=None) for x in (a, b))
        if end <= start:
            return 0
        return int(working_time_between(self.is_workday, start, end, hours.periods).total_seconds())

    def next_working_instant(self, dt: datetime, hours: WorkingHours) -> datetime:
        """dt itself if inside working hours on a working day, else the next period start (aware, hours.tz)."""
        _check_aware(dt)
        zone = hours.zone
        local = dt.astimezone(zone).replace(tzinfo=None)
        if inside_working_period(self.is_workday, local, hours.periods):
            return dt
        return walk_working_time(self.is_workday, local, timedelta(0), hours.periods).replace(tzinfo=zone)


def _check_aware(dt: object) -> None:
    if not isinstance(dt, datetime):
        raise TypeError("dt must be a datetime")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("dt must be timezone-aware (e.g. Asia/Shanghai or UTC)")
