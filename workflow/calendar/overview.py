"""The holiday-arrangements page of an administrator: the notices in force, the calendar version and how many open
deadlines still wait for the recompute sweep, and a year's special days — read in one session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from db.engine import read_session
from db.models import CalendarDay, CalendarNotice
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
        notices = [NoticeRow(n.year, n.scope, n.document, n.source, n.imported_by, n.imported_at)
                   for n in s.exec(select(CalendarNotice).where(col(CalendarNotice.active))
                                   .order_by(col(CalendarNotice.year).desc(), col(CalendarNotice.scope))).all()]
        version = calendar_version(s)
        stale = count_stale_clocks(s, version)
        days = s.exec(select(CalendarDay).where(col(CalendarDay.scope).in_(scopes),
                                                col(CalendarDay.day) >= date(year, 1, 1),
                                                col(CalendarDay.day) <= date(year, 12, 31))).all()
        special = {d.day: (d.kind, d.name) for d in days}
        provisional = ""
        if not any(n.year == year and n.scope == NATIONAL for n in notices):
            fixed = fixed_holidays(s)
            edition = fixed.edition(year) if fixed is not None else None
            for sd in fixed.days_in(year) if fixed is not None else []:
                special.setdefault(sd.day, ("holiday", f"{sd.name}（法定日期，暂定）"))
            provisional = (f"{year}年全国节假日安排尚未导入：暂按周末和{'、'.join(edition.names)}的法定日期计算，"
                           f"{'、'.join(edition.pending)}的放假日期和补假、调休待通知导入后计入，期限均为暂定。"
                           if edition is not None else f"{year}年全国节假日安排尚未导入：暂按周末计算，期限均为暂定。")
    return CalendarOverview(notices, version, stale, special, provisional)
