"""Report endpoints: the annual report (JSON/HTML/XLSX/DOCX, 2021 or 2019 format) and the leaders' statistics
(disclosure + 12345) as JSON or XLSX. Leaders and admins see their agency; a supervisor its own agency or one
below it, and without ``agency`` the consolidated report of its agency and every agency below it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import Engine

from db.engine import read_session
from states.annual_report import ReportFormat
from web.deps import EngineDep, NowDep, PrincipalDep, SettingsDep
from workflow.accounts.principal import Principal
from workflow.reports.files import ReportFile, annual_file, leader_stats, report_scope, stats_file
from workflow.reports.render import OutputFormat
from workflow.reports.versions import record_generated
from workflow.timesource import local_date

router = APIRouter(prefix="/api/reports", tags=["reports"])

AgencyQ = Annotated[str | None, Query(description="机关代码；监督员可查本机关或下级机关，省略时为本机关及全部下级机关的汇总（各机关数字并列）")]
FromQ = Annotated[date | None, Query(alias="from", description="起始日期（含），默认本年1月1日")]
ToQ = Annotated[date | None, Query(alias="to", description="截止日期（含），默认今天")]


def _file(f: ReportFile, inline: bool = False) -> Response:
    return Response(f.content, media_type=f.media_type,
                    headers={"Content-Disposition": f.content_disposition(inline),
                             "X-Content-Type-Options": "nosniff"})


@router.get("/annual/{year}", summary="政府信息公开工作年度报告统计表（表二、表三、表四）")
def annual(year: int, engine: EngineDep, actor: PrincipalDep, now: NowDep, settings: SettingsDep,
           format: OutputFormat = "json", report_format: ReportFormat = "2021", agency: AgencyQ = None) -> Response:
    today = local_date(now, settings.timezone)
    with read_session(engine) as s:
        agency_id = report_scope(s, actor, agency)
        f = annual_file(s, agency_id, year, format, report_format, today=today)
    if f.report is not None and isinstance(agency_id, int):  # a past year's report, as generated: a version
        record_generated(engine, agency_id, f.report, actor.id, now, today)
    return _file(f, inline=format in ("json", "html"))


def _stats(engine: Engine, actor: Principal, now: datetime, tz: str, start: date | None, end: date | None,
           agency: str | None) -> dict[str, Any]:
    today = local_date(now, tz)
    with read_session(engine) as s:
        agency_id = report_scope(s, actor, agency)
        return leader_stats(s, agency_id, start or date(today.year, 1, 1), end or today)


@router.get("/stats", summary="负责人统计：依申请公开与12345工单（JSON）")
def stats(engine: EngineDep, actor: PrincipalDep, now: NowDep, settings: SettingsDep, start: FromQ = None,
          end: ToQ = None, agency: AgencyQ = None) -> dict[str, Any]:
    return _stats(engine, actor, now, settings.timezone, start, end, agency)


@router.get("/stats.xlsx", summary="负责人统计导出（XLSX，每个统计块一张工作表）",
            response_class=Response, responses={200: {"content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def stats_xlsx(engine: EngineDep, actor: PrincipalDep, now: NowDep, settings: SettingsDep, start: FromQ = None,
               end: ToQ = None, agency: AgencyQ = None) -> Response:
    return _file(stats_file(_stats(engine, actor, now, settings.timezone, start, end, agency)))

