"""A list of cases as staff ask for it (我的案件, 案件查询, the dashboards' drill-downs): the filter the query names,
its due-date window in the agency's working calendar, one page of rows of every kind with each row's urgency —
read in one session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from db.engine import read_session
from workflow.accounts.officers import Officer, officers_in
from workflow.agencies.config import AgencySettings
from workflow.calendar.service import agency_calendar
from workflow.cases.clocks import soon_until
from workflow.cases.listing import CaseFilter, CaseRow, list_cases
from workflow.reports.dashboard import week_window
from workflow.runtime import Engine
from workflow.timesource import end_of_day

DUE_WINDOWS = ("today", "week", "soon")  # soon: within SOON_WORKDAYS working days, as the badge and the caseload


@dataclass(frozen=True)
class CaseQuery:
    """What the list asks for (the page's query string, parsed)."""

    assignee_id: int | None = None
    unit_id: int | None = None
    state: str | None = None
    open_only: bool = False
    overdue: bool = False
    due: str = ""  # one of DUE_WINDOWS, or "" for any
    received_month: str | None = None  # YYYY-MM
    q: str = ""
    kind: str | None = None
    unassigned: bool = False
    no_unit: bool = False


@dataclass(frozen=True)
class ListedCase:
    row: CaseRow
    urgency: str  # "overdue", "soon" (due within the soon window) or ""


@dataclass(frozen=True)
class CaseListPage:
    rows: list[ListedCase]
    total: int
    officers: tuple[Officer, ...] = ()  # of the listed agency, when asked for (the assignee filter)


def _urgency(due_at: datetime | None, due_date: date | None, now: datetime, soon: date) -> str:
    if due_at is None:
        return ""
    if due_at <= now:
        return "overdue"
    return "soon" if due_date is not None and due_date <= soon else ""


def case_list_page(engine: Engine, agency_id: int, agency: AgencySettings, query: CaseQuery, *, now: datetime,
                   today: date, tz: str, page: int, per_page: int, with_officers: bool = False) -> CaseListPage:
    """Page ``page`` of ``agency_id``'s cases matching ``query`` (``agency``: its settings, for the calendar), with
    the agency's officers to filter by when ``with_officers``."""
    with read_session(engine) as s:
        soon = soon_until(agency_calendar(s, agency), today)
        due_from = due_to = None
        if query.due == "today":
            due_from, due_to = now, end_of_day(today, tz)
        elif query.due == "week":
            due_from, due_to = now, week_window(today, tz)[1]
        elif query.due == "soon":
            due_from, due_to = now, end_of_day(soon, tz)
        f = CaseFilter(agency_id=agency_id, assignee_id=query.assignee_id, unit_id=query.unit_id, state=query.state,
                       open_only=query.open_only, overdue=query.overdue, due_from=due_from, due_to=due_to,
                       received_month=query.received_month, q=query.q, tz=tz, kind=query.kind,
                       unassigned=query.unassigned, no_unit=query.no_unit)
        rows, total = list_cases(s, f, now=now, page=page, per_page=per_page)
        officers = tuple(officers_in(s, agency_id)) if with_officers else ()
    return CaseListPage([ListedCase(r, _urgency(r.due_at, r.due_date, now, soon)) for r in rows], total, officers)
