"""What the case pages of both kinds (disclosure application, 12345 work order) do alike when a form is sent:
fire an action through the workflow, attach a file — and on a problem show the case page again with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from web.pages.forms import errors_by_field
from web.pages.render import redirect
from web.pages.session import PageError, app_settings
from web.uploads import sent_filename, single_file
from workflow.errors import DomainValidation, InvalidTransition, NotFound, StaleVersion

STALE_HINT = "（页面已显示最新内容，请核对后重新提交）"
BACKFILL_FIELDS = ("effective_at", "backfill_reason")  # the 补录 inputs every action form has


def when_from_form(form: FormData, tz: str) -> dict[str, Any]:
    """The 补录 part of an action form: the actual time (a local date-time of the agency), the reason, and
    whether the step's notices are still emailed. Empty: the step happens now."""
    raw = str(form.get("effective_at") or "").strip()
    if not raw:
        return {}
    try:
        at = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise DomainValidation.one("effective_at", "invalid_datetime", "请填写有效的实际办理时间") from exc
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(tz))
    return {"effective_at": at, "backfill_reason": str(form.get("backfill_reason") or "").strip() or None,
            "email_notices": form.get("email_notices") == "1"}


class CasePage(Protocol):
    """The case page again (``detail_page`` bound to the request, user and case)."""

    def __call__(self, *, status: int = ..., open_action: str = ..., values: dict[str, Any] | None = ...,
                 errors: dict[str, list[str]] | None = ...,
                 upload_errors: dict[str, list[str]] | None = ...) -> Response: ...


def fire_from_page(fire: Callable[[], Any], page: CasePage, action: str, values: dict[str, Any],
                   errors_of: Callable[[ValidationError | DomainValidation], dict[str, list[str]]]) -> Any:
    """The workflow's result of ``fire()``, or the case page again with the problem where the person sees it:
    bad input at its fields (422), a stale version or a state that no longer allows it (409), not allowed (403)."""
    try:
        return fire()
    except (ValidationError, DomainValidation) as exc:
        errors = errors_of(exc)
        if isinstance(exc, DomainValidation):  # the 补录 inputs are the same on every form
            for f in exc.fields:
                if f.get("field") in BACKFILL_FIELDS:
                    errors.setdefault(str(f["field"]), [str(f["message"])])
                    msgs = errors.get("__all__", [])
                    if str(f["message"]) in msgs:
                        msgs.remove(str(f["message"]))
                        if not msgs:
                            errors.pop("__all__")
        return page(open_action=action, values=values, status=422, errors=errors)
    except StaleVersion as exc:
        return page(open_action=action, values=values, status=409, errors={"__all__": [exc.message + STALE_HINT]})
    except InvalidTransition as exc:
        return page(open_action=action, values=values, status=403 if exc.code == "forbidden" else 409,
                    errors={"__all__": [exc.message]})
    except NotFound as exc:
        raise PageError(404, exc.message) from exc


def upload_from_page(request: Request, form: FormData, page: CasePage, back: str,
                     attach: Callable[[bytes, str, str], Any]) -> Response:
    """Attach the form's ``file`` with its ``category`` (``attach(data, filename, category)``, one workflow
    transaction); back to the case with a note, or the case page again with the problem at the upload form."""
    try:
        file = single_file(form, "file")
    except DomainValidation as exc:
        return page(upload_errors=errors_by_field(exc), status=422)
    if file is None or not file.filename:
        return page(upload_errors={"file": ["请选择要上传的文件"]}, status=422)
    name = sent_filename(file)
    data = file.file.read(app_settings(request).max_upload_bytes + 1)  # one byte over: "too large", not cut off
    try:
        attach(data, name, str(form.get("category") or ""))
    except DomainValidation as exc:
        return page(upload_errors=errors_by_field(exc), status=422)
    except InvalidTransition as exc:
        raise PageError(403, exc.message) from exc
    return redirect(request, back, ("ok", f"已上传：{name}"))


__all__ = ["CasePage", "fire_from_page", "upload_from_page", "when_from_form"]
