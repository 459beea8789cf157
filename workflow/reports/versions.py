"""Versions of generated annual reports (issue 14 item 4): the figures of a past year's report each time it is
generated, and — when a step back-filled since has changed that year's statistics — the cells that differ from
the last generated version, for the report page. The report's own checks are recomputed, not assumed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from db.engine import write_session
from db.models import AnnualReportVersion, User
from states.annual_report import AnnualReport, ReportFormat
from states.annual_report_versions import Difference, differences, figures
from workflow.reports.annual import annual_report


@dataclass(frozen=True)
class ChangedYear:
    """A past year whose report, as generated, no longer matches the statistics."""

    year: int
    report_format: str
    generated_at: datetime
    generated_by: str
    differences: list[Difference]
    checks_ok: bool  # the report as it is now passes its own checks


def record_generated(engine: Engine, agency_id: int, report: AnnualReport, user_id: int | None, now: datetime,
                     today: date) -> None:
    """Keep the figures of a generated report of a year that has ended (one transaction). A year still running
    changes every day; only a closed year's report is a version worth comparing with."""
    if report.year >= today.year:
        return
    values = figures(report)
    with write_session(engine) as s:
        last = s.exec(select(AnnualReportVersion).where(
            AnnualReportVersion.agency_id == agency_id, AnnualReportVersion.year == report.year,
            AnnualReportVersion.report_format == report.fmt).order_by(col(AnnualReportVersion.id).desc())).first()
        if last is not None and last.figures == values:
            last.last_generated_at, last.generated_by = now, user_id
            s.add(last)
        else:
            s.add(AnnualReportVersion(agency_id=agency_id, year=report.year, report_format=report.fmt, figures=values,
                                      generated_at=now, last_generated_at=now, generated_by=user_id))
        s.commit()


def changed_years(session: Session, agency_id: int, today: date) -> list[ChangedYear]:
    """Each year (and format) whose last generated report differs from its statistics now, latest year first."""
    latest: dict[tuple[int, str], AnnualReportVersion] = {}
    for v in session.exec(select(AnnualReportVersion).where(AnnualReportVersion.agency_id == agency_id)
                          .order_by(col(AnnualReportVersion.id))):
        latest[(v.year, v.report_format)] = v
    out = []
    for (year, fmt), v in sorted(latest.items(), reverse=True):
        fmt_: ReportFormat = "2019" if fmt == "2019" else "2021"
        now_report = annual_report(session, agency_id, year, fmt_, as_of=today, summaries=True)
        diffs = differences(v.figures, figures(now_report), fmt_)
        if diffs:
            who = session.get(User, v.generated_by) if v.generated_by is not None else None
            out.append(ChangedYear(year, fmt, v.last_generated_at, who.display_name if who else "命令行",
                                   diffs, now_report.ok))
    return out
