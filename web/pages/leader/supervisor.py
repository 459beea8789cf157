"""各机关概况 for the supervising role (e.g. the county government's supervising office): its own agency's and
every agency's below it open cases and deadlines on one page, with drill-down into that agency's case list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from db.engine import read_session
from states.roles import Role
from web.auth import CurrentUser
from web.pages.common import agency_of, now, today
from web.pages.render import render
from web.pages.session import app_engine, require
from workflow.reports.dashboard import week_window
from workflow.reports.supervision import agencies_overview
from workflow.timesource import end_of_day

router = APIRouter(prefix="/supervisor", include_in_schema=False)
IsSupervisor = require(Role.SUPERVISOR)


@router.get("")
def overview(request: Request, user: CurrentUser = IsSupervisor) -> Response:
    _, cfg = agency_of(request, user)
    t, n = today(request, cfg.timezone), now(request)
    _, week_end_at, sunday = week_window(t, cfg.timezone)
    with read_session(app_engine(request)) as s:
        rows = agencies_overview(s, now=n, end_of_today=end_of_day(t, cfg.timezone), end_of_week=week_end_at,
                                 agency_ids=frozenset({user.agency_id}) | user.supervises)
    totals = {k: sum(getattr(r, k) for r in rows)
              for k in ("open_disclosures", "unconfirmed", "open_workorders", "due_today", "due_week", "overdue")}
    return render(request, "supervisor/overview.html", {"rows": rows, "totals": totals, "week_end": sunday})
