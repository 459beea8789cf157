"""A report asked for by a person (the API's ``/api/reports``): who may see which agency (``report_scope``), then
the annual report as a file or the leaders' statistics, each read in one session. Read-only but for the version
of a past year's report kept when it is generated (workflow.reports.versions, its own transaction)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from db.engine import read_session
from states.annual_report import ReportFormat
from workflow.accounts.principal import Principal
from workflow.reports.files import ReportFile, annual_file, leader_stats, report_scope
from workflow.reports.render import OutputFormat
from workflow.reports.versions import record_generated
from workflow.runtime import Engine


def annual_download(engine: Engine, actor: Principal, code: str | None, year: int, output: OutputFormat,
                    report_format: ReportFormat, *, now: datetime, today: date) -> ReportFile:
    """The annual report of the agency ``code`` names (None: the actor's own, or a supervisor's consolidated
    scope); a single agency's report of a year that has ended is kept as a version."""
    with read_session(engine) as s:
        agency_id = report_scope(s, actor, code)
        f = annual_file(s, agency_id, year, output, report_format, today=today)
    if f.report is not None and isinstance(agency_id, int):  # a past year's report, as generated: a version
        record_generated(engine, agency_id, f.report, actor.id, now, today)
    return f


def scoped_stats(engine: Engine, actor: Principal, code: str | None, start: date | None, end: date | None, *,
                 today: date) -> dict[str, Any]:
    """The leaders' statistics (``leader_stats``) of the agency ``code`` names for [start, end]; the period
    defaults to 1 January of ``today``'s year up to ``today``."""
    with read_session(engine) as s:
        agency_id = report_scope(s, actor, code)
        return leader_stats(s, agency_id, start or date(today.year, 1, 1), end or today)
