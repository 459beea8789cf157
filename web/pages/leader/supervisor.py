"""各机关概况 for the supervising role (e.g. the county government's supervising office): its own agency's and
every agency's below it open cases and deadlines on one page, with drill-down into that agency's case list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from states.roles import Role
from web.auth import CurrentUser
from web.pages.common import agency_of, now
from web.pages.leader.charts import bar_chart, rate_chart
from web.pages.render import render
from web.pages.session import PageError, app_engine, principal, require
from workflow.reports.supervision import supervised_dashboard, supervision_overview

router = APIRouter(prefix="/supervisor", include_in_schema=False)
IsSupervisor = require(Role.SUPERVISOR)


@router.get("")
def overview(request: Request, user: CurrentUser = IsSupervisor) -> Response:
    _, cfg = agency_of(request, user)
    view = supervision_overview(app_engine(request), frozenset({user.agency_id}) | user.supervises, now=now(request),
                                tz=cfg.timezone)
    return render(request, "supervisor/overview.html", {"rows": view.rows, "totals": view.totals,
                                                        "week_end": view.week_end})


@router.get("/agencies/{agency_id}")
def agency_dashboard(request: Request, agency_id: int, user: CurrentUser = IsSupervisor) -> Response:
    """One department's dashboard as its leader sees the figures — read-only, no applicant's name: open cases,
    what falls due, what is overdue and with whom, the months' receipts and on-time replies, the 12345 figures."""
    if not principal(user).can_see_agency(agency_id):
        raise PageError(404, "机关不存在")
    n = now(request)
    view = supervised_dashboard(app_engine(request), agency_id, now=n)
    return render(request, "supervisor/agency.html", {
        "v": view, "received_chart": bar_chart(view.dash.received_by_month, "每月收到申请数（点击柱形查看当月案件）",
                                               f"/cases?agency={agency_id}&month="),
        "rate_chart": rate_chart(view.dash.on_time_by_month, "按期答复率"), "year": n.year})
