"""Small helpers shared by the page modules: the user's agency and its settings, officers, local time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import FileResponse

from notifications.files import file_path
from web.auth import CurrentUser
from web.pages.session import PageError, app_clock, app_engine, app_settings, principal
from workflow.accounts.officers import Officer, officers_of
from workflow.agencies.config import AgencyConfig
from workflow.agencies.info import AgencyInfo, agency_info
from workflow.cases.files import readable_file
from workflow.errors import NotFound
from workflow.kinds import kind_named
from workflow.timesource import local_date


def agency_of(request: Request, user: CurrentUser) -> tuple[AgencyInfo, AgencyConfig]:
    """The user's agency and its settings (the process-wide agency cache: no query on most requests)."""
    try:
        return agency_info(app_engine(request), user.agency_id)
    except NotFound as exc:
        raise PageError(404, "机关不存在") from exc


def officer_options(officers: Iterable[Officer]) -> list[tuple[str, str]]:
    """Officers as select options ``(id, "name（unit）")``."""
    return [(str(o.id), o.label) for o in officers]


def officers(request: Request, agency_id: int) -> list[tuple[str, str]]:
    """Active officers of the agency as select options (their own read, for a form that needs nothing else)."""
    return officer_options(officers_of(app_engine(request), agency_id))


def now(request: Request) -> datetime:
    return app_clock(request).now()


def today(request: Request, tz: str) -> date:
    return local_date(now(request), tz)


def local_input(dt: datetime, tz: str) -> str:
    """A value for a datetime-local input."""
    return dt.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


PREVIEWABLE = ("application/pdf", "image/png", "image/jpeg")


def case_file_response(request: Request, user: CurrentUser, case_kind: str, case_id: int, file_id: int, *,
                       inline: bool) -> FileResponse:
    """A stored file of a case for staff who see the case in full (the one policy: workflow.cases.files.case_file):
    404 in Chinese when it is not this case's or not on disk; inline preview only for PDFs and images."""
    f = readable_file(app_engine(request), kind_named(case_kind), case_id, file_id, principal(user))
    try:
        path = file_path(f.sha256, app_settings(request).files_path)
    except ValueError as exc:
        raise PageError(404, "文件不存在") from exc
    if not path.exists():
        raise PageError(404, "文件尚未生成或已移除")
    return FileResponse(path, media_type=f.content_type, filename=f.filename,
                        content_disposition_type="inline" if inline and f.content_type in PREVIEWABLE else "attachment",
                        headers={"X-Content-Type-Options": "nosniff"})  # uploads are typed by content: never sniffed
