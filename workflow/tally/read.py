"""The leaders' and supervisors' figures read from the maintained summaries (``case_tally``): each is one GROUP BY
over a few hundred summary rows of an agency, however many cases it has. The raw scans (workflow.reports.stats,
.annual, .dashboard) compute the same figures from the cases and stay as the cross-check (tests compare both)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, literal, or_, select
from sqlmodel import Session

from states.annual_report import ReportFormat, Table3
from states.calendar import WorkCalendar
from states.vocab import CaseKindName
from workflow.reports.stats import (
    AgencyScope,
    Period,
    WorkdayCalendar,
    agency_clause,
    people,
    register_summaries_provider,
    stats_result,
)
from workflow.tally.contrib import EPOCH, MONTHLY
from workflow.tally.store import T

DISCLOSURE = CaseKindName.DISCLOSURE.value


def _grain(agency_id: AgencyScope, grain: str, kind: str = DISCLOSURE) -> list[ColumnElement[bool]]:
    return [agency_clause(T, agency_id), T.c.case_kind == kind, T.c.grain == grain]


def _between(first: date, last: date) -> ColumnElement[bool]:
    return and_(T.c.day >= first, T.c.day <= last)


FOREVER = date(9000, 12, 31)  # "every day after" as a period's end


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


class Dated:
    """The rows of a daily grain for the days [first, last], read month by month the cheaper way (issue 21): a month
    the period covers whole from its monthly twin; a month it covers in part either from its days in the period, or
    from the twin less its days outside the period — whichever names fewer days (a period ending today reads its
    month from the twin less the days still to come, which hold nothing). ``where`` selects the rows; a reader sums
    ``sign`` × each measure (−1 on the days taken off a twin)."""

    def __init__(self, agency_id: AgencyScope, grain: str, first: date, last: date) -> None:
        add: list[ColumnElement[bool]] = []
        take: list[ColumnElement[bool]] = []
        twin = MONTHLY[grain]
        after = last + timedelta(days=1)
        if after <= first:
            self.where: ColumnElement[bool] = false()
            self.sign: ColumnElement[Any] = literal(1)
            return
        days: list[tuple[date, date]] = []  # daily ranges [a, b) read as they are
        twins: list[tuple[date, date]] = []  # months [a, b) read from the twin
        out: list[tuple[date, date]] = []  # daily ranges [a, b) taken off a twin

        def month_part(month: date) -> None:
            """The period's part of ``month``, the cheaper way."""
            end = _next_month(month)
            a, b = max(first, month), min(after, end)
            outside = (a - month).days + (end - b).days
            if outside == 0:
                twins.append((month, end))
            elif 1 + outside < (b - a).days:
                twins.append((month, end))
                out.extend(r for r in ((month, a), (b, end)) if r[0] < r[1])
            else:
                days.append((a, b))

        head, tail = first.replace(day=1), last.replace(day=1)
        month_part(head)
        if tail > head:
            if _next_month(head) < tail:  # the months between, whole: one range of the twin
                twins.append((_next_month(head), tail))
            month_part(tail)
        for g, ranges, into in ((grain, days, add), (twin, twins, add), (grain, out, take)):
            into += [and_(*_grain(agency_id, g), T.c.day >= a, T.c.day < b) for a, b in _joined(ranges)]
        self.where = or_(*add, *take)
        self.sign = case((or_(*take), -1), else_=1) if take else literal(1)

    def sum(self, measure: Any) -> Any:
        """``sum(sign × measure)`` over the rows."""
        return func.sum(measure * self.sign)


