"""The statutory annual report (tables 二, 三, 四) computed with a few SQL GROUP BY queries.

Counting rules are in docs/annual-report.md and mirror ``states.annual_report_model`` (the pure
reference the tests compare against). Only write-once fields are read (receipt_date,
concluded_date, report_row, fee_paid_date, filed/decided dates), so a past year's report does not
change when later work is done. Read-only: nothing here commits.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import ColumnElement, Table, and_, case, func, or_, select
from sqlmodel import Session, SQLModel

import db.models  # noqa: F401  (registers the tables in SQLModel.metadata)
from states.annual_report import (
    FORMATS,
    AnnualReport,
    Check,
    ReportFormat,
    Table2,
    Table3,
    Table4,
    remedy_bucket,
)
from workflow.reports.hotline import hotline_stats  # registers the "hotline" statistics provider
from workflow.reports.stats import (
    AgencyScope,
    Period,
    agency_clause,
    disclosure_stats,
    register_stats_provider,
    stats_for_leaders,
)
from workflow.tally.read import table3 as tally_table3

__all__ = [
    "ALL_AGENCIES_NAME",
    "Period",
    "annual_report",
    "disclosure_stats",
    "fees_collected",
    "hotline_stats",
    "register_stats_provider",
    "stats_for_leaders",
    "table3_counts",
    "table4_counts",
]

ALL_AGENCIES_NAME = "全部机关（汇总）"
SEVERAL_AGENCIES_NAME = "多个机关（汇总）"

D = SQLModel.metadata.tables["disclosure"]
R = SQLModel.metadata.tables["remedy_case"]


def _agency_filter(table: Table, agency_id: AgencyScope) -> ColumnElement[bool]:
    return agency_clause(table, agency_id)


def table3_counts(session: Session, agency_id: AgencyScope, year: int, fmt: ReportFormat = "2021") -> Table3:
    """Table 三 in one GROUP BY over the applications alive during ``year``.

    Alive = received by 31 Dec and not concluded before 1 Jan; that set is exactly 一 ∪ 二, and
    splits into 三 (concluded in the year) and 四 (still open on 31 Dec).
    """
    first, last = date(year, 1, 1), date(year, 12, 31)
    c = D.c
    is_new = case((c.receipt_date >= first, 1), else_=0).label("is_new")
    concluded_in_year = and_(c.concluded_date.is_not(None), c.concluded_date <= last)
    row = case((concluded_in_year, func.coalesce(c.report_row, "")), else_=None).label("row")
    is_open = case((or_(c.concluded_date.is_(None), c.concluded_date > last), 1), else_=0).label("is_open")
    stmt = (
        select(c.applicant_category, is_new, row, is_open, func.count().label("n"))
        .where(
            _agency_filter(D, agency_id),
            c.receipt_date.is_not(None),
            c.receipt_date <= last,
            or_(c.concluded_date.is_(None), c.concluded_date >= first),
        )
        .group_by(c.applicant_category, is_new, row, is_open)
    )
    received: Counter[str] = Counter()
    carried: Counter[str] = Counter()
    open_end: Counter[str] = Counter()
    concluded: dict[str, Counter[str]] = {}
    for category, new, row_key, open_, n in session.execute(stmt):
        (received if new else carried)[category] += n
        if row_key is not None:
            concluded.setdefault(row_key, Counter())[category] += n
        if open_:
            open_end[category] += n
    return Table3.from_counts(received, carried, concluded, open_end, fmt)


def table4_counts(session: Session, agency_id: AgencyScope, year: int) -> Table4:
    """Table 四: remedy cases filed in ``year`` by kind and outcome; 尚未审结 = not decided by 31 Dec."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    c = R.c
    decided = case((and_(c.decided_date.is_not(None), c.decided_date <= last), 1), else_=0).label("decided")
    stmt = (
        select(c.kind, c.outcome, decided, func.count())
        .where(_agency_filter(R, agency_id), c.filed_date >= first, c.filed_date <= last)
        .group_by(c.kind, c.outcome, decided)
    )
    counts: Counter[tuple[str, str]] = Counter()
    for kind, outcome, dec, n in session.execute(stmt):
        counts[(kind, remedy_bucket(outcome, bool(dec)))] += n
    return Table4.from_counts(counts)  # raises on a kind outside REMEDY_KINDS


def fees_collected(session: Session, agency_id: AgencyScope, year: int) -> int:
    """Information-processing fees (元, 国办函〔2020〕109号) paid in ``year``: Σ fee_amount by fee_paid_date."""
    c = D.c
    stmt = select(func.coalesce(func.sum(c.fee_amount), 0)).where(
        _agency_filter(D, agency_id),
        c.fee_paid_date >= date(year, 1, 1),
        c.fee_paid_date <= date(year, 12, 31),
    )
    return int(session.execute(stmt).scalar_one())


def agency_name(session: Session, agency_id: AgencyScope) -> str:
    if agency_id is None:
        return ALL_AGENCIES_NAME
    if isinstance(agency_id, frozenset):
        return SEVERAL_AGENCIES_NAME
    name = session.execute(select(SQLModel.metadata.tables["agency"].c.name).where(
        SQLModel.metadata.tables["agency"].c.id == agency_id)).scalar_one_or_none()
    if name is None:
        raise LookupError(f"agency {agency_id} does not exist")
    return str(name)


def annual_report(
    session: Session,
    agency_id: AgencyScope,
    year: int,
    fmt: ReportFormat = "2021",
    *,
    extra_checks: tuple[Check, ...] = (),
    as_of: date | None = None,
    summaries: bool = False,
) -> AnnualReport:
    """The computed tables of ``year``'s report; ``agency_id=None`` sums all agencies (supervisor view);
    ``summaries``: table 三 from the maintained summaries (workflow.tally.read — what the pages read)."""
    if fmt not in FORMATS:
        raise ValueError(f"report format must be one of {FORMATS}, not {fmt!r}")
    return AnnualReport(
        year=year,
        fmt=fmt,
        agency_name=agency_name(session, agency_id),
        table2=Table2(fmt, fees_collected(session, agency_id, year)),
        table3=(tally_table3 if summaries else table3_counts)(session, agency_id, year, fmt),
        table4=table4_counts(session, agency_id, year),
        extra_checks=extra_checks,
        as_of=as_of,
    )

