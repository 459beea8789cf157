"""What the leader's (负责人) pages read, each in one session: the dashboard (disclosure figures, the 12345 figures,
the caseload by officer and unit, the statistics of a period) and the 统计报表 page (the agencies a supervisor may
choose, the past years whose report changed since it was generated, the statistics of a period as asked for)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select

from db.engine import read_session
from db.models import Agency
from states.disclosure import OPEN_STATES
from workflow.accounts.principal import Principal
from workflow.agencies.config import AgencySettings
from workflow.calendar.service import agency_calendar
from workflow.hotline.dashboard import HotlineDashboard, build_hotline_dashboard
from workflow.reports.caseload import Caseload, build_caseload
from workflow.reports.dashboard import Dashboard, build_dashboard
from workflow.reports.files import leader_stats, period_from_text, report_scope
from workflow.reports.versions import ChangedYear, changed_years
from workflow.runtime import Engine


@dataclass(frozen=True)
class LeaderDashboard:
    dash: Dashboard
    hot: HotlineDashboard
    load: Caseload
    stats: dict[str, Any]  # ``leader_stats`` of the period asked for
    open_total: int  # open applications


def leader_dashboard(engine: Engine, agency_id: int, agency: AgencySettings, *, now: datetime, today: date, tz: str,
                     start: date, end: date) -> LeaderDashboard:
    """``agency_id``'s dashboard (``agency``: its settings, for the working calendar) with the statistics of
    [start, end] (a period ``period_from_text`` accepted)."""
    with read_session(engine) as s:
        dash = build_dashboard(s, agency_id, now=now, today=today, tz=tz)
        hot = build_hotline_dashboard(s, agency_id, now=now)
        load = build_caseload(s, agency_id, now=now, today=today, cal=agency_calendar(s, agency), tz=tz)
        stats = leader_stats(s, agency_id, start, end)
    open_total = sum(n for st, _, n in dash.by_state if st in {x.value for x in OPEN_STATES})
    return LeaderDashboard(dash, hot, load, stats, open_total)


@dataclass(frozen=True)
class ReportChoices:
    agencies: list[tuple[str, str]]  # (code, name) of the agencies in reach, by code; [] when not asked
    changed: list[ChangedYear]  # the agency's past years whose generated report no longer matches


def report_choices(engine: Engine, agency_id: int, *, today: date,
                   reach: frozenset[int] | None = None) -> ReportChoices:
    """``agency_id``'s changed years, and (``reach``: a supervisor's agencies) the agencies it may pick."""
    with read_session(engine) as s:
        agencies = [(a.code, a.name) for a in s.exec(select(Agency).order_by(col(Agency.code)))
                    if a.id in reach] if reach is not None else []
        changed = changed_years(s, agency_id, today)
    return ReportChoices(agencies, changed)


def stats_as_asked(engine: Engine, actor: Principal, code: str | None, start: str, end: str, *,
                   today: date) -> dict[str, Any]:
    """``leader_stats`` of the agency ``code`` names (``report_scope``: InvalidTransition or NotFound first) for
    the period typed as [start, end] (``period_from_text``: DomainValidation)."""
    with read_session(engine) as s:
        agency_id = report_scope(s, actor, code)
        p = period_from_text(start, end, today)
        return leader_stats(s, agency_id, p.start, p.end)
