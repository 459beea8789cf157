"""Calendar endpoints: deadline arithmetic with explanations; the holiday arrangements as the administrator's
calendar page (``/admin/calendar``) keeps them — which years have them or are provisional, the import template, a
notice previewed and imported (read, checked and imported as the page does it: web.holiday_notice), admins only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from states.calendar_notice import NoticeData
from states.roles import Role
from states.wording import DAY_CHANGES, calendar_scope_label, notice_source_label, notice_title
from web.api.schemas import ERRORS, ApiOut, file_answer
from web.auth import CurrentUser
from web.concurrency import run_write
from web.deps import EngineDep, NowDep, require_roles
from web.errors import ApiError
from web.holiday_notice import (
    MAX_NOTICE_BYTES,
    TEMPLATE,
    TEMPLATE_DISPOSITION,
    TEMPLATE_MEDIA,
    Notice,
    NoticeRefused,
    authorized_notice,
    import_previewed,
    imported_message,
    notice_sent,
)
from web.uploads import one_file_each
from workflow.agencies.config import calendar_scopes
from workflow.agencies.info import AgencyInfo, agency_info
from workflow.calendar.lookup import calendar_for
from workflow.calendar.overview import calendar_years
from workflow.calendar.preview import NoticePreview, preview_import
from workflow.runtime import Engine

router = APIRouter(prefix="/api/calendar", tags=["calendar"], responses=ERRORS)
Admin = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN))]  # as the calendar page (/admin/calendar)

MAX_DAYS = 3660


class SpecialDayOut(ApiOut):
    date: str = Field(description="日期 YYYY-MM-DD")
    name: str = Field(description="节假日名称")
    scope: str = Field(description="national 全国；其他为地方节假日的地区代码")


class ExplanationOut(ApiOut):  # states.calendar_explain.Explanation
    """期限如何计算"""

    rule: Literal["workdays", "calendar_days", "calendar_months", "working_minutes"]
    start: str = Field(description="起算日（当日不计入）")
    amount: int
    end: str = Field(description="届满日")
    weekends_skipped: list[str] = Field(description="跳过的周末")
    holidays_skipped: list[SpecialDayOut] = Field(description="跳过的节假日")
    makeup_days_counted: list[SpecialDayOut] = Field(description="计入的调休上班日")
    missing_years: list[int] = Field(description="尚未发布节假日安排的年度（结果为暂定）")
    assumed_holidays: list[str] = Field(description="上述年度按法定日期计为休息日的节日（元旦、劳动节、国庆节）")
    pending_holidays: list[str] = Field(description="上述年度待国务院通知确定放假日期的节日（春节、清明节等农历节日）")
    nominal_end: str | None = Field(description="按自然日计算时期间的最后一日（顺延前）")
    month_end_clamped: bool
    hours: str | None = Field(description="按工作时间计算时所用的工作时段")
    tz: str | None = Field(description="按工作时间计算时的时区")
    lines_zh: list[str] = Field(description="说明（中文，逐行）")


class DeadlineOut(ApiOut):
    due: str = Field(description="届满日 YYYY-MM-DD")
    provisional: bool = Field(description="是否暂定（跨入尚未发布节假日安排的年度）")
    missing_years: list[int]
    explanation: ExplanationOut
    calendar_version: int = Field(description="所用节假日数据的版本")


@router.get("/add-workdays", summary="计算第 N 个工作日（起算日不计入）", response_model=DeadlineOut,
            response_description="届满日及其计算说明")
def add_workdays(
    engine: EngineDep,
    start: Annotated[date, Query(description="起算日 YYYY-MM-DD（当日不计入）")],
    days: Annotated[int, Query(ge=0, le=MAX_DAYS, description="工作日数")],
    agency: Annotated[str | None, Query(description="机关代码（含地方节假日）")] = None,
) -> dict[str, Any]:
    # an unknown agency code: workflow NotFound, answered 404 not_found 机关不存在 (web.errors)
    return calendar_for(engine, agency).add_workdays(start, days).to_dict()


# ---------------------------------------------------------------- the holiday arrangements (administrators)


class NoticeOut(ApiOut):  # workflow.calendar.overview.NoticeRow
    """一份生效中的节假日安排（每个年度、范围最新导入的一份）"""

    year: int
    scope: str = Field(description="范围：national 全国；其他为地方安排的范围代码")
    scope_label: str = Field(description="范围（中文）")
    applies: bool = Field(description="本机关是否适用（全国安排、本机关或本机关设置中的地方安排）")
    title: str = Field(description="名称，如页面所列（通知文号；系统内置的为“某年全国节假日安排”）")
    document: str = Field(description="文件中填写的通知文号或名称")
    source: str = Field(description="来源（中文）：系统内置、上传文件或命令行导入")
    imported_by: str
    imported_at: str = Field(description="导入时间（ISO 8601，带时区）")


class YearOut(ApiOut):  # workflow.calendar.overview.YearStatus
    """一个年度是否已有节假日安排"""

    year: int
    national: bool = Field(description="是否已导入该年度的全国节假日安排")
    local_scopes: list[str] = Field(description="本机关适用的地方安排中，已导入该年度安排的范围")
    provisional: bool = Field(description="是否暂定：尚无全国安排，该年度的期限均为暂定")
    provisional_note: str = Field(description="暂定时如何计算（中文），如“2027年全国节假日安排尚未导入：暂按周末和元旦、"
                                              "劳动节、国庆节的法定日期计算……”；不暂定时为空字符串")


class CalendarYearsOut(ApiOut):
    calendar_version: int = Field(description="节假日数据的版本（每次导入加一）")
    stale_clocks: int = Field(description="按旧日历计算、尚待重新计算的未结期限数")
    scopes: list[str] = Field(description="本机关适用的日历范围")
    years: list[YearOut] = Field(description="有安排的年度、今年和明年，新的在前")
    notices: list[NoticeOut] = Field(description="生效中的节假日安排，新的年度在前")


class DayChangeOut(ApiOut):  # workflow.calendar.preview.DayChange
    date: str = Field(description="日期 YYYY-MM-DD")
    change: Literal["added", "removed", "changed"]
    change_label: str = Field(description="新增、删除或修改")
    old: str = Field(description="原来，如“放假（春节）”；原来没有时为空字符串")
    new: str = Field(description="导入后；删除时为空字符串")


class MovedClockOut(ApiOut):  # workflow.calendar.preview.MovedClock
    """导入后到期日将变动的一个未结期限"""

    agency: str = Field(description="机关名称")
    case_kind: str
    case_id: int
    case_no: str = Field(description="案件编号")
    clock_label: str = Field(description="期限名称")
    old_due: str | None = Field(description="原到期日 YYYY-MM-DD")
    new_due: str | None = Field(description="新到期日 YYYY-MM-DD")
    old_text: str = Field(description="原到期（按工作小时计算的期限含当地时间）")
    new_text: str
    provisional_before: bool = Field(description="原到期日是否暂定")
    provisional_after: bool = Field(description="新到期日是否暂定")
    url: str = Field(description="案件页面")


class NoticePreviewOut(ApiOut):
    """导入前的预览：日期变化和到期日将变动的未结期限（未写入）"""

    year: int
    document: str
    scope: str
    scope_label: str
    filename: str = Field(description="文件名（导入时记入节假日安排的来源）")
    replaces: str | None = Field(description="将被替换的现有通知（该年度该范围尚无通知时为 null）")
    holidays: int = Field(description="放假天数")
    workdays: int = Field(description="调休上班天数")
    changes: list[DayChangeOut] = Field(description="与现有通知相比的日期变化")
    moved: list[MovedClockOut] = Field(description="导入后到期日将变动的未结期限（导入后变动的正是这些）")
    checked_clocks: int = Field(description="已按新日历在内存中重新计算的未结期限数")
    problems: list[str] = Field(description="无法合成新日历的机关（中文）")


class NoticeImportedOut(ApiOut):
    notice_id: int
    year: int
    document: str
    scope: str
    scope_label: str
    calendar_version: int = Field(description="导入后的节假日数据版本")
    replaced_notice_id: int | None = Field(description="被替换的通知（没有时为 null）")
    holidays: int = Field(description="放假天数")
    workdays: int = Field(description="调休上班天数")
    moving: int = Field(description="到期日将变动的未结期限数（与预览一致）")
    stale_clocks: int = Field(description="后台正按新日历重新核对的未结期限数；变动的期限在案件的办理记录中写明原到期日和新到期日")
    message: str = Field(description="导入结果（中文，与页面所示相同）")


NoticeFile = Annotated[UploadFile | None, File(
    description=f"节假日安排文件（YAML 或 JSON，UTF-8，不超过 {MAX_NOTICE_BYTES // 1024}KB，一个）；"
                "按 /api/calendar/template.yaml 填写")]
NoticeText = Annotated[str, Form(description="或直接提交文件内容（没有上传文件时使用）")]
NoticeName = Annotated[str | None, Form(max_length=200, description="文件内容的文件名（没有上传文件时，默认 notice.yaml）")]


def _agency(engine: Engine, user: CurrentUser) -> AgencyInfo:
    return agency_info(engine, user.agency_id)[0]


def _refused(exc: NoticeRefused) -> ApiError:
    """422: every problem at the field it came in, with its line in the notice where there is one."""
    fields = [{"field": p.field, "code": p.code, "message": p.message, **({"line": p.line} if p.line else {})}
              for p in exc.problems]
    return ApiError(422, "invalid_input", "节假日安排有误（未导入）：" + "；".join(exc.messages), fields=fields)


async def _checked(engine: Engine, user: CurrentUser, file: UploadFile | None, text: str,
                   filename: str | None) -> tuple[Notice, NoticeData, AgencyInfo]:
    agency = await run_in_threadpool(_agency, engine, user)
    try:
        notice = await notice_sent(file, text, filename)
        data = await run_in_threadpool(authorized_notice, engine, notice, agency, user.principal().actor)
        return notice, data, agency
    except NoticeRefused as exc:  # (Forbidden — another agency's arrangements — is answered 403 by web.errors)
        raise _refused(exc) from exc


def _preview_out(pv: NoticePreview, filename: str, own: str) -> NoticePreviewOut:
    d = pv.data
    return NoticePreviewOut(
        year=d.year, document=d.document, scope=d.scope, scope_label=calendar_scope_label(d.scope, own),
        filename=filename, replaces=pv.current_document, holidays=len(d.holidays), workdays=len(d.workdays),
        changes=[DayChangeOut(date=c.day.isoformat(), change=c.change,
                              change_label=DAY_CHANGES[c.change], old=c.old, new=c.new) for c in pv.changes],
        moved=[MovedClockOut(agency=m.agency, case_kind=m.case_kind, case_id=m.case_id, case_no=m.case_no,
                             clock_label=m.clock_label, old_due=m.old_due.isoformat() if m.old_due else None,
                             new_due=m.new_due.isoformat() if m.new_due else None, old_text=m.old_text,
                             new_text=m.new_text, provisional_before=m.provisional_before,
                             provisional_after=m.provisional_after, url=m.url) for m in pv.moved],
        checked_clocks=pv.checked_clocks, problems=pv.problems)


@router.get("/years", summary="哪些年度已有节假日安排、哪些年度暂定（与“节假日安排”页面所示相同）",
            response_model=CalendarYearsOut, response_description="各年度的节假日安排和生效中的通知")
def years(engine: EngineDep, now: NowDep, user: Admin) -> CalendarYearsOut:
    agency = _agency(engine, user)
    scopes = calendar_scopes(agency)
    cy = calendar_years(engine, scopes, now.year)
    return CalendarYearsOut(
        calendar_version=cy.version, stale_clocks=cy.stale, scopes=list(scopes),
        years=[YearOut(year=y.year, national=y.national, local_scopes=list(y.local_scopes),
                       provisional=bool(y.provisional), provisional_note=y.provisional) for y in cy.years],
        notices=[NoticeOut(year=n.year, scope=n.scope, scope_label=calendar_scope_label(n.scope, agency.code),
                           applies=n.scope in scopes, title=notice_title(n.year, n.document, n.source),
                           document=n.document, source=notice_source_label(n.source), imported_by=n.imported_by,
                           imported_at=n.imported_at.isoformat()) for n in cy.notices])


@router.get("/template.yaml", summary="节假日安排导入模板（含中文填写说明）", response_class=Response,
            responses=file_answer("导入模板（YAML，UTF-8）", TEMPLATE_MEDIA))
def template(user: Admin) -> Response:
    return Response(TEMPLATE.encode("utf-8"), media_type=TEMPLATE_MEDIA,
                    headers={"Content-Disposition": TEMPLATE_DISPOSITION})


@router.post("/preview", summary="预览节假日安排：日期变化和到期日将变动的未结期限（不写入）",
             description="上传文件（file）或提交文件内容（text），multipart/form-data。文件有误时 422：每个问题一条，"
                         "在其字段（file 或 text）并注明行号（line）；范围须为本机关适用的日历范围。",
             dependencies=[one_file_each("file")], response_model=NoticePreviewOut,
             response_description="预览（未写入）")
async def preview(engine: EngineDep, user: Admin, file: NoticeFile = None, text: NoticeText = "",
                  filename: NoticeName = None) -> NoticePreviewOut:
    notice, data, agency = await _checked(engine, user, file, text, filename)
    pv = await run_in_threadpool(preview_import, engine, data)
    return _preview_out(pv, notice.filename, agency.code)


@router.post("/import", summary="导入节假日安排（替换该年度该范围的现有通知；未结期限随后按新日历重新计算）",
             description="与预览相同的文件和检查；有误时 422，不导入。导入后日历版本加一，后台按新日历重新计算"
                         "全部未结期限，变动的期限在案件的办理记录中写明原到期日和新到期日。",
             dependencies=[one_file_each("file")], response_model=NoticeImportedOut,
             response_description="已导入")
async def import_(request: Request, engine: EngineDep, now: NowDep, user: Admin, file: NoticeFile = None,
                  text: NoticeText = "", filename: NoticeName = None) -> NoticeImportedOut:
    notice, data, agency = await _checked(engine, user, file, text, filename)
    done = await run_write(request, import_previewed, engine, data, notice.filename, actor_label=user.display_name,
                           now=now)
    res = done.result
    return NoticeImportedOut(notice_id=res.notice_id, year=data.year, document=data.document, scope=data.scope,
                             scope_label=calendar_scope_label(data.scope, agency.code), calendar_version=res.version,
                             replaced_notice_id=res.replaced_notice_id, holidays=res.holidays, workdays=res.workdays,
                             moving=done.moving, stale_clocks=res.stale_clocks, message=imported_message(data, done))
