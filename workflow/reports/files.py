"""Report downloads shared by the API and the pages: who may ask for which agency, the annual report as a
file, and the leaders' statistics (disclosure + 12345) as JSON or XLSX. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from sqlmodel import Session, col, select

from db.models import Agency, Unit, User
from states.annual_report import FORMATS, AnnualReport, ReportFormat
from states.inputs import DATE_MESSAGE, date_in_range
from states.roles import Role
from states.wording import NO_ASSIGNEE, NO_UNIT
from workflow.accounts.principal import Principal
from workflow.agencies.registry import hierarchy
from workflow.errors import DomainValidation, InvalidTransition, NotFound
from workflow.reports import consolidated
from workflow.reports.annual import ALL_AGENCIES_NAME, Period, agency_name, annual_report, stats_for_leaders
from workflow.reports.render import OUTPUT_FORMATS, OutputFormat, render
from workflow.reports.stats_xlsx import stats_workbook

REPORT_ROLES = (Role.LEADER, Role.ADMIN, Role.SUPERVISOR)
MEDIA: dict[str, str] = {
    "json": "application/json; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FIRST_YEAR, LAST_YEAR = 2019, 2100  # the 2019 format is the first the system produces


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    media_type: str
    filename: str  # Chinese; see ``content_disposition``
    ascii_name: str
    report: AnnualReport | None = None  # a single agency's annual report (kept as a version: workflow.reports.versions)

    def content_disposition(self, inline: bool = False) -> str:
        """RFC 6266: an ASCII fallback and the UTF-8 name (browsers show the Chinese one)."""
        kind = "inline" if inline else "attachment"
        return f"{kind}; filename=\"{self.ascii_name}\"; filename*=UTF-8''{quote(self.filename)}"


def report_scope(session: Session, actor: Principal, code: str | None) -> int | frozenset[int]:
    """The agency a report is for: leaders and admins their own; a supervisor its own or one below it, and without
    a code the consolidated report of its agency and every agency below it (the set)."""
    if not actor.has(*REPORT_ROLES):
        raise InvalidTransition("只有负责人、机关管理员或监督员可以查看统计报表", [], "forbidden")
    supervisor = Role.SUPERVISOR in actor.roles
    assert actor.agency_id is not None
    if not code:
        return frozenset({actor.agency_id}) | actor.supervises if supervisor else actor.agency_id
    agency = session.exec(select(Agency).where(Agency.code == code)).first()
    if agency is None or agency.id is None or not actor.can_see_agency(agency.id):
        if not supervisor:
            raise InvalidTransition("只能查看本机关的统计报表", [], "forbidden")
        raise NotFound(f"代码为“{code}”的机关")
    if not supervisor and agency.id != actor.agency_id:
        raise InvalidTransition("只能查看本机关的统计报表", [], "forbidden")
    return agency.id


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainValidation.one("year", "invalid_year", f"年度应在{FIRST_YEAR}至{LAST_YEAR}之间")


def annual_file(session: Session, agency_id: int | frozenset[int] | None, year: int, output: OutputFormat,
                report_format: ReportFormat = "2021", *, today: date | None = None) -> ReportFile:
    """The annual report's tables in one of the four outputs (workflow.reports.render); for a set of agencies the
    consolidated report with each agency beside the total (json, html, xlsx)."""
    check_year(year)
    if output not in OUTPUT_FORMATS:
        raise DomainValidation.one("format", "invalid_format", "格式应为 json、html、xlsx 或 docx")
    if report_format not in FORMATS:
        raise DomainValidation.one("report_format", "invalid_report_format", "报表格式应为 2021 或 2019")
    if isinstance(agency_id, frozenset):
        return _consolidated_file(session, agency_id, year, output, report_format, today)
    report = annual_report(session, agency_id, year, report_format, as_of=today, summaries=True)
    suffix = "" if report_format == "2021" else "（2019年版）"
    return ReportFile(render(report, output), MEDIA[output],
                      f"{report.agency_name}{year}年政府信息公开工作年度报告{suffix}.{output}",
                      f"annual-report-{year}-{report_format}.{output}", report)


CONSOLIDATED_RENDER = {"json": consolidated.render_json, "html": consolidated.render_html,
                       "xlsx": consolidated.render_xlsx}


def _consolidated_file(session: Session, agency_ids: frozenset[int], year: int, output: OutputFormat,
                       report_format: ReportFormat, today: date | None) -> ReportFile:
    if output not in CONSOLIDATED_RENDER:
        raise DomainValidation.one("format", "invalid_format", "汇总报告提供网页、Excel（xlsx）和 JSON 格式；"
                                   "Word 版请选择单个机关")
    c = consolidated.consolidated_report(session, agency_ids, year, report_format, as_of=today, summaries=True)
    return ReportFile(CONSOLIDATED_RENDER[output](c), MEDIA[output],
                      f"{c.name}{year}年政府信息公开工作年度报告汇总.{output}",
                      f"annual-report-consolidated-{year}-{report_format}.{output}")


def scope_name(session: Session, agency_id: int | frozenset[int] | None) -> str:
    """How a report names its scope: one agency, a supervisor's agency with those below it, or all."""
    if isinstance(agency_id, frozenset):
        nodes = hierarchy(session)
        roots = [nodes[i].name for i in sorted(agency_id) if i in nodes and nodes[i].parent_id not in agency_id]
        return "、".join(roots) + ("（含下级机关）" if len(agency_id) > len(roots) else "")
    return agency_name(session, agency_id) if agency_id is not None else ALL_AGENCIES_NAME


