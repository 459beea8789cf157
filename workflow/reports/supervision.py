"""The supervisor's view across agencies (a county information centre hosting every department):
per agency, the open applications and work orders, online submissions waiting for a clerk, and the
cases due today, due this week and overdue. A few GROUP BY queries over all agencies. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from db.engine import read_session
from db.models import Agency, Clock, Disclosure, WorkOrder
from states.disclosure import OPEN_STATES, DState
from states.hotline import OPEN_STATES as HOTLINE_OPEN
from workflow.agencies.config import agency_config
from workflow.errors import NotFound
from workflow.hotline.dashboard import HotlineDashboard, build_hotline_dashboard
from workflow.reports.dashboard import Dashboard, build_dashboard, counts_by_agency, duty_cases_by_agency
from workflow.timesource import local_date


@dataclass(frozen=True)
class AgencyOverview:
    agency_id: int
    code: str
    name: str
    open_disclosures: int
    unconfirmed: int  # online submissions not yet confirmed by a clerk
    open_workorders: int
    due_today: int  # cases (not clocks) with a running duty clock due by the end of today
    due_week: int
    overdue: int

    @property
    def attention(self) -> bool:
        return self.overdue > 0 or self.unconfirmed > 0


def agencies_overview(s: Session, *, now: datetime, end_of_today: datetime, end_of_week: datetime,
                      agency_ids: frozenset[int] | None = None) -> list[AgencyOverview]:
    """One row per agency (those of ``agency_ids``: a supervisor's own and the ones below it; None: all), those
    needing attention (overdue cases, unconfirmed submissions) first."""
    open_d = counts_by_agency(s, select(Disclosure.agency_id, func.count())
                        .where(col(Disclosure.state).in_([st.value for st in OPEN_STATES]))
                        .group_by(col(Disclosure.agency_id)))
    unconf = counts_by_agency(s, select(Disclosure.agency_id, func.count())
                        .where(Disclosure.state == DState.SUBMITTED.value).group_by(col(Disclosure.agency_id)))
    open_w = counts_by_agency(s, select(WorkOrder.agency_id, func.count())
                        .where(col(WorkOrder.state).in_(HOTLINE_OPEN)).group_by(col(WorkOrder.agency_id)))
    today = duty_cases_by_agency(s, col(Clock.due_at) > now, col(Clock.due_at) <= end_of_today)
    week = duty_cases_by_agency(s, col(Clock.due_at) > now, col(Clock.due_at) <= end_of_week)
    overdue = duty_cases_by_agency(s, col(Clock.due_at) <= now)
    rows = [AgencyOverview(int(a.id or 0), a.code, a.name, open_d.get(a.id or 0, 0), unconf.get(a.id or 0, 0),
                           open_w.get(a.id or 0, 0), today.get(a.id or 0, 0), week.get(a.id or 0, 0),
                           overdue.get(a.id or 0, 0))
            for a in s.exec(select(Agency).order_by(col(Agency.code))).all()
            if agency_ids is None or a.id in agency_ids]
    rows.sort(key=lambda r: (not r.attention, -r.overdue, -r.unconfirmed, r.code))
    return rows


@dataclass(frozen=True)
class SupervisedDashboard:
    """A department's dashboard for its supervising office: aggregates only (read-only, no applicant's name)."""

    agency_id: int
    agency_code: str
    agency_name: str
    dash: Dashboard
    hot: HotlineDashboard
    open_total: int


def supervised_dashboard(engine: Engine, agency_id: int, *, now: datetime) -> SupervisedDashboard:
    """The figures of ``agency_id``'s leader dashboard (the caller checked the supervisor reaches it)."""
    with read_session(engine) as s:
        agency = s.get(Agency, agency_id)
        if agency is None:
            raise NotFound("机关")
        cfg = agency_config(agency)
        dash = build_dashboard(s, agency_id, now=now, today=local_date(now, cfg.timezone), tz=cfg.timezone)
        hot = build_hotline_dashboard(s, agency_id, now=now)
    open_total = sum(n for st, _, n in dash.by_state if st in {x.value for x in OPEN_STATES})
    return SupervisedDashboard(agency_id, agency.code, agency.name, dash, hot, open_total)
