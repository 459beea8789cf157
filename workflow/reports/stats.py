"""Disclosure statistics for leaders (counts per month, on-time rate, working days, per officer/unit).

All figures come from GROUP BY queries; Python only folds the (small) grouped rows. Hotline
statistics plug in through ``register_stats_provider("hotline", fn)`` once the work-order table
exists; ``stats_for_leaders`` returns every registered provider's figures side by side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    extract,
    func,
    literal,
    select,
    union_all,
)
from sqlmodel import Session, SQLModel

from db.models import Agency
from states.decisions import Category
from states.vocab import CaseKindName, ClockStatus

D = SQLModel.metadata.tables["disclosure"]
K = SQLModel.metadata.tables["clock"]

DEFAULT_TZ = "Asia/Shanghai"
AgencyScope = int | frozenset[int] | None  # one agency, several (a supervisor's reach), or all


@dataclass(frozen=True)
class Period:
    """An inclusive date range."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def of(cls, value: int | Period | tuple[date, date]) -> Period:
        if isinstance(value, Period):
            return value
        if isinstance(value, int):
            return cls.year(value)
        return cls(value[0], value[1])

    def months(self) -> list[str]:
        """"YYYY-MM" for every month the period touches, in order."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def instants(self, tz: str) -> tuple[datetime, datetime]:
        """[start 00:00, day after end 00:00) in ``tz``, for comparing stored timestamps."""
        zone = ZoneInfo(tz)
        return (datetime.combine(self.start, time(), zone),
                datetime.combine(self.end + timedelta(days=1), time(), zone))


class WorkdayCalendar(Protocol):
    """What the statistics need of the working calendar (states/calendar provides one)."""

    def is_workday(self, day: date) -> bool: ...


class MondayToFriday:
    """Approximation without holiday data: Monday to Friday are working days."""

    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5


def agency_tz(session: Session, agency_id: AgencyScope) -> str:
    """The zone a period's days are read in: the agency's (the default zone for a view of several agencies)."""
    from workflow.agencies.config import agency_config

    agency = session.get(Agency, agency_id) if isinstance(agency_id, int) else None
    return agency_config(agency).timezone if agency is not None else DEFAULT_TZ


def stored_calendar(session: Session, agency_id: AgencyScope) -> WorkdayCalendar:
    """The agency's working calendar (national for the all-agencies view) from the calendar tables."""
    from workflow.calendar.service import agency_calendar, load_calendar

    if isinstance(agency_id, int):
        agency = session.get(Agency, agency_id)
        if agency is not None:
            return agency_calendar(session, agency)
    return load_calendar(session)


def working_days_total(starts: Mapping[date, int], ends: Mapping[date, int], calendar: WorkdayCalendar) -> int:
    """Σ working days in (start, end] over cases, from the per-day counts of their starts and ends.

    With W(d) = working days up to and including d, one case contributes W(end) − W(start); the
    sum therefore needs only how many cases start and end on each day, not the pairs.
    """
    days = [*starts, *ends]
    if not days:
        return 0
    lo, hi = min(days), max(days)
    upto: dict[date, int] = {}
    running = 0
    for i in range((hi - lo).days + 1):
        d = lo + timedelta(days=i)
        running += calendar.is_workday(d)
        upto[d] = running
    return sum(n * upto[d] for d, n in ends.items()) - sum(n * upto[d] for d, n in starts.items())


def category_of_row(row: str | None) -> str:
    """The decision category of a table-三 row key ("3.3.2" → "refuse"); "" when unknown."""
    prefix = {"3.1": Category.DISCLOSE, "3.2": Category.PARTIAL, "3.3": Category.REFUSE,
              "3.4": Category.UNAVAILABLE, "3.5": Category.NOT_PROCESSED, "3.6": Category.OTHER}
    return str(prefix.get((row or "")[:3], ""))


def agency_clause(table: Any, agency_id: AgencyScope) -> ColumnElement[bool]:
    """``table.agency_id = :agency``; ``IN (…)`` for several (a supervisor's agency and those below it); true for
    all agencies."""
    if agency_id is None:
        return literal(True)
    column: ColumnElement[Any] = table.c.agency_id
    if isinstance(agency_id, frozenset):
        return column.in_(sorted(agency_id))
    return column == agency_id


def _by_month(days: Subquery, *keys: ColumnElement[Any]) -> Select[Any]:
    """Sum ``days.n`` per (year, month of ``days.day``, *keys)."""
    y, m = extract("year", days.c.day), extract("month", days.c.day)
    return select(y, m, *keys, func.sum(days.c.n)).group_by(y, m, *keys)


def _day_counts(session: Session, stmt: Select[Any]) -> dict[date, int]:
    return {day: int(n) for day, n in session.execute(stmt)}


def _month_key(y: Any, m: Any) -> str:
    return f"{int(y):04d}-{int(m):02d}"


