"""The input edge: what is refused before any route runs, and the one check of every route's parameters.

- ``EdgeGuard`` (ASGI middleware): a control character in the path or the query string, or a NUL anywhere in a
  form or JSON body (raw, ``%00`` or ``\\u0000``) is a 422 before the body reaches a route — PostgreSQL cannot
  store a NUL, and no field of ours takes one. A body past ``max_request_bytes`` (bulk imports: their own
  limit) is a 413: by its Content-Length before a byte is read (so no upload is spooled to disk first), or as
  soon as a body without one passes the limit.
- ``check_params`` (a dependency of every route, API and pages): each integer path or query parameter must fit
  the databases (``states.inputs.MAX_INT``: a path id beyond it is a 404, a query value a 422), each date or
  instant must lie in the sane range (422). Routes declare plain ``int`` and ``date``; the check reads the
  declared types, so no route needs its own.
- A safety net: a value the database still refuses (``DataError``) or an arithmetic overflow becomes a 422,
  logged as an error so the missing check is found.

Bodies are checked field by field by the input models (``workflow.inputs.Clean``).
"""

from __future__ import annotations

import json
import logging
import re
import types
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send

from states.inputs import DATE_MESSAGE, INT_MESSAGE, date_in_range, has_control, int_in_range
from web.asgi import HttpMiddleware
from web.errors import ApiError
from web.import_jobs import MAX_UPLOAD_BYTES as IMPORT_MAX_BYTES
from web.pages.render import render
from web.pages.session import PageError

log = logging.getLogger(__name__)

CONTROL_IN_URL = "网址或查询参数中含有换行等控制字符"
NUL_IN_BODY = "提交的内容中含有不允许的空字符（NUL），请删除后重新提交"
UNSTORABLE = "输入中含有无法保存的值（超出范围的数字、日期或不允许的字符）"
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM_NUL = re.compile(rb"%00")
_CHECKED_BODIES = (b"application/json", b"application/x-www-form-urlencoded")
BULK_IMPORTS = re.compile(r"/(api/)?workorders/import|/admin/golive")  # 12345 exports, go-live files


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/openapi.json"


def _url_problem(scope: Scope) -> tuple[str] | None:
    """None, or where a control character is: ``("",)`` the path, ``(name,)`` a query parameter."""
    if has_control(scope.get("path", "")):
        return ("",)
    query: str = scope.get("query_string", b"").decode("latin-1")
    for key, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace"):
        if has_control(key) or has_control(value):
            return (str(key),)
    return None


def body_has_nul(body: bytes, content_type: bytes) -> bool:
    """A NUL in a form or JSON body, written raw or escaped."""
    if b"\x00" in body:
        return True
    pattern = _JSON_NUL if content_type.startswith(b"application/json") else _FORM_NUL
    return pattern.search(body) is not None


def _html(message: str) -> bytes:
    return ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>输入有误</title>"
            f"<body><h1>输入有误</h1><p>{message}</p><p><a href=\"/\">返回</a></p></body></html>").encode()


async def _refuse(scope: Scope, send: Send, status: int, code: str, message: str, field: str = "") -> None:
    headers = dict(scope.get("headers") or [])
    if is_api(scope.get("path", "")) or b"text/html" not in headers.get(b"accept", b""):
        fields = [{"field": field, "code": code, "message": message}] if field else []
        body = json.dumps(ApiError(status, code, message, fields=fields).body(), ensure_ascii=False).encode()
        ctype = b"application/json"
    else:
        body, ctype = _html(message), b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class RequestTooLarge(HTTPException):
    """A body past the limit, found while it streams in (FastAPI re-raises HTTPExceptions from body parsing)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


def too_large_message(limit: int) -> str:
    return f"提交的内容过大（超过 {limit // (1024 * 1024)} MB），请减小文件后重试"


def body_limit(scope: Scope) -> int:
    """The largest body this request may send (``max_request_bytes``; bulk imports up to their own limit)."""
    app = scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    limit = int(getattr(settings, "max_request_bytes", 12 * 1024 * 1024))
    if BULK_IMPORTS.fullmatch(scope.get("path", "")):
        limit = max(limit, IMPORT_MAX_BYTES + 10 * 1024 * 1024)  # the file, its mapping and the form
    return limit


class EdgeGuard(HttpMiddleware):
    """Refuses control characters in the URL, bodies past the size limit (by Content-Length before a byte is
    read, else as they stream in) and NUL bytes in form/JSON bodies, before any route runs."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        where = _url_problem(scope)
        if where is not None:
            await _refuse(scope, send, 422, "control_characters", CONTROL_IN_URL, where[0])
            return
        headers = dict(scope.get("headers") or [])
        limit = body_limit(scope)
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:  # refused before anything is read, let alone written
            await _refuse(scope, send, 413, "too_large", too_large_message(limit))
            return
        ctype = headers.get(b"content-type", b"").lower()
        if scope["method"] not in ("POST", "PUT", "PATCH") or not ctype.startswith(_CHECKED_BODIES):
            await self.app(scope, _counted(receive, limit), send)
            return
        chunks, more, size = [], True, 0
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await _refuse(scope, send, 413, "too_large", too_large_message(limit))
                return
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body_has_nul(body, ctype):
            await _refuse(scope, send, 422, "nul_character", NUL_IN_BODY)
            return
        await self.app(scope, _replay(body, receive), send)


