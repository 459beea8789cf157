"""Structured API errors: stable machine codes, Chinese messages, per-field details. Never a bare 500."""

from __future__ import annotations

import logging
import re
from typing import Any, get_args

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic_core.core_schema import ErrorType
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive, Scope, Send

from states.wording import INPUT_ERROR_FALLBACK, INPUT_ERRORS
from web.asgi import HttpMiddleware
from workflow.disclosure.payloads import MODEL_ERROR_FIELDS

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raised by routes; rendered as ``{"error": {...}}``."""

    def __init__(self, status: int, code: str, message: str, *, fields: list[dict[str, Any]] | None = None,
                 allowed_actions: list[str] | None = None, extra: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or []
        self.allowed_actions = allowed_actions
        self.extra = extra or {}
        self.headers = headers

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            err["fields"] = self.fields
        if self.allowed_actions is not None:
            err["allowed_actions"] = self.allowed_actions
        err.update(self.extra)
        return {"error": err}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def not_found(what: str = "记录") -> ApiError:
    return ApiError(404, "not_found", f"{what}不存在")




# pydantic's own error types (its English messages are never shown: INPUT_ERRORS, else INPUT_ERROR_FALLBACK); any
# other type is one of ours (PydanticCustomError), whose message is already Chinese.
PYDANTIC_ERROR_TYPES = frozenset(get_args(ErrorType))
# Where a location starts (FastAPI's request errors): not part of the field's name.
_LOC_ROOTS = ("body", "query", "path", "form", "header", "cookie")
# The member of a union pydantic adds to an error's location (``caller_phone.str``, ``assisting_units.list[str].0``,
# ``x.function-after[…]``, ``x.constrained-str``): not a name the client sent.
_UNION_TAG = re.compile(r"str|int|float|bool|date|datetime|[a-z]+(-[a-z]+)+|[a-z][a-z-]*\[.*\]", re.DOTALL)


def _message(typ: str, e: dict[str, Any], ctx: dict[str, Any]) -> str:
    tmpl = INPUT_ERRORS.get(typ)
    if tmpl is None:
        return INPUT_ERROR_FALLBACK if typ in PYDANTIC_ERROR_TYPES else str(e.get("msg", "")) or INPUT_ERROR_FALLBACK
    try:
        return tmpl.format(**ctx)
    except (KeyError, IndexError):
        return INPUT_ERROR_FALLBACK if typ in PYDANTIC_ERROR_TYPES else str(e.get("msg", "")) or INPUT_ERROR_FALLBACK


def field_errors(errors: list[dict[str, Any]] | Any) -> list[dict[str, Any]]:
    """Translate pydantic error dicts into ``{"field", "code", "message"}`` with Chinese text.

    The field is named as the client sent it: a model-level check's error goes to the field it concerns
    (``MODEL_ERROR_FIELDS``: ``id_number``, or ``applicant.id_number`` inside a conversion), union members are
    left out of the path, and of the errors one union gives a value (one per member) only the telling one is
    kept: the member the value was meant for (``int_from_float`` rather than ``string_type``), else the first."""
    out: list[dict[str, Any]] = []
    unions: dict[str, int] = {}  # the union's field → its error's place in ``out``
    for e in errors:
        raw = list(e.get("loc", ()))
        if raw and raw[0] in _LOC_ROOTS:
            raw = raw[1:]
        loc: list[str] = []
        union: str | None = None
        for p in raw:
            if isinstance(p, str) and loc and _UNION_TAG.fullmatch(p):
                union = union if union is not None else ".".join(loc)
                continue
            loc.append(str(p))
        typ = str(e.get("type", "invalid"))
        ctx = dict(e.get("ctx") or {})
        if typ == "value_error":  # a validator's ValueError: its text if ours (Chinese), not Python's or a library's
            msg = str(ctx.get("error", e.get("msg", ""))).removeprefix("Value error, ")
            ctx["msg"] = msg if any("\u4e00" <= ch <= "\u9fff" for ch in msg) else INPUT_ERROR_FALLBACK
        code = str(ctx.get("code", typ)) if typ == "value_error" else typ
        loc += [str(p) for p in ctx.pop("path", ())]  # where inside a list or mapping (workflow.inputs)
        concerned = MODEL_ERROR_FIELDS.get(code) if typ not in PYDANTIC_ERROR_TYPES else None
        if concerned and loc[-1:] != [concerned]:
            loc.append(concerned)
        item = {"field": ".".join(loc), "code": code, "message": _message(typ, e, ctx)}
        if union is None:
            out.append(item)
        elif union not in unions:
            unions[union] = len(out)
            out.append(item)
        elif out[unions[union]]["code"].endswith("_type") and not code.endswith("_type"):
            out[unions[union]] = item  # the first member only said "not my type"
    return out


def invalid_input(errors: list[dict[str, Any]] | Any) -> JSONResponse:
    """422 for input that failed its model (a request body, or a workflow payload), field by field."""
    return ApiError(422, "invalid_input", "输入有误，请检查标出的字段", fields=field_errors(errors)).response()


# The framework's HTTP errors in Chinese (its ``detail`` is English: "There was an error parsing the body" for JSON
# that is not UTF-8 or nests too deep, "Invalid multipart data." for a form it cannot read).
HTTP_ERRORS = {
    400: ("bad_request", "无法读取提交的内容，请检查格式（JSON 须为 UTF-8 编码、嵌套不能过深；表单和文件名须完整有效）"),
    401: ("unauthorized", "请先登录"), 403: ("forbidden", "没有权限"), 404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"), 413: ("too_large", "提交的内容过大"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_req: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_input(exc.errors())

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, msg = HTTP_ERRORS.get(exc.status_code, ("http_error", "请求无法处理"))
        if exc.status_code == 413 and isinstance(exc.detail, str) and not exc.detail.isascii():
            msg = exc.detail  # ours (web.edge.RequestTooLarge: the limit in MB)
        return ApiError(exc.status_code, code, msg, headers=getattr(exc, "headers", None)).response()

    @app.exception_handler(Exception)
    async def _unexpected(_req: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - safety net
        # only what the middleware outside UnexpectedError raises gets here (Starlette re-raises it afterwards)
        log.exception("unhandled error: %s", exc)
        return internal_error().response()

    app.add_middleware(UnexpectedError)  # the first added: the innermost, right around the routes


INTERNAL_ERROR = "服务器内部错误，已记录，请联系管理员"


def internal_error() -> ApiError:
    return ApiError(500, "internal_error", INTERNAL_ERROR)


class UnexpectedError(HttpMiddleware):
    """A route's unexpected exception answered with the 500 here, and not raised further.

    Starlette runs an ``Exception`` handler in its outermost ServerErrorMiddleware, which re-raises the exception
    after the answer is sent (so that the server logs it); uvicorn then closes the connection, and a client's next
    request on the same keep-alive connection failed too (findings h3 #11). Here the exception is logged once, with
    the request's id (web.requestlog runs outside), the 500 is an ordinary answer and the connection stays open.
    An exception after the answer started still goes up: nothing else can be sent then."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            log.exception("unhandled error: %s", exc)
            await internal_error().response()(scope, receive, send)


def install_domain(app: FastAPI) -> None:
    """Map workflow exceptions to HTTP answers so routes never need try/except."""
    from pydantic import ValidationError

    from workflow.accounts.users import UserError
    from workflow.errors import (
        Conflict,
        DomainValidation,
        Forbidden,
        InvalidTransition,
        NotFound,
        StaleVersion,
    )

    @app.exception_handler(NotFound)
    async def _nf(_r: Request, exc: NotFound) -> JSONResponse:
        return ApiError(404, "not_found", exc.message).response()

    @app.exception_handler(Forbidden)
    async def _forbidden(_r: Request, exc: Forbidden) -> JSONResponse:
        return ApiError(403, "forbidden", exc.message).response()

    @app.exception_handler(StaleVersion)
    async def _stale(_r: Request, exc: StaleVersion) -> JSONResponse:
        return ApiError(409, "stale_version", exc.message, allowed_actions=exc.allowed,
                        extra={"current_version": exc.current}).response()

    @app.exception_handler(InvalidTransition)
    async def _invalid(_r: Request, exc: InvalidTransition) -> JSONResponse:
        status = {"forbidden": 403, "unknown_action": 404}.get(exc.code, 409)
        return ApiError(status, exc.code, exc.message, allowed_actions=exc.allowed).response()

    @app.exception_handler(DomainValidation)
    async def _dv(_r: Request, exc: DomainValidation) -> JSONResponse:
        return ApiError(422, "invalid_input", exc.message, fields=exc.fields).response()

    @app.exception_handler(ValidationError)
    async def _pv(_r: Request, exc: ValidationError) -> JSONResponse:
        return invalid_input(exc.errors())

    @app.exception_handler(Conflict)
    async def _conflict(_r: Request, exc: Conflict) -> JSONResponse:
        return ApiError(409, exc.code, exc.message).response()

    @app.exception_handler(UserError)
    async def _user(_r: Request, exc: UserError) -> JSONResponse:
        fields = [{"field": exc.field, "code": exc.code, "message": exc.message}] if exc.field else []
        return ApiError(422, exc.code, exc.message, fields=fields).response()
