"""Page authentication: the signed session cookie, the current user, role checks and CSRF on every form.

Pages (never the JSON API) read the ``banli_session`` cookie: a random token, signed, looked up by
its hash in ``web_session``. The user is put on ``request.state.user`` so ``web.deps.current_user``
sees it too. Every POST must echo the session's CSRF token (anonymous forms: the token of a signed
``banli_csrf`` cookie).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Depends, Request
from itsdangerous import BadSignature, Signer
from starlette.datastructures import FormData

from settings import Settings
from states.roles import Role
from web.auth import CurrentUser
from workflow.accounts.current import page_login
from workflow.accounts.principal import Principal
from workflow.runtime import Engine
from workflow.timesource import TimeSource

SESSION_COOKIE = "banli_session"
ANON_COOKIE = "banli_csrf"
MAX_FORM_FIELDS = 400
ANON_MAX_FILES = 10  # the portal checks its own, lower limit and says so in Chinese


class LoginRequired(Exception):
    """No live session: the page redirects to the login form (``reason``: missing | expired | revoked)."""

    def __init__(self, reason: str = "missing") -> None:
        super().__init__(reason)
        self.reason = reason


class PasswordChangeRequired(Exception):
    """The user still has a password someone else chose: every page but the password form leads there."""


PASSWORD_PATHS = ("/account/password", "/logout")


class PageError(Exception):
    """An error page (403, 404, 409…) with a Chinese title and message."""

    def __init__(self, status: int, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.title = title or {403: "没有权限", 404: "页面不存在", 409: "操作冲突", 429: "请求过于频繁"}.get(status, "出错了")


def app_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def app_clock(request: Request) -> TimeSource:
    clock: TimeSource = request.app.state.clock
    return clock


def signer(request: Request, salt: str) -> Signer:
    return Signer(request.app.state.web_secret, salt=salt)


def session_token(request: Request) -> str | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        return signer(request, "banli-web-session").unsign(raw).decode()
    except BadSignature:
        return None


def set_session_cookie(request: Request, response: Any, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, signer(request, "banli-web-session").sign(token).decode(), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")


def page_user(request: Request) -> CurrentUser:
    """The logged-in staff member, or LoginRequired (→ redirect to the login page)."""
    token = session_token(request)
    if token is None:
        raise LoginRequired("missing")
    settings = app_settings(request)
    login = page_login(app_engine(request), token, now=app_clock(request).now(),
                       idle_seconds=settings.session_idle_seconds, max_age_seconds=settings.token_ttl_seconds)
    user = login.user
    if user is None:
        raise LoginRequired(login.problem or "missing")
    request.state.session_id = login.session_id
    request.state.seat_count = login.seat_count  # agencies the person may act in (the switcher)
    request.state.agency_name = login.agency_name
    # every staff page says which notice settings are missing, and how many documents wait for them
    request.state.setup_missing = login.setup_missing
    request.state.setup_held = login.setup_held
    request.state.user = user
    request.state.csrf_token = login.csrf_token
    request.state.session_token = token
    if user.must_change_password and request.url.path not in PASSWORD_PATHS:
        raise PasswordChangeRequired()
    return user


PageUser = Annotated[CurrentUser, Depends(page_user)]


def require(*roles: Role) -> Any:
    """Dependency: the logged-in user must hold one of ``roles`` (else a 403 page)."""

    def _dep(user: PageUser) -> CurrentUser:
        if not user.has(*roles):
            raise PageError(403, "您的角色无权访问此页面或执行此操作")
        return user

    return Depends(_dep)


def principal(user: CurrentUser) -> Principal:
    return user.principal()


async def _form(request: Request) -> FormData:
    return await request.form(max_fields=MAX_FORM_FIELDS, max_files=2)


def _check(token: Any, expected: str | None) -> None:
    if not isinstance(token, str) or not expected or not secrets.compare_digest(token, expected):
        raise PageError(403, "表单已失效或来源无法验证（CSRF 校验失败），请返回上一页刷新后重新提交。", "表单校验失败")


async def staff_form(request: Request, user: PageUser) -> FormData:
    """The posted form of a logged-in user, after checking the session's CSRF token."""
    form = await _form(request)
    _check(form.get("csrf_token"), getattr(request.state, "csrf_token", None))
    return form


StaffForm = Annotated[FormData, Depends(staff_form)]


def anon_csrf(request: Request) -> str:
    """The anonymous CSRF token (from the signed cookie, or a new one the response will set)."""
    raw = request.cookies.get(ANON_COOKIE)
    if raw:
        try:
            token = signer(request, "banli-anon-csrf").unsign(raw).decode()
            request.state.csrf_token = token
            return token
        except BadSignature:
            pass
    token = secrets.token_urlsafe(32)
    request.state.new_anon_csrf = signer(request, "banli-anon-csrf").sign(token).decode()
    request.state.csrf_token = token
    return token


def _check_anon(request: Request, form: FormData) -> None:
    raw = request.cookies.get(ANON_COOKIE)
    expected = None
    if raw:
        try:
            expected = signer(request, "banli-anon-csrf").unsign(raw).decode()
        except BadSignature:
            expected = None
    _check(form.get("csrf_token"), expected)
    request.state.csrf_token = expected


async def anon_form(request: Request) -> FormData:
    """A posted anonymous form (login, public look-up), checked against the signed CSRF cookie."""
    form = await _form(request)
    _check_anon(request, form)
    return form


async def anon_upload_form(request: Request) -> FormData:
    """An anonymous form with several files (the portal's application and correction forms)."""
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=ANON_MAX_FILES)
    _check_anon(request, form)
    return form


AnonUploadForm = Annotated[FormData, Depends(anon_upload_form)]
AnonForm = Annotated[FormData, Depends(anon_form)]


def form_str(form: FormData, name: str) -> str:
    v = form.get(name)
    return v.strip() if isinstance(v, str) else ""