def _joined(ranges: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Adjacent [a, b) ranges as one (fewer conditions: each is one range of the primary key per agency)."""
    out: list[tuple[date, date]] = []
    for a, b in sorted(ranges):
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def state_counts(s: Session, kind: str, agency_id: AgencyScope = None) -> dict[tuple[int, str], int]:
    """{(agency, state): cases} of one request kind."""
    q = (select(T.c.agency_id, T.c.state, func.sum(T.c.cases)).where(*_grain(agency_id, "s", kind))
         .group_by(T.c.agency_id, T.c.state))
    return {(int(a), str(st)): int(n) for a, st, n in s.execute(q) if n}


def by_month(s: Session, agency_id: AgencyScope, first: date, last: date) -> dict[str, Counter[str]]:
    """"YYYY-MM" → received, concluded, extended, replied, on_time, wd_n, wd of the days [first, last]."""
    c = T.c
    names = ("received", "concluded", "extended", "replied", "on_time", "wd_n", "wd")
    dated = Dated(agency_id, "d", first, last)
    q = select(c.day, *[dated.sum(c[n]) for n in names]).where(dated.where).group_by(c.day)
    out: dict[str, Counter[str]] = {}
    for day, *ns in s.execute(q):
        cnt = out.setdefault(_month(day), Counter())
        for name, n in zip(names, ns, strict=True):
            cnt[name] += int(n or 0)
    return out


def _open_people(s: Session, agency_id: AgencyScope, end: date) -> dict[tuple[int, int], int]:
    """Applications open at the end of ``end`` per (officer, unit): open now less what came and went after."""
    c = T.c
    out: Counter[tuple[int, int]] = Counter()
    now = (select(c.assignee_id, c.unit_id, func.sum(c.received - c.closed)).where(*_grain(agency_id, "o"))
           .group_by(c.assignee_id, c.unit_id))
    dated = Dated(agency_id, "p", end + timedelta(days=1), FOREVER)
    later = (select(c.assignee_id, c.unit_id, dated.sum(c.received - c.closed)).where(dated.where)
             .group_by(c.assignee_id, c.unit_id))
    for sign, q in ((1, now), (-1, later)):
        for who, unit, n in s.execute(q):
            out[(int(who), int(unit))] += sign * int(n or 0)
    return {k: n for k, n in out.items() if n}


def disclosure_stats(session: Session, agency_id: AgencyScope, period: int | Period | tuple[date, date], *,
                     calendar: WorkdayCalendar | None = None, tz: str | None = None) -> dict[str, Any]:
    """``workflow.reports.stats.disclosure_stats`` from the summaries (the same dict, figure for figure). Replies
    are counted on the day met in each agency's zone (``tz`` is accepted for the signature), working days by each
    agency's calendar; with a ``calendar`` given, the working days are counted from the period's replies by it."""
    p = Period.of(period)
    months = by_month(session, agency_id, p.start, p.end)
    received = {m: months.get(m, Counter())["received"] for m in p.months()}
    concluded = {m: months.get(m, Counter())["concluded"] for m in p.months()}
    extended = sum(cnt["extended"] for cnt in months.values())
    c = T.c
    by_row: Counter[str] = Counter()
    rows = Dated(agency_id, "w", p.start, p.end)
    for row, n in session.execute(select(c.report_row, rows.sum(c.concluded)).where(rows.where)
                                  .group_by(c.report_row)):
        if n:
            by_row[str(row)] += int(n)
    officers: dict[int | None, Counter[str]] = {}
    units: dict[int | None, Counter[str]] = {}
    folk = Dated(agency_id, "p", p.start, p.end)
    q = (select(c.assignee_id, c.unit_id, folk.sum(c.concluded), folk.sum(c.replied), folk.sum(c.on_time))
         .where(folk.where).group_by(c.assignee_id, c.unit_id))
    replies = on_time = 0
    for who, unit, n_con, n_rep, n_ok in session.execute(q):
        who_k, unit_k = int(who) or None, int(unit) or None
        if n_con:
            officers.setdefault(who_k, Counter())["concluded"] += int(n_con)
            units.setdefault(unit_k, Counter())["concluded"] += int(n_con)
        if n_rep:  # replies are keyed by the reply clock's officer alone
            officers.setdefault(who_k, Counter())["replies_with_clock"] += int(n_rep)
            officers[who_k]["replied_on_time"] += int(n_ok or 0)
            replies += int(n_rep)
            on_time += int(n_ok or 0)
    open_total = 0
    for (who, unit), n in _open_people(session, agency_id, p.end).items():
        officers.setdefault(who or None, Counter())["open_at_end"] += n
        units.setdefault(unit or None, Counter())["open_at_end"] += n
        open_total += n
    parts = (session, agency_id, p)
    folks = people(officers, units, open_total, replies, on_time)
    if calendar is not None:  # the caller's calendar: the working days counted from the period's replies
        return stats_result(*parts, calendar, received, concluded, extended, by_row, folks)
    wd = (sum(cnt["wd_n"] for cnt in months.values()), sum(cnt["wd"] for cnt in months.values()))
    return stats_result(*parts, WorkCalendar, received, concluded, extended, by_row, folks, wd)


def table3(session: Session, agency_id: AgencyScope, year: int, fmt: ReportFormat = "2021") -> Table3:
    """Table 三 of ``year`` from the summaries (``workflow.reports.annual.table3_counts`` from the cases)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    c = T.c
    received: Counter[str] = Counter()
    open_end: Counter[str] = Counter()
    concluded: dict[str, Counter[str]] = {}
    year_rows = (select(c.category, c.report_row, func.sum(c.received), func.sum(c.closed))
                 .where(*_grain(agency_id, "r"), _between(first, last)).group_by(c.category, c.report_row))
    closed_in_year: Counter[str] = Counter()
    for cat, row, n_rec, n_closed in session.execute(year_rows):
        received[cat] += int(n_rec or 0)
        if n_closed:
            concluded.setdefault(str(row), Counter())[cat] += int(n_closed)
            closed_in_year[cat] += int(n_closed)
    now = (select(c.category, func.sum(c.received - c.closed)).where(*_grain(agency_id, "o")).group_by(c.category))
    later = (select(c.category, func.sum(c.received - c.closed)).where(*_grain(agency_id, "r"), c.day > last)
             .group_by(c.category))
    for sign, q in ((1, now), (-1, later)):
        for cat, n in session.execute(q):
            open_end[cat] += sign * int(n or 0)
    # received before the year and not concluded before it = open at its end + concluded in it − received in it
    carried = Counter({cat: open_end[cat] + closed_in_year[cat] - received[cat]
                       for cat in set(open_end) | set(closed_in_year) | set(received)})
    return Table3.from_counts(received, carried, concluded, open_end, fmt)


def _disclosure_provider(session: Session, agency_id: AgencyScope, period: Period,
                         calendar: WorkdayCalendar | None) -> dict[str, Any]:
    return disclosure_stats(session, agency_id, period, calendar=calendar)


register_summaries_provider("disclosure", _disclosure_provider)

__all__ = ["EPOCH", "FOREVER", "Dated", "by_month", "disclosure_stats", "state_counts", "table3"]
