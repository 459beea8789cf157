"""统计报表 for leaders, admins and supervisors: pick a year and format for the annual report, download the
statistics as XLSX. The files are those of the reports API (``workflow.reports.files``)."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, select

from db.engine import read_session
from db.models import Agency
from states.annual_report import FORMATS, ReportFormat
from states.roles import Role
from web.auth import CurrentUser
from web.pages.common import agency_of, now, today
from web.pages.render import render
from web.pages.session import PageError, app_engine, principal, require
from workflow.errors import DomainValidation, InvalidTransition, NotFound
from workflow.reports.files import (
    FIRST_YEAR,
    ReportFile,
    annual_file,
    leader_stats,
    period_from_text,
    report_scope,
    stats_file,
)
from workflow.reports.render import FORMAT_LABELS, OUTPUT_FORMATS, OutputFormat
from workflow.reports.versions import changed_years, record_generated

router = APIRouter(prefix="/reports", include_in_schema=False)
CanReport = require(Role.LEADER, Role.ADMIN, Role.SUPERVISOR)
OUTPUT_LABELS = {"html": "网页（在浏览器中查看）", "xlsx": "Excel（xlsx）", "docx": "Word（docx）", "json": "JSON（供其他系统使用）"}


def _file(f: ReportFile, inline: bool = False) -> Response:
    return Response(f.content, media_type=f.media_type, headers={
        "Content-Disposition": f.content_disposition(inline), "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store"})


def _page(request: Request, user: CurrentUser, values: dict[str, str], errors: dict[str, list[str]],
          status: int = 200) -> Response:
    _, cfg = agency_of(request, user)
    t = today(request, cfg.timezone)
    agencies: list[tuple[str, str]] = []
    if Role.SUPERVISOR in user.roles:
        with read_session(app_engine(request)) as s:
            reach = frozenset({user.agency_id}) | user.supervises
            agencies = [(a.code, a.name) for a in s.exec(select(Agency).order_by(col(Agency.code))) if a.id in reach]
    with read_session(app_engine(request)) as s:
        changed = changed_years(s, user.agency_id, t)
    return render(request, "reports/index.html", {
        "changed": changed, "format_labels": FORMAT_LABELS,
        "years": list(range(t.year, FIRST_YEAR - 1, -1)), "formats": [(f, FORMAT_LABELS[f]) for f in FORMATS],
        "outputs": [(o, OUTPUT_LABELS[o]) for o in ("html", "xlsx", "docx", "json") if o in OUTPUT_FORMATS],
        "agencies": agencies, "values": {"year": str(t.year - 1), "report_format": "2021", "format": "html",
                                         "from": f"{t.year}-01-01", "to": t.isoformat(), **values},
        "errors": errors}, status=status)


@router.get("")
def index(request: Request, user: CurrentUser = CanReport) -> Response:
    return _page(request, user, {}, {})


def _scope(request: Request, user: CurrentUser, code: str | None) -> Any:
    try:
        with read_session(app_engine(request)) as s:
            return report_scope(s, principal(user), code)
    except InvalidTransition as exc:
        raise PageError(403, exc.message) from exc
    except NotFound as exc:
        raise PageError(404, exc.message) from exc


@router.get("/annual")
def annual(request: Request, user: CurrentUser = CanReport) -> Response:
    q = request.query_params
    values = {k: q.get(k, "") for k in ("year", "format", "report_format", "agency")}
    agency_id = _scope(request, user, values["agency"] or None)
    _, cfg = agency_of(request, user)
    year = int(values["year"]) if values["year"].isdigit() else 0
    t = today(request, cfg.timezone)
    try:
        with read_session(app_engine(request)) as s:
            f = annual_file(s, agency_id, year, cast(OutputFormat, values["format"] or "html"),
                            cast(ReportFormat, values["report_format"] or "2021"), today=t)
    except DomainValidation as exc:
        return _page(request, user, values, {e["field"]: [e["message"]] for e in exc.fields}, status=422)
    if f.report is not None and isinstance(agency_id, int):  # a past year's report, as generated: a version
        record_generated(app_engine(request), agency_id, f.report, user.id, now(request), t)
    return _file(f, inline=values["format"] in ("", "html"))


@router.get("/stats.xlsx")
def stats_xlsx(request: Request, user: CurrentUser = CanReport) -> Response:
    q = request.query_params
    values = {"from": q.get("from", ""), "to": q.get("to", ""), "agency": q.get("agency", "")}
    agency_id = _scope(request, user, values["agency"] or None)
    _, cfg = agency_of(request, user)
    t = today(request, cfg.timezone)
    try:
        p = period_from_text(values["from"], values["to"], t)
        with read_session(app_engine(request)) as s:
            stats = leader_stats(s, agency_id, p.start, p.end)
    except DomainValidation as exc:
        return _page(request, user, values, {e["field"]: [e["message"]] for e in exc.fields}, status=422)
    return _file(stats_file(stats))
