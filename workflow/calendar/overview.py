"""The holiday-arrangements page of an administrator: the notices in force, the calendar version and how many open
deadlines still wait for the recompute sweep, and a year's special days — read in one session; and which years
have their arrangements or are provisional (``calendar_years``, for the API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from db.engine import read_session
from db.models import CalendarDay, CalendarNotice
from states.calendar_fixed import FixedHolidays
from workflow.calendar.service import NATIONAL, calendar_version, count_stale_clocks, fixed_holidays
from workflow.runtime import Engine


@dataclass(frozen=True)
class NoticeRow:
    """An imported holiday notice in force (the newest for its year and scope)."""

    year: int
    scope: str
    document: str
    source: str  # "chinese-calendar …" for the built-in national arrangements, else the import's source
    imported_by: str
    imported_at: datetime


@dataclass(frozen=True)
class CalendarOverview:
    notices: list[NoticeRow]  # newest year first
    version: int
    stale: int  # open deadlines computed with an older calendar version
    special: dict[date, tuple[str, str]]  # the year's days off the Mon–Fri rule: (kind, name)
    provisional: str = ""  # the year has no national notice yet: what its days off are counted as, in Chinese


def calendar_overview(engine: Engine, year: int, scopes: tuple[str, ...]) -> CalendarOverview:
    """The notices in force, and ``year``'s holidays and make-up working days in ``scopes``."""
    with read_session(engine) as s:
        notices = _notices(s)
        version = calendar_version(s)
        stale = count_stale_clocks(s, version)
        days = s.exec(select(CalendarDay).where(col(CalendarDay.scope).in_(scopes),
                                                col(CalendarDay.day) >= date(year, 1, 1),
                                                col(CalendarDay.day) <= date(year, 12, 31))).all()
        special = {d.day: (d.kind, d.name) for d in days}
        provisional = ""
        if not _national(notices, year):
            fixed = fixed_holidays(s)
            for sd in fixed.days_in(year) if fixed is not None else []:
                special.setdefault(sd.day, ("holiday", f"{sd.name}（法定日期，暂定）"))
            provisional = _provisional(fixed, year)
    return CalendarOverview(notices, version, stale, special, provisional)


@dataclass(frozen=True)
class YearStatus:
    """Whether a year has its holiday arrangements."""

    year: int
    national: bool  # the State Council's arrangements for the year are in
    local_scopes: tuple[str, ...]  # the agency's local scopes with an arrangement for the year
    provisional: str  # without the national arrangements: what the year's days off are counted as, in Chinese; else ""


@dataclass(frozen=True)
class CalendarYears:
    notices: list[NoticeRow]  # newest year first
    version: int
    stale: int  # open deadlines computed with an older calendar version
    years: list[YearStatus]  # newest first: every year with a notice, this year and the next


def calendar_years(engine: Engine, scopes: tuple[str, ...], this_year: int) -> CalendarYears:
    """The notices in force and, for each year the calendar page offers (a year with a notice, this year and the
    next), whether its arrangements are in (nationally, and in the agency's local ``scopes``) or it is provisional."""
    with read_session(engine) as s:
        notices = _notices(s)
        version = calendar_version(s)
        stale = count_stale_clocks(s, version)
        fixed = fixed_holidays(s)
    years = sorted({n.year for n in notices} | {this_year, this_year + 1}, reverse=True)
    return CalendarYears(notices, version, stale, [
        YearStatus(y, _national(notices, y),
                   tuple(sorted({n.scope for n in notices if n.year == y and n.scope != NATIONAL and n.scope in scopes})),
                   "" if _national(notices, y) else _provisional(fixed, y)) for y in years])


def _notices(s: Session) -> list[NoticeRow]:
    return [NoticeRow(n.year, n.scope, n.document, n.source, n.imported_by, n.imported_at)
            for n in s.exec(select(CalendarNotice).where(col(CalendarNotice.active))
                            .order_by(col(CalendarNotice.year).desc(), col(CalendarNotice.scope))).all()]


def _national(notices: list[NoticeRow], year: int) -> bool:
    return any(n.year == year and n.scope == NATIONAL for n in notices)


def _provisional(fixed: FixedHolidays | None, year: int) -> str:
    """What a year without its national notice counts as days off, in Chinese."""
    edition = fixed.edition(year) if fixed is not None else None
    return (f"{year}年全国节假日安排尚未导入：暂按周末和{'、'.join(edition.names)}的法定日期计算，"
            f"{'、'.join(edition.pending)}的放假日期和补假、调休待通知导入后计入，期限均为暂定。"
            if edition is not None else f"{year}年全国节假日安排尚未导入：暂按周末计算，期限均为暂定。")
