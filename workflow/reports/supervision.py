"""The supervisor's view across agencies (a county information centre hosting every department):
per agency and per request kind (disclosure applications, 12345 work orders — never one sum), the open cases,
the cases due today, due this week and overdue; and the online submissions waiting for a clerk. A few GROUP BY
queries over all agencies. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from db.engine import read_session
from db.models import Agency, Disclosure, WorkOrder
from states.disclosure import OPEN_STATES, DState
from states.hotline import OPEN_STATES as HOTLINE_OPEN
from states.vocab import CaseKindName
from workflow.agencies.config import agency_config
from workflow.errors import NotFound
from workflow.hotline.dashboard import HotlineDashboard, build_hotline_dashboard
from workflow.reports.dashboard import (
    Dashboard,
    DueCounts,
    build_dashboard,
    counts_by_agency,
    due_counts,
    week_window,
)
from workflow.tally import read as tally
from workflow.timesource import end_of_day, local_date


@dataclass(frozen=True)
class KindFigures:
    """One request kind's figures of an agency: disclosure applications and 12345 work orders are never added
    into one number (issue 20) — their periods, duties and drill-down lists differ."""

    open: int
    due_today: int  # cases (not clocks) with a running duty clock due by the end of today
    due_week: int
    overdue: int


@dataclass(frozen=True)
class AgencyOverview:
    agency_id: int
    code: str
    name: str
    disclosure: KindFigures
    workorder: KindFigures
    unconfirmed: int  # online submissions not yet confirmed by a clerk (disclosure applications)

    @property
    def attention(self) -> bool:
        return self.disclosure.overdue > 0 or self.workorder.overdue > 0 or self.unconfirmed > 0


OVERVIEW_KINDS: tuple[str, ...] = (CaseKindName.DISCLOSURE, CaseKindName.WORKORDER)


def agencies_overview(s: Session, *, now: datetime, end_of_today: datetime, end_of_week: datetime,
                      agency_ids: frozenset[int] | None = None, summaries: bool = True) -> list[AgencyOverview]:
    """One row per agency (those of ``agency_ids``: a supervisor's own and the ones below it; None: all), each
    kind's figures on their own, those needing attention (overdue cases, unconfirmed submissions) first. "Overdue"
    and "due" are the case list's filters (``overdue=1``, ``due=today|week``), counted per case."""
    open_by_kind, unconf = (_tallied_open(s, agency_ids) if summaries else _open_from_cases(s))
    due = due_counts(s, now=now, end_of_today=end_of_today, end_of_week=end_of_week, agency_id=agency_ids)

    def figures(kind: str, agency_id: int) -> KindFigures:
        d = due.get((agency_id, kind), DueCounts())
        return KindFigures(open_by_kind[kind].get(agency_id, 0), d.due_today, d.due_week, d.overdue)

    rows = [AgencyOverview(int(a.id or 0), a.code, a.name, figures(CaseKindName.DISCLOSURE, a.id or 0),
                           figures(CaseKindName.WORKORDER, a.id or 0), unconf.get(a.id or 0, 0))
            for a in s.exec(select(Agency).order_by(col(Agency.code))).all()
            if agency_ids is None or a.id in agency_ids]
    rows.sort(key=lambda r: (not r.attention, -r.disclosure.overdue, -r.workorder.overdue, -r.unconfirmed, r.code))
    return rows


OPEN: dict[str, frozenset[str]] = {CaseKindName.DISCLOSURE: frozenset(st.value for st in OPEN_STATES),
        CaseKindName.WORKORDER: frozenset(HOTLINE_OPEN)}


def _tallied_open(s: Session, agency_ids: frozenset[int] | None
                  ) -> tuple[dict[str, dict[int, int]], dict[int, int]]:
    """Open cases per kind and agency, and unconfirmed submissions per agency, from the summaries by state."""
    open_by_kind: dict[str, dict[int, int]] = {}
    unconf: dict[int, int] = {}
    for kind in OVERVIEW_KINDS:
        mine = open_by_kind.setdefault(kind, {})
        for (agency, state), n in tally.state_counts(s, kind, agency_ids).items():
            if state in OPEN[kind]:
                mine[agency] = mine.get(agency, 0) + n
            if kind == CaseKindName.DISCLOSURE and state == DState.SUBMITTED.value:
                unconf[agency] = unconf.get(agency, 0) + n
    return open_by_kind, unconf


def _open_from_cases(s: Session) -> tuple[dict[str, dict[int, int]], dict[int, int]]:
    """The same counts from the cases (the cross-check)."""
    open_by_kind: dict[str, dict[int, int]] = {
        CaseKindName.DISCLOSURE: counts_by_agency(s, select(Disclosure.agency_id, func.count())
                                                  .where(col(Disclosure.state).in_([st.value for st in OPEN_STATES]))
                                                  .group_by(col(Disclosure.agency_id))),
        CaseKindName.WORKORDER: counts_by_agency(s, select(WorkOrder.agency_id, func.count())
                                                 .where(col(WorkOrder.state).in_(HOTLINE_OPEN))
                                                 .group_by(col(WorkOrder.agency_id))),
    }
    unconf = counts_by_agency(s, select(Disclosure.agency_id, func.count())
                              .where(Disclosure.state == DState.SUBMITTED.value).group_by(col(Disclosure.agency_id)))
    return open_by_kind, unconf


@dataclass(frozen=True)
class OverviewTotals:
    disclosure: KindFigures
    workorder: KindFigures
    unconfirmed: int


def overview_totals(rows: list[AgencyOverview]) -> OverviewTotals:
    """The agencies' figures added up, kind by kind."""
    def total(kind: str) -> KindFigures:
        figs = [getattr(r, kind) for r in rows]
        return KindFigures(*(sum(getattr(f, k) for f in figs) for k in ("open", "due_today", "due_week", "overdue")))
    return OverviewTotals(total(CaseKindName.DISCLOSURE), total(CaseKindName.WORKORDER), sum(r.unconfirmed for r in rows))


@dataclass(frozen=True)
class SupervisionOverview:
    """各机关概况: the agencies' rows, their totals, and the Sunday that ends "this week"."""

    rows: list[AgencyOverview]
    totals: OverviewTotals
    week_end: date


def supervision_overview(engine: Engine, agency_ids: frozenset[int], *, now: datetime,
                         tz: str) -> SupervisionOverview:
    """The overview of ``agency_ids`` (a supervisor's own agency and those below it), "today" and "this week" in
    ``tz`` (the supervisor's agency's), read in one session."""
    today = local_date(now, tz)
    _, week_end_at, sunday = week_window(today, tz)
    with read_session(engine) as s:
        rows = agencies_overview(s, now=now, end_of_today=end_of_day(today, tz), end_of_week=week_end_at,
                                 agency_ids=agency_ids)
    return SupervisionOverview(rows, overview_totals(rows), sunday)


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
