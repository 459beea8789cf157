"""Report endpoints: the annual report (JSON/HTML/XLSX/DOCX, 2021 or 2019 format) and the leaders' statistics
(disclosure + 12345) as JSON or XLSX. Leaders and admins see their agency; a supervisor its own agency or one
below it, and without ``agency`` the consolidated report of its agency and every agency below it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import ConfigDict, Field

from states.annual_report import ReportFormat
from web.api.schemas import BINARY, ERRORS, ApiOut, file_answer
from web.deps import EngineDep, NowDep, PrincipalDep, SettingsDep
from workflow.reports.downloads import annual_download, scoped_stats
from workflow.reports.files import MEDIA, ReportFile, stats_file
from workflow.reports.render import OutputFormat
from workflow.timesource import local_date

router = APIRouter(prefix="/api/reports", tags=["reports"], responses=ERRORS)

AgencyQ = Annotated[str | None, Query(description="机关代码；监督员可查本机关或下级机关，省略时为本机关及全部下级机关的汇总（各机关数字并列）")]
FromQ = Annotated[date | None, Query(alias="from", description="起始日期（含），默认本年1月1日")]
ToQ = Annotated[date | None, Query(alias="to", description="截止日期（含），默认今天")]


class PeriodOut(ApiOut):
    start: str = Field(description="起始日期（含）")
    end: str = Field(description="截止日期（含）")


Scope = int | list[int] | None  # one agency, a supervisor's agencies, or all agencies


class OfficerFiguresOut(ApiOut):
    assignee_id: int | None = Field(description="承办人（未分办为 null）")
    concluded: int = Field(description="期内办结")
    open_at_end: int = Field(description="期末未办结")
    replies_with_clock: int = Field(description="期内答复（有答复期限的）")
    replied_on_time: int = Field(description="其中按期答复")
    assignee_name: str


class UnitFiguresOut(ApiOut):
    unit_id: int | None = Field(description="科室（未归属为 null）")
    concluded: int
    open_at_end: int
    unit_name: str


class DisclosureStatsOut(ApiOut):  # workflow.reports.stats.disclosure_stats
    """期内依申请公开的统计数字"""

    agency_id: Scope
    period: PeriodOut
    received: int = Field(description="期内收到")
    concluded: int = Field(description="期内办结")
    received_by_month: dict[str, int] = Field(description="按月（YYYY-MM）收到")
    concluded_by_month: dict[str, int] = Field(description="按月（YYYY-MM）办结")
    replies_with_clock: int
    replied_on_time: int
    on_time_rate: float | None = Field(description="按期答复率（无答复时为 null）")
    avg_working_days_to_reply: float | None = Field(description="平均答复用时（工作日）")
    working_days_basis: str = Field(description="计算工作日所用的日历")
    extended: int = Field(description="期内办结中延期答复的")
    by_category: dict[str, int] = Field(description="按答复结果类别")
    by_row: dict[str, int] = Field(description="按年度报告表三的行")
    open_at_end: int
    by_officer: list[OfficerFiguresOut]
    by_unit: list[UnitFiguresOut]


class RateOut(ApiOut):
    numerator: int
    denominator: int
    rate: float | None = Field(description="比率（分母为 0 时为 null）")


class RatesOut(ApiOut):
    """12345工单的各项比率（名称见 rate_labels）"""

    model_config = ConfigDict(populate_by_name=True)
    sign_for_on_time: RateOut = Field(description="签收及时率")
    handling_on_time: RateOut = Field(description="按时办结率")
    return_: RateOut = Field(alias="return", description="退单率")
    extension: RateOut = Field(description="延期率")
    satisfaction: RateOut = Field(description="回访满意率")
    rehandle: RateOut = Field(description="重办率")


class HotlineFiguresOut(ApiOut):
    received: int
    returned: int
    signed: int
    signed_on_time: int
    replied: int
    replied_on_time: int
    extended: int
    rehandled: int
    callbacks: int
    satisfied: int
    rates: RatesOut


class HotlineCategoryOut(HotlineFiguresOut):
    label: str = Field(description="诉求类型")


class HotlineStatsOut(HotlineFiguresOut):  # workflow.reports.hotline.hotline_stats
    """期内12345工单的统计数字：合计、按诉求类型、按月"""

    agency_id: Scope
    period: PeriodOut
    timezone: str
    callback_results: dict[str, int] = Field(description="回访结果")
    by_category: dict[str, HotlineCategoryOut] = Field(description="按诉求类型")
    by_month: dict[str, HotlineFiguresOut] = Field(description="按月（YYYY-MM）")
    rate_labels: dict[str, str] = Field(description="各比率的名称")


class StatsOut(ApiOut):
    """负责人统计：各类事项的数字并列"""

    agency: str = Field(description="统计范围（机关名称；监督员的汇总为本机关及下级机关）")
    agency_id: Scope
    period: PeriodOut
    disclosure: DisclosureStatsOut
    hotline: HotlineStatsOut


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


@router.get("/stats", summary="负责人统计：依申请公开与12345工单（JSON）", response_model=StatsOut,
            response_description="统计数字")
def stats(engine: EngineDep, actor: PrincipalDep, now: NowDep, settings: SettingsDep, start: FromQ = None,
          end: ToQ = None, agency: AgencyQ = None) -> dict[str, Any]:
    return scoped_stats(engine, actor, agency, start, end, today=local_date(now, settings.timezone))


@router.get("/stats.xlsx", summary="负责人统计导出（XLSX，每个统计块一张工作表）",
            response_class=Response, responses=file_answer("统计表（XLSX）", MEDIA["xlsx"]))
def stats_xlsx(engine: EngineDep, actor: PrincipalDep, now: NowDep, settings: SettingsDep, start: FromQ = None,
               end: ToQ = None, agency: AgencyQ = None) -> Response:
    return _file(stats_file(scoped_stats(engine, actor, agency, start, end,
                                         today=local_date(now, settings.timezone))))