def disclosure_stats(
    session: Session,
    agency_id: AgencyScope,
    period: int | Period | tuple[date, date],
    *,
    calendar: WorkdayCalendar | None = None,
    tz: str | None = None,
) -> dict[str, Any]:
    """Figures for ``period`` (a year or an inclusive date range); ``agency_id=None`` = all agencies.

    Days are read in ``tz``, by default the agency's zone (``agency_tz``), as for the 12345 figures.
    """
    p = Period.of(period)
    tz = tz or agency_tz(session, agency_id)
    cal = calendar if calendar is not None else stored_calendar(session, agency_id)
    c = D.c
    in_receipt = and_(c.receipt_date >= p.start, c.receipt_date <= p.end)
    in_concluded = and_(c.concluded_date >= p.start, c.concluded_date <= p.end)

    # Two-level GROUP BY: by day first (the planner estimates day groups well and hashes them),
    # then by month over the few hundred day groups.
    received = dict.fromkeys(p.months(), 0)
    by_day = (select(c.receipt_date.label("day"), func.count().label("n"))
              .where(agency_clause(D, agency_id), in_receipt).group_by(c.receipt_date).subquery())
    for y, m, n in session.execute(_by_month(by_day)):
        received[_month_key(y, m)] += int(n)  # SUM() is numeric on PostgreSQL: keep the figures JSON integers

    concluded = dict.fromkeys(p.months(), 0)
    by_row: Counter[str] = Counter()
    extended = 0
    by_day = (select(c.concluded_date.label("day"), c.report_row, c.extended, func.count().label("n"))
              .where(agency_clause(D, agency_id), in_concluded)
              .group_by(c.concluded_date, c.report_row, c.extended).subquery())
    for y, m, row, ext, n in session.execute(_by_month(by_day, by_day.c.report_row, by_day.c.extended)):
        n = int(n)
        concluded[_month_key(y, m)] += n
        by_row[row or ""] += n
        extended += n if ext else 0
    return stats_result(session, agency_id, p, cal, received, concluded, extended, by_row,
                        _by_officer_and_unit(session, agency_id, p, tz))


def stats_result(session: Session, agency_id: AgencyScope, p: Period, cal: WorkdayCalendar | type, received: dict[str, int],
                 concluded: dict[str, int], extended: int, by_row: Counter[str], people: dict[str, Any],
                 working_days: tuple[int, int] | None = None) -> dict[str, Any]:
    """The statistics' figures from their parts (counted from the cases, or from the summaries: workflow.tally.read);
    ``working_days``: (replies, Σ working days) when known, else counted from the period's replies by ``cal``."""
    by_category: Counter[str] = Counter()
    for row, n in by_row.items():
        by_category[category_of_row(row)] += n
    if working_days is None:
        assert not isinstance(cal, type)
        working_days = reply_working_days(session, agency_id, p, cal)
    wd_n, wd_total = working_days
    replies, on_time = people["replies"], people["on_time"]
    return {
        "agency_id": agency_id,
        "period": {"start": p.start.isoformat(), "end": p.end.isoformat()},
        "received": sum(received.values()),
        "concluded": sum(concluded.values()),
        "received_by_month": received,
        "concluded_by_month": concluded,
        "replies_with_clock": replies,
        "replied_on_time": on_time,
        "on_time_rate": round(on_time / replies, 4) if replies else None,
        "avg_working_days_to_reply": round(wd_total / wd_n, 2) if wd_n else None,
        "working_days_basis": (cal if isinstance(cal, type) else type(cal)).__name__,  # WorkCalendar (stored) or
        # what the caller passed
        "extended": extended,
        "by_category": {k: by_category[k] for k in sorted(by_category)},
        "by_row": {k: by_row[k] for k in sorted(by_row)},
        "open_at_end": people["open_at_end"],
        "by_officer": people["by_officer"],
        "by_unit": people["by_unit"],
    }


def reply_working_days(session: Session, agency_id: AgencyScope, p: Period, cal: WorkdayCalendar) -> tuple[int, int]:
    """(replies concluded in ``p``, Σ their working days from receipt to conclusion) — two GROUP BYs by day."""
    c = D.c
    replied = [agency_clause(D, agency_id), c.concluded_date >= p.start, c.concluded_date <= p.end,
               c.replied_at.is_not(None), c.receipt_date <= c.concluded_date]
    starts = _day_counts(session, select(c.receipt_date, func.count()).where(*replied).group_by(c.receipt_date))
    ends = _day_counts(session, select(c.concluded_date, func.count()).where(*replied).group_by(c.concluded_date))
    return sum(ends.values()), working_days_total(starts, ends, cal)


OFFICER_FIELDS = ("concluded", "open_at_end", "replies_with_clock", "replied_on_time")
UNIT_FIELDS = ("concluded", "open_at_end")