def _names(session: Session, model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    name = model.display_name if model is User else model.name
    return {int(i): str(n) for i, n in session.exec(select(model.id, name).where(col(model.id).in_(ids))).all()}


def period_from_text(start: str, end: str, today: date) -> Period:
    """The statistics period a person typed: ``from``/``to`` as YYYY-MM-DD, both inclusive; empty means
    1 January of ``today``'s year / ``today``. Raises DomainValidation naming the field (from/to)."""
    bounds: dict[str, date] = {}
    problems = []
    for name, text, default in (("from", start, date(today.year, 1, 1)), ("to", end, today)):
        try:
            bounds[name] = date.fromisoformat(text.strip()) if text.strip() else default
        except ValueError:
            problems.append({"field": name, "code": "invalid_date", "message": "日期格式应为 YYYY-MM-DD"})
    if problems:
        raise DomainValidation(problems)
    return checked_period(bounds["from"], bounds["to"])


MAX_PERIOD_YEARS = 10
MAX_PERIOD_DAYS = 366 * MAX_PERIOD_YEARS  # the figures of a longer period take minutes and gigabytes to count


def checked_period(start: date, end: date) -> Period:
    """A statistics period: dates in the sane range, not reversed, at most ``MAX_PERIOD_YEARS`` long."""
    for name, day in (("from", start), ("to", end)):
        if not date_in_range(day):
            raise DomainValidation.one(name, "date_out_of_range", DATE_MESSAGE)
    if end < start:
        raise DomainValidation.one("to", "invalid_period", "截止日期不能早于起始日期")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise DomainValidation.one("from", "period_too_long", f"统计期间不能超过{MAX_PERIOD_YEARS}年")
    return Period(start, end)


def leader_stats(session: Session, agency_id: int | frozenset[int] | None, start: date, end: date) -> dict[str, Any]:
    """``stats_for_leaders`` for [start, end] with officer and unit names added; raises on a reversed or too
    long range (``checked_period``)."""
    period = checked_period(start, end)
    stats = stats_for_leaders(session, agency_id, period, summaries=True)  # the maintained summaries (issue 21)
    d = stats["disclosure"]
    users = _names(session, User, {r["assignee_id"] for r in d["by_officer"] if r["assignee_id"]})
    units = _names(session, Unit, {r["unit_id"] for r in d["by_unit"] if r["unit_id"]})
    for r in d["by_officer"]:
        r["assignee_name"] = users.get(r["assignee_id"] or 0, NO_ASSIGNEE["disclosure"])
    for r in d["by_unit"]:
        r["unit_name"] = units.get(r["unit_id"] or 0, NO_UNIT)
    return {"agency": scope_name(session, agency_id),
            "agency_id": sorted(agency_id) if isinstance(agency_id, frozenset) else agency_id,
            "period": {"start": start.isoformat(), "end": end.isoformat()}, **stats}


def stats_file(stats: dict[str, Any]) -> ReportFile:
    """The statistics as XLSX, one sheet per block (workflow.reports.stats_xlsx)."""
    p = stats["period"]
    return ReportFile(stats_workbook(stats), MEDIA["xlsx"], f"{stats['agency']}统计{p['start']}至{p['end']}.xlsx",
                      f"statistics-{p['start']}-{p['end']}.xlsx")
