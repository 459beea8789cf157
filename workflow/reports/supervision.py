"""The supervisor's view across agencies (a county information centre hosting every department):
per agency, the open applications and work orders, online submissions waiting for a clerk, and the
cases due today, due this week and overdue. A few GROUP BY queries over all agencies. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from db.models import Agency, Clock, Disclosure, WorkOrder
from states.disclosure import OPEN_STATES, DState
from states.hotline import OPEN_STATES as HOTLINE_OPEN
from workflow.reports.dashboard import counts_by_agency, duty_cases_by_agency


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