def _counted(receive: Receive, limit: int) -> Receive:
    """``receive`` that stops a body without a (true) Content-Length once it passes ``limit``."""
    size = [0]

    async def counted() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            size[0] += len(message.get("body", b""))
            if size[0] > limit:
                raise RequestTooLarge(limit)
        return message

    return counted


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = [False]

    async def replay() -> Message:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # a disconnect, when the route waits for one

    return replay


# ------------------------------------------------------------------ parameters


def _scalar(tp: Any) -> Any:
    """int, date or datetime when a parameter's declared type is one of them (optional, list or annotated)."""
    if get_origin(tp) is Annotated:
        return _scalar(get_args(tp)[0])
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return _scalar(args[0]) if len(args) == 1 else None
    if get_origin(tp) in (list, tuple, set):
        inner = get_args(tp)
        return _scalar(inner[0]) if inner else None
    return tp if tp in (int, date, datetime) else None


def _plan(route: APIRoute) -> tuple[tuple[str, str, Any], ...]:
    """(``path`` | ``query``, name, int/date/datetime) for each checked parameter of ``route`` (kept on it)."""
    known: tuple[tuple[str, str, Any], ...] | None = getattr(route, "_edge_plan", None)
    if known is not None:
        return known
    out = []
    for where, attr in (("path", "path_params"), ("query", "query_params")):
        for f in _flat(route, attr):
            tp = _scalar(f.field_info.annotation)
            if tp is not None:
                out.append((where, f.alias, tp))
    route._edge_plan = tuple(out)  # type: ignore[attr-defined]
    return route._edge_plan  # type: ignore[attr-defined,no-any-return]


def _flat(route: APIRoute, attr: str) -> list[Any]:
    """The route's parameters of one kind, its dependencies' included."""
    out: list[Any] = []
    stack = [route.dependant]
    while stack:
        d = stack.pop()
        out.extend(getattr(d, attr))
        stack.extend(d.dependencies)
    return out


@cache
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def _int_ok(raw: str) -> bool:
    text = raw.strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        return True  # not an integer: the route's own validation says so
    return len(text.lstrip("+-").lstrip("0")) <= 10 and int_in_range(int(text))


def _date_ok(raw: str, tp: Any) -> bool:
    try:
        value = _adapter(tp).validate_python(raw)
    except ValidationError:
        return True  # the route's own validation says what is wrong
    return date_in_range(value)


def _fail(request: Request, problems: list[dict[str, str]]) -> Exception:
    """404 when an id in the path cannot exist, else 422 naming every parameter out of range."""
    api = is_api(request.url.path)
    if any(p["where"] == "path" and p["code"] == "out_of_range" for p in problems):
        return ApiError(404, "not_found", "记录不存在") if api else PageError(404, "要查看的记录不存在，请检查网址。")
    fields = [{"field": p["field"], "code": p["code"], "message": p["message"]} for p in problems]
    if api:
        return ApiError(422, "invalid_input", "输入有误，请检查标出的字段", fields=fields)
    return PageError(422, "；".join(dict.fromkeys(p["message"] for p in problems)), "输入有误")


async def check_params(request: Request) -> None:
    """Every integer path/query parameter fits the databases, every date lies in the sane range."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    problems = []
    for where, name, tp in _plan(route):
        if where == "path":
            raw = request.path_params.get(name)
            values = [raw] if isinstance(raw, str) else []
        else:
            values = request.query_params.getlist(name)
        for raw in values:
            if tp is int and not _int_ok(raw):
                problems.append({"where": where, "field": name, "code": "out_of_range", "message": INT_MESSAGE})
            elif tp is not int and not _date_ok(raw, tp):
                problems.append({"where": where, "field": name, "code": "date_out_of_range", "message": DATE_MESSAGE})
    if problems:
        raise _fail(request, problems)


# ------------------------------------------------------------------ safety net


def install(app: FastAPI) -> None:
    """The middleware and the safety net; ``check_params`` is given to ``FastAPI(dependencies=…)``."""
    app.add_middleware(EdgeGuard)

    def handler(kind: str) -> Callable[[Request, Exception], Any]:
        async def _unstorable(request: Request, exc: Exception) -> Response:
            # an edge check is missing somewhere: the client is told plainly, the operator gets the trace
            log.error("input refused by the %s (an edge check is missing): %s", kind, exc, exc_info=exc)
            if is_api(request.url.path):
                return JSONResponse(ApiError(422, "invalid_input", UNSTORABLE).body(), status_code=422)
            return render(request, "error.html", {"title": "输入有误", "message": UNSTORABLE, "back": ""},
                          status=422)

        return _unstorable

    app.add_exception_handler(DataError, handler("database"))
    app.add_exception_handler(OverflowError, handler("arithmetic"))
