"""Leader (负责人): the dashboard (SQL aggregates, SVG charts, drill-down links; 12345 figures; statistics and
downloads) and extension approvals."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from states.roles import Role
from states.vocab import ApprovalStatus, CaseKindName
from web.auth import CurrentUser
from web.pages.common import agency_of, now, today
from web.pages.forms import errors_by_field
from web.pages.leader.charts import bar_chart, rate_chart
from web.pages.leader.stats import statistics, stats_period
from web.pages.render import redirect, render
from web.pages.session import PageError, StaffForm, app_engine, form_str, principal, require
from workflow.cases.approvals import approval_of
from workflow.disclosure import actions as wf
from workflow.errors import DomainValidation, InvalidTransition, NotFound, StaleVersion
from workflow.reports.leader import leader_dashboard

router = APIRouter(prefix="/leader", include_in_schema=False)
IsLeader = require(Role.LEADER)


@router.get("")
def dashboard(request: Request, user: CurrentUser = IsLeader) -> Response:
    agency, cfg = agency_of(request, user)
    t = today(request, cfg.timezone)
    start, end, note = stats_period(request, t)
    ld = leader_dashboard(app_engine(request), user.agency_id, agency, now=now(request), today=t, tz=cfg.timezone,
                          start=start, end=end)
    dash = ld.dash
    return render(request, "leader/dashboard.html", {
        "dash": dash, "load": ld.load, "kinds": ld.load.kinds, "received_chart": bar_chart(dash.received_by_month, "每月收到申请数（点击柱形查看当月案件）", "/cases?month="),
        "rate_chart": rate_chart(dash.on_time_by_month, "按期答复率"), "hot": ld.hot,
        "stats": statistics(ld.stats, start, end, note, t), "open_total": ld.open_total})


@router.post("/approvals/{approval_id}/{decision}")
def decide(request: Request, approval_id: int, decision: str, form: StaffForm, user: CurrentUser = IsLeader) -> Response:
    """Approve or deny an extension request (条例第三十三条第二款) through the workflow's own actions."""
    if decision not in ("approve", "deny"):
        raise PageError(404, "没有这个操作")
    req = approval_of(app_engine(request), approval_id, agency_id=user.agency_id)
    if req is None or req.case_kind != CaseKindName.DISCLOSURE:
        raise PageError(404, "审批事项不存在")
    if req.status != ApprovalStatus.PENDING:
        return redirect(request, "/leader", ("error", "该延期申请已处理"))
    note = form_str(form, "note")
    payload: dict[str, object] = {"note": note}
    days = form_str(form, "days")
    if decision == "approve" and days:
        payload["days"] = days
    version_raw = form_str(form, "expected_version")
    version = int(version_raw) if version_raw.isdigit() else None
    action = "approve_extension" if decision == "approve" else "deny_extension"
    try:
        wf.act(app_engine(request), req.case_id, action, payload, principal(user), now(request), version)
    except (ValidationError, DomainValidation) as exc:
        msgs = [m for ms in errors_by_field(exc).values() for m in ms]
        return redirect(request, "/leader", ("error", "未能处理：" + "；".join(msgs)))
    except (StaleVersion, InvalidTransition, NotFound) as exc:
        return redirect(request, "/leader", ("error", "未能处理：" + exc.message))
    return redirect(request, "/leader", ("ok", "已批准延期" if decision == "approve" else "已不批准延期"))
