"""Admin: holiday notices — upload the YAML, preview what changes and which deadlines move, then import (the notice
read, checked and imported as web.holiday_notice does it for the API too)."""

from __future__ import annotations

import calendar as stdcal
from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from states.roles import Role
from web.auth import CurrentUser
from web.holiday_notice import (
    TEMPLATE,
    TEMPLATE_DISPOSITION,
    TEMPLATE_MEDIA,
    Notice,
    NoticeRefused,
    authorized_notice,
    import_previewed,
    imported_message,
    notice_pasted,
    notice_sent,
)
from web.pages.common import agency_of, now
from web.pages.render import redirect, render
from web.pages.session import StaffForm, app_engine, form_str, require
from web.uploads import single_file
from workflow.agencies.config import calendar_scopes
from workflow.calendar.overview import calendar_overview
from workflow.calendar.preview import preview_import
from workflow.errors import DomainValidation, Forbidden

router = APIRouter(prefix="/calendar", include_in_schema=False)
IsAdmin = require(Role.ADMIN)


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
    return Response(TEMPLATE.encode("utf-8"), media_type=TEMPLATE_MEDIA,
                    headers={"Content-Disposition": TEMPLATE_DISPOSITION})


@router.post("/preview")
async def preview(request: Request, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    """Async only to read the upload; the checks and the preview (every open deadline of the agencies the notice
    concerns, recomputed in memory) run in the thread pool, never on the event loop every request shares."""
    try:
        notice = await notice_sent(single_file(form, "file"), form_str(form, "text"), form_str(form, "filename"))
    except NoticeRefused as exc:
        return await run_in_threadpool(_page, request, exc.text, exc.messages, status=422, user=user)
    except DomainValidation as exc:  # a second file
        return await run_in_threadpool(_page, request, "", [f["message"] for f in exc.fields], status=422,
                                       user=user)
    return await run_in_threadpool(_preview_page, request, user, notice)


def _preview_page(request: Request, user: CurrentUser, notice: Notice) -> Response:
    agency, _ = agency_of(request, user)
    try:
        data = authorized_notice(app_engine(request), notice, agency, user.principal().actor)
    except NoticeRefused as exc:
        return _page(request, exc.text, exc.messages, status=422, user=user)
    except Forbidden as exc:  # another agency's arrangements too: said where the notice was handed in
        return _page(request, notice.text, [exc.message], status=422, user=user)
    return render(request, "admin/calendar_preview.html", {"pv": preview_import(app_engine(request), data),
                                                           "text": notice.text, "filename": notice.filename,
                                                           "own_scope": agency.code})


@router.post("/import")
def do_import(request: Request, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    agency, _ = agency_of(request, user)
    try:
        notice = notice_pasted(form_str(form, "text"), form_str(form, "filename"))
        data = authorized_notice(app_engine(request), notice, agency, user.principal().actor)
    except NoticeRefused as exc:
        return _page(request, exc.text, exc.messages, status=422, user=user)
    except Forbidden as exc:
        return _page(request, notice.text, [exc.message], status=422, user=user)
    done = import_previewed(app_engine(request), data, notice.filename, actor_label=user.display_name,
                            now=now(request))
    return redirect(request, "/admin/calendar", ("ok", imported_message(data, done)))
