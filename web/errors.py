"""Structured API errors: stable machine codes, Chinese messages, per-field details. Never a bare 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive, Scope, Send

from web.asgi import HttpMiddleware
from workflow.errors import TooManyAttempts
from workflow.input_errors import field_errors

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


def too_many(exc: TooManyAttempts) -> ApiError:
    """429 for a public limit (workflow.errors.TooManyAttempts): ``Retry-After`` and ``error.retry_after`` in seconds."""
    return ApiError(429, exc.code, exc.message, extra={"retry_after": exc.retry_after},
                    headers={"Retry-After": str(exc.retry_after)})


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
        return ApiError(403, exc.code, exc.message).response()

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

    @app.exception_handler(TooManyAttempts)
    async def _too_many(_r: Request, exc: TooManyAttempts) -> JSONResponse:
        return too_many(exc).response()

    @app.exception_handler(UserError)
    async def _user(_r: Request, exc: UserError) -> JSONResponse:
        fields = [{"field": exc.field, "code": exc.code, "message": exc.message}] if exc.field else []
        return ApiError(422, exc.code, exc.message, fields=fields).response()
