"""What the case pages of both kinds (disclosure application, 12345 work order) do alike when a form is sent:
fire an action through the workflow, attach a file — and on a problem show the case page again with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from web.pages.forms import errors_by_field
from web.pages.render import redirect
from web.pages.session import PageError, app_settings
from workflow.errors import DomainValidation, InvalidTransition, NotFound, StaleVersion

STALE_HINT = "（页面已显示最新内容，请核对后重新提交）"


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
        return page(open_action=action, values=values, status=422, errors=errors_of(exc))
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
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return page(upload_errors={"file": ["请选择要上传的文件"]}, status=422)
    data = file.file.read(app_settings(request).max_upload_bytes + 1)  # one byte over: "too large", not cut off
    try:
        attach(data, file.filename, str(form.get("category") or ""))
    except DomainValidation as exc:
        return page(upload_errors=errors_by_field(exc), status=422)
    except InvalidTransition as exc:
        raise PageError(403, exc.message) from exc
    return redirect(request, back, ("ok", f"已上传：{file.filename}"))


__all__ = ["CasePage", "fire_from_page", "upload_from_page"]
