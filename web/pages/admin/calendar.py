"""Admin: holiday notices — upload the YAML, preview what changes and which deadlines move, then import."""

from __future__ import annotations

import calendar as stdcal
from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from states.calendar_notice import NoticeData, NoticeError, parse_notice
from states.roles import Role
from web.auth import CurrentUser
from web.pages.common import agency_of, now
from web.pages.render import redirect, render
from web.pages.session import StaffForm, app_engine, form_str, require
from web.uploads import sent_filename, single_file
from workflow.agencies.config import calendar_scopes
from workflow.calendar.overview import calendar_overview
from workflow.calendar.preview import preview_import
from workflow.calendar.service import import_notice
from workflow.cases.attachments import check_filename
from workflow.errors import DomainValidation

router = APIRouter(prefix="/calendar", include_in_schema=False)
IsAdmin = require(Role.ADMIN)
MAX_NOTICE_BYTES = 256 * 1024

# The import template an administrator downloads and fills in (the keys are the file format; the comments say
# in Chinese what goes where).
TEMPLATE = """# 节假日安排导入模板：按国务院办公厅（或本地政府）的年度节假日安排通知填写，保存为 UTF-8 编码的 .yaml 文件后上传。
# 冒号左边的英文键名是文件格式的一部分，请保留原样；只修改冒号右边的内容。
year: 2027                         # 年度
document: 国办发明电〔2026〕N号      # 通知文号或名称
scope: national                    # 范围：全国填 national；本地节假日填机关设置中的地方节假日范围代码
holidays:                          # 放假：名称、起止日期（含首尾两日）
  - {name: 元旦, start: 2027-01-01, end: 2027-01-03}
workdays: [2027-01-04]             # 调休上班的周末日期（没有则写 []）
"""


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    weeks: list[list[tuple[date | None, str, str]]]  # (day or None outside the month, kind, name)


def month_grids(year: int, special: dict[date, tuple[str, str]]) -> list[Month]:
    """The twelve months of ``year`` as weeks (Monday first), each day with its kind: holiday (放假), workday
    (调休上班), weekend, or an ordinary working day — the month view of the holiday arrangements."""
    grid = stdcal.Calendar(firstweekday=0)
    out = []
    for m in range(1, 13):
        weeks = []
        for week in grid.monthdatescalendar(year, m):
            row: list[tuple[date | None, str, str]] = []
            for d in week:
                if d.month != m:
                    row.append((None, "", ""))
                elif d in special:
                    row.append((d, *special[d]))
                else:
                    row.append((d, "weekend" if d.weekday() >= 5 else "", ""))
            weeks.append(row)
        out.append(Month(year, m, weeks))
    return out


def _page(request: Request, text: str = "", problems: list[str] | None = None, status: int = 200,
          user: CurrentUser | None = None) -> Response:
    year = _year(request)
    scopes: tuple[str, ...] = ("national",)
    own = None
    if user is not None:
        agency, _ = agency_of(request, user)
        scopes, own = tuple(calendar_scopes(agency)), agency.code
    ov = calendar_overview(app_engine(request), year, scopes)
    years = sorted({n.year for n in ov.notices} | {year})
    return render(request, "admin/calendar.html", {"notices": ov.notices, "stale": ov.stale, "version": ov.version,
                                                   "text": text, "problems": problems or [], "year": year,
                                                   "years": years, "months": month_grids(year, ov.special), "own_scope": own,
                                                   "provisional": ov.provisional},
                  status=status)


def _year(request: Request) -> int:
    raw = request.query_params.get("year", "")
    this = now(request).year
    return int(raw) if raw.isdigit() and 2004 <= int(raw) <= this + 5 else this


@router.get("")
def calendar(request: Request, user: CurrentUser = IsAdmin) -> Response:
    return _page(request, user=user)


@router.get("/template.yaml")
def template(user: CurrentUser = IsAdmin) -> Response:
    """The import template with Chinese comments (issue 20: no template to download)."""
    return Response(TEMPLATE.encode("utf-8"), media_type="text/yaml; charset=utf-8", headers={
        "Content-Disposition": "attachment; filename*=UTF-8''%E8%8A%82%E5%81%87%E6%97%A5%E5%AE%89%E6%8E%92%E6%A8%A1%E6%9D%BF.yaml"})


async def _text(form: FormData) -> tuple[str, str]:
    """The notice from the uploaded file, else from the text box; (text, filename)."""
    upload = single_file(form, "file")
    if upload is not None and upload.filename:
        name = sent_filename(upload)
        check_filename(name)
        raw = await upload.read(MAX_NOTICE_BYTES + 1)
        if len(raw) > MAX_NOTICE_BYTES:
            raise NoticeError([], name)
        return raw.decode("utf-8-sig", errors="replace"), name
    return form_str(form, "text"), _filename(form)


def _filename(form: FormData) -> str:
    """The notice's file name the preview carried over (it names the import in the calendar's history)."""
    name = form_str(form, "filename") or "notice.yaml"
    check_filename(name, "filename")
    return name


def _check_scope(request: Request, user: CurrentUser, data: NoticeData) -> list[str]:
    agency, _ = agency_of(request, user)
    if data.scope not in calendar_scopes(agency):
        return [f"本机关使用的日历范围为 {'、'.join(calendar_scopes(agency))}，不能导入范围为 {data.scope} 的安排"]
    return []


@router.post("/preview")
async def preview(request: Request, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    try:
        text, filename = await _text(form)
    except NoticeError:
        return _page(request, "", ["文件过大（不超过256KB）"], status=422, user=user)
    except DomainValidation as exc:
        return _page(request, "", [f["message"] for f in exc.fields], status=422, user=user)
    if not text.strip():
        return _page(request, "", ["请上传文件或粘贴节假日安排"], status=422, user=user)
    try:
        data = parse_notice(text, filename)
    except NoticeError as exc:
        lines = [f"第 {p.line} 行：{p.message_zh}" if p.line else p.message_zh for p in exc.problems]
        return _page(request, text, lines or ["文件无法读取"], status=422, user=user)
    problems = _check_scope(request, user, data)
    if problems:
        return _page(request, text, problems, status=422, user=user)
    return render(request, "admin/calendar_preview.html", {"pv": preview_import(app_engine(request), data),
                                                           "text": text, "filename": filename,
                                                           "own_scope": agency_of(request, user)[0].code})


@router.post("/import")
def do_import(request: Request, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    text = form_str(form, "text")
    try:
        filename = _filename(form)
        data = parse_notice(text, filename)
    except NoticeError as exc:
        return _page(request, text, [exc.message_zh], status=422, user=user)
    except DomainValidation as exc:
        return _page(request, text, [f["message"] for f in exc.fields], status=422, user=user)
    problems = _check_scope(request, user, data)
    if problems:
        return _page(request, text, problems, status=422, user=user)
    moving = len(preview_import(app_engine(request), data).moved)  # the same count the preview showed (issue 20: 9 vs 12)
    res = import_notice(app_engine(request), data, actor_label=user.display_name, now=now(request),
                        source=f"import:{filename}"[:100])
    return redirect(request, "/admin/calendar", (
        "ok", f"已导入 {data.year} 年 {data.document}（放假 {res.holidays} 天、调休上班 {res.workdays} 天）；"
              f"{moving} 个未结期限的到期日将变动（与预览一致），后台正按新日历重新核对全部 {res.stale_clocks} 个未结期限，"
              "变动的期限在案件的办理记录中写明原到期日和新到期日"))