def _by_officer_and_unit(session: Session, agency_id: AgencyScope, p: Period, tz: str) -> dict[str, Any]:
    """Concluded in the period and open at its end per officer and unit; reply clocks met on time."""
    c = D.c
    in_concluded = and_(c.concluded_date >= p.start, c.concluded_date <= p.end)
    q_concluded = (select(c.assignee_id, c.unit_id, func.count())
                   .where(agency_clause(D, agency_id), in_concluded).group_by(c.assignee_id, c.unit_id))
    # Open at the end: never concluded, or concluded after the period (two index-only ranges).
    open_now = select(c.assignee_id, c.unit_id).where(
        agency_clause(D, agency_id), c.concluded_date.is_(None), c.receipt_date <= p.end)
    open_then = select(c.assignee_id, c.unit_id).where(
        agency_clause(D, agency_id), c.concluded_date > p.end, c.receipt_date <= p.end)
    u = union_all(open_now, open_then).subquery()
    q_open = select(u.c.assignee_id, u.c.unit_id, func.count()).group_by(u.c.assignee_id, u.c.unit_id)
    officers: dict[int | None, Counter[str]] = {}
    units: dict[int | None, Counter[str]] = {}
    total_open = 0
    for field_name, stmt in (("concluded", q_concluded), ("open_at_end", q_open)):
        for assignee, unit, n in session.execute(stmt):
            officers.setdefault(assignee, Counter())[field_name] += n
            units.setdefault(unit, Counter())[field_name] += n
            if field_name == "open_at_end":
                total_open += n

    k = K.c
    start, end = p.instants(tz)
    q_clock = (select(k.assignee_id, func.count(), func.sum(case((k.met_at <= k.due_at, 1), else_=0)))
               .where(agency_clause(K, agency_id), k.case_kind == CaseKindName.DISCLOSURE, k.kind == "reply",
                      k.status == ClockStatus.MET, k.met_at >= start, k.met_at < end)
               .group_by(k.assignee_id))
    replies = on_time = 0
    for assignee, n, ok in session.execute(q_clock):
        cnt = officers.setdefault(assignee, Counter())
        cnt["replies_with_clock"] += n
        cnt["replied_on_time"] += int(ok or 0)
        replies += n
        on_time += int(ok or 0)

    return people(officers, units, total_open, replies, on_time)


def people(officers: dict[int | None, Counter[str]], units: dict[int | None, Counter[str]], open_at_end: int,
           replies: int, on_time: int) -> dict[str, Any]:
    """The per-officer and per-unit lists (nobody / no unit last) with the totals ``stats_result`` takes."""
    def listing(rows: dict[int | None, Counter[str]], key: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{key: ident, **{f: cnt[f] for f in fields}}
                for ident, cnt in sorted(rows.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
                if any(cnt[f] for f in fields)]

    return {"by_officer": listing(officers, "assignee_id", OFFICER_FIELDS),
            "by_unit": listing(units, "unit_id", UNIT_FIELDS),
            "open_at_end": open_at_end, "replies": replies, "on_time": on_time}


# --- leaders' dashboard: one entry per request kind ------------------------------------------------
StatsProvider = Callable[[Session, AgencyScope, Period, WorkdayCalendar | None], dict[str, Any]]
_PROVIDERS: dict[str, StatsProvider] = {}
_FROM_SUMMARIES: dict[str, StatsProvider] = {}


def register_stats_provider(name: str, provider: StatsProvider, *, from_summaries: StatsProvider | None = None
                            ) -> None:
    """Add a request kind's statistics (the hotline module registers "hotline" here); ``from_summaries``: the same
    figures read from the maintained summaries (workflow.tally.read registers the disclosure one)."""
    _PROVIDERS[name] = provider
    if from_summaries is not None:
        _FROM_SUMMARIES[name] = from_summaries
    else:
        _FROM_SUMMARIES.pop(name, None)


def register_summaries_provider(name: str, provider: StatsProvider) -> None:
    """The figures of an already registered kind read from the maintained summaries."""
    _FROM_SUMMARIES[name] = provider


def _disclosure_provider(session: Session, agency_id: AgencyScope, period: Period,
                         calendar: WorkdayCalendar | None) -> dict[str, Any]:
    return disclosure_stats(session, agency_id, period, calendar=calendar)


register_stats_provider("disclosure", _disclosure_provider)


def stats_for_leaders(session: Session, agency_id: AgencyScope, period: int | Period | tuple[date, date],
                      *, calendar: WorkdayCalendar | None = None, summaries: bool = False) -> dict[str, dict[str, Any]]:
    """Every registered provider's statistics for the period, keyed by request kind; ``summaries``: the disclosure
    figures from the maintained summaries (workflow.tally.read — what the pages read) instead of the cases."""
    p = Period.of(period)
    if summaries and not _FROM_SUMMARIES:  # never the cases' figures in their place, silently
        raise RuntimeError("no statistics from the summaries registered: import workflow.tally.read")
    providers = {**_PROVIDERS, **(_FROM_SUMMARIES if summaries else {})}
    return {name: fn(session, agency_id, p, calendar) for name, fn in sorted(providers.items())}
