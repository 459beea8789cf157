"""Report endpoints: the annual report (JSON/HTML/XLSX/DOCX, 2021 or 2019 format) and the leaders' statistics
(disclosure + 12345) as JSON or XLSX. Leaders and admins see their agency; a supervisor its own agency or one
below it, and without ``agency`` the consolidated report of its agency and every agency below it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from states.annual_report import ReportFormat
from web.api.schemas import BINARY, file_answer
from web.deps import EngineDep, NowDep, PrincipalDep, SettingsDep
from workflow.reports.downloads import annual_download, scoped_stats
from workflow.reports.files import MEDIA, ReportFile, stats_file
from workflow.reports.render import OutputFormat
from workflow.timesource import local_date

router = APIRouter(prefix="/api/reports", tags=["reports"])

AgencyQ = Annotated[str | None, Query(description="机关代码；监督员可查本机关或下级机关，省略时为本机关及全部下级机关的汇总（各机关数字并列）")]
FromQ = Annotated[date | None, Query(alias="from", description="起始日期（含），默认本年1月1日")]
ToQ = Annotated[date | None, Query(alias="to", description="截止日期（含），默认今天")]


def _file(f: ReportFile, inline: bool = False) -> Response:
    return Response(f.content, media_type=f.media_type,
                    headers={"Content-Disposition": f.content_disposition(inline),
                             "X-Content-Type-Options": "nosniff"})


# The annual report is a document in four formats (``format``); its JSON form is the tables' figures as a document
ANNUAL_ANSWER: dict[int | str, dict[str, Any]] = {200: {
    "description": "年度报告：json、html 在浏览器中显示，xlsx、docx 为下载文件",
    "content": {"application/json": {"schema": {"type": "object", "description": "年度报告各表的数字（文档）"}},
                "text/html": {"schema": {"type": "string"}},
                MEDIA["xlsx"]: BINARY, MEDIA["docx"]: BINARY}}}


@router.get("/annual/{year}", summary="政府信息公开工作年度报告统计表（表二、表三、表四）", response_class=Response,
            responses=ANNUAL_ANSWER)
def annual(year: int, engine: EngineDep, actor: PrincipalDep, now: NowDep, settings: SettingsDep,
           format: OutputFormat = "json", report_format: ReportFormat = "2021", agency: AgencyQ = None) -> Response:
    f = annual_download(engine, actor, agency, year, format, report_format, now=now,
                        today=local_date(now, settings.timezone))
    return _file(f, inline=format in ("json", "html"))


@router.get("/stats", summary="负责人统计：依申请公开与12345工单（JSON）")
def stats(engine: EngineDep, actor: PrincipalDep, now: NowDep, settings: SettingsDep, start: FromQ = None,
          end: ToQ = None, agency: AgencyQ = None) -> dict[str, Any]:
    return scoped_stats(engine, actor, agency, start, end, today=local_date(now, settings.timezone))


@router.get("/stats.xlsx", summary="负责人统计导出（XLSX，每个统计块一张工作表）",
            response_class=Response, responses=file_answer("统计表（XLSX）", MEDIA["xlsx"]))
def stats_xlsx(engine: EngineDep, actor: PrincipalDep, now: NowDep, settings: SettingsDep, start: FromQ = None,
               end: ToQ = None, agency: AgencyQ = None) -> Response:
    return _file(stats_file(scoped_stats(engine, actor, agency, start, end,
                                         today=local_date(now, settings.timezone))))
