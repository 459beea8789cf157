"""统计报表 for leaders, admins and supervisors: pick a year and format for the annual report, download the
statistics as XLSX. The files are those of the reports API (``workflow.reports.files``)."""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, Request
from fastapi.responses import Response

from states.annual_report import FORMATS, ReportFormat
from states.roles import Role
from web.auth import CurrentUser
from web.pages.common import agency_of, now, today
from web.pages.render import render
from web.pages.session import PageError, app_engine, principal, require
from workflow.errors import DomainValidation, InvalidTransition, NotFound
from workflow.reports.downloads import annual_download
from workflow.reports.files import FIRST_YEAR, ReportFile, stats_file
from workflow.reports.leader import report_choices, stats_as_asked
from workflow.reports.render import FORMAT_LABELS, OUTPUT_FORMATS, OutputFormat

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
    reach = frozenset({user.agency_id}) | user.supervises if Role.SUPERVISOR in user.roles else None
    choices = report_choices(app_engine(request), user.agency_id, today=t, reach=reach)
    return render(request, "reports/index.html", {
        "changed": choices.changed, "format_labels": FORMAT_LABELS,
        "years": list(range(t.year, FIRST_YEAR - 1, -1)), "formats": [(f, FORMAT_LABELS[f]) for f in FORMATS],
        "outputs": [(o, OUTPUT_LABELS[o]) for o in ("html", "xlsx", "docx", "json") if o in OUTPUT_FORMATS],
        "agencies": choices.agencies, "values": {"year": str(t.year - 1), "report_format": "2021", "format": "html",
                                         "from": f"{t.year}-01-01", "to": t.isoformat(), **values},
        "errors": errors}, status=status)


@router.get("")
def index(request: Request, user: CurrentUser = CanReport) -> Response:
    return _page(request, user, {}, {})


def _refused(exc: InvalidTransition | NotFound) -> PageError:
    return PageError(403 if isinstance(exc, InvalidTransition) else 404, exc.message)


@router.get("/annual")
def annual(request: Request, user: CurrentUser = CanReport) -> Response:
    q = request.query_params
    values = {k: q.get(k, "") for k in ("year", "format", "report_format", "agency")}
    _, cfg = agency_of(request, user)
    year = int(values["year"]) if values["year"].isdigit() else 0
    try:  # a past year's report of one agency is kept, as generated, as a version
        f = annual_download(app_engine(request), principal(user), values["agency"] or None, year,
                            cast(OutputFormat, values["format"] or "html"),
                            cast(ReportFormat, values["report_format"] or "2021"), now=now(request),
                            today=today(request, cfg.timezone))
    except (InvalidTransition, NotFound) as exc:
        raise _refused(exc) from exc
    except DomainValidation as exc:
        return _page(request, user, values, {e["field"]: [e["message"]] for e in exc.fields}, status=422)
    return _file(f, inline=values["format"] in ("", "html"))


@router.get("/stats.xlsx")
def stats_xlsx(request: Request, user: CurrentUser = CanReport) -> Response:
    q = request.query_params
    values = {"from": q.get("from", ""), "to": q.get("to", ""), "agency": q.get("agency", "")}
    _, cfg = agency_of(request, user)
    try:
        stats = stats_as_asked(app_engine(request), principal(user), values["agency"] or None, values["from"],
                               values["to"], today=today(request, cfg.timezone))
    except (InvalidTransition, NotFound) as exc:
        raise _refused(exc) from exc
    except DomainValidation as exc:
        return _page(request, user, values, {e["field"]: [e["message"]] for e in exc.fields}, status=422)
    return _file(stats_file(stats))
