"""Login, logout, the user's own password and the home redirect (the landing page depends on the user's roles)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from states.roles import Role
from web.auth import CurrentUser
from web.deps import client_ip, login_limits, login_memo
from web.login_delay import equal_time_by_hash
from web.pages.render import redirect, render
from web.pages.session import (
    SESSION_COOKIE,
    AnonForm,
    LoginRequired,
    PageUser,
    StaffForm,
    anon_csrf,
    app_clock,
    app_engine,
    app_settings,
    form_str,
    page_user,
    session_token,
    set_session_cookie,
)
from workflow.accounts import sessions as web_sessions
from workflow.accounts.admin import change_own_password
from workflow.accounts.memberships import seats_of
from workflow.accounts.sessions import act_in
from workflow.accounts.users import MIN_PASSWORD_LENGTH, UserError, authenticate
from workflow.agencies.setup import setup_needed

router = APIRouter(include_in_schema=False)

REASONS = {"expired": "您长时间未操作，登录已超时，请重新登录。", "revoked": "您的登录已失效，请重新登录。",
           "logged_out": "您已安全退出。", "password_changed": "密码已修改，请用新密码登录。"}


def home_for(user: CurrentUser) -> str:
    for role, url in ((Role.LEADER, "/leader"), (Role.OFFICER, "/cases/mine"), (Role.FRONT_DESK, "/frontdesk/register"),
                      (Role.ADMIN, "/admin/users"), (Role.SUPERVISOR, "/supervisor")):
        if role in user.roles:
            return url
    return "/cases"


def safe_next(value: str) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if not value.startswith("/") or value.startswith("//") or value.startswith("/\\"):
        return ""
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else ""


def landing(request: Request, user: CurrentUser) -> str:
    """Where a user lands: the setup page for an administrator while the agency's notice settings are incomplete
    (the first run), else the home of their roles."""
    if Role.ADMIN in user.roles and setup_needed(app_engine(request), user.agency_id):
        return "/setup"
    return home_for(user)


@router.get("/")
def home(request: Request, user: PageUser) -> Response:
    return RedirectResponse(landing(request, user), status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "", reason: str = "") -> Response:
    try:
        user = page_user(request)
        return RedirectResponse(safe_next(next) or landing(request, user), status_code=303)
    except LoginRequired:
        pass
    anon_csrf(request)
    request.state.user = None
    return render(request, "auth/login.html", {"next": safe_next(next), "username": "", "error": "",
                                               "notice": REASONS.get(reason, "")})


@router.post("/login")
def login(request: Request, form: AnonForm) -> Response:
    username, password, nxt = form_str(form, "username"), form.get("password"), safe_next(form_str(form, "next"))
    settings = app_settings(request)
    now = app_clock(request).now()
    res = authenticate(app_engine(request), username, password if isinstance(password, str) else "", now=now,
                       limits=login_limits(settings), ip=client_ip(request), memo=login_memo(request),
                       equal_time_by_hash=equal_time_by_hash(settings))
    if res.user is None or res.user.id is None:
        page = render(request, "auth/login.html", {"next": nxt, "username": username, "notice": "",
                                                   "error": res.error or "用户名或密码错误"},
                      status=401 if res.retry_after is None else 429)
        if res.retry_after is not None:
            page.headers["Retry-After"] = str(res.retry_after)
        return page
    old = session_token(request)
    if old:
        web_sessions.logout(app_engine(request), old, now=now)
    opened = web_sessions.open_session(app_engine(request), res.user.id, now=now,
                                       ip=client_ip(request),
                                       user_agent=request.headers.get("user-agent", ""))
    resp = RedirectResponse(nxt or landing(request, CurrentUser.at_home(app_engine(request), res.user)), status_code=303)
    set_session_cookie(request, resp, opened.token)
    return resp


@router.post("/logout")
def logout(request: Request, form: StaffForm) -> Response:
    token = getattr(request.state, "session_token", None)
    if token:
        web_sessions.logout(app_engine(request), token, now=app_clock(request).now())
    resp = redirect(request, "/login?reason=logged_out")
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


def _password_page(request: Request, errors: dict[str, list[str]], status: int = 200) -> Response:
    user: CurrentUser | None = getattr(request.state, "user", None)
    return render(request, "auth/password.html", {"errors": errors, "min_length": MIN_PASSWORD_LENGTH,
                                                 "first": bool(user and user.must_change_password)}, status=status)


@router.get("/account/password")
def password_form(request: Request, user: PageUser) -> Response:
    return _password_page(request, {})


@router.post("/account/password")
def change_password(request: Request, form: StaffForm, user: PageUser) -> Response:
    """Prove the current password, set a new one; every session ends, so log in again (nothing is kept typed)."""
    def raw(name: str) -> str:  # passwords as typed: no stripping
        value = form.get(name)
        return value if isinstance(value, str) else ""

    try:
        change_own_password(app_engine(request), user.principal(), raw("current_password"), raw("new_password"),
                            raw("new_password2"), now=app_clock(request).now())
    except UserError as exc:
        return _password_page(request, {exc.field or "current_password": [exc.message]}, status=422)
    request.app.state.tokens.forget_user(user.id)
    resp = redirect(request, "/login?reason=password_changed")
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/account/agency")
def agency_choice(request: Request, user: PageUser) -> Response:
    """The agencies the person may act in: their own and those where they hold roles too."""
    return render(request, "auth/agency.html", {"seats": seats_of(app_engine(request), user.id),
                                               "current": user.agency_id})


@router.post("/account/agency")
def switch_agency(request: Request, form: StaffForm, user: PageUser) -> Response:
    """Act in another of one's agencies from now on (this login only)."""
    code = form_str(form, "agency")
    seat = next((x for x in seats_of(app_engine(request), user.id) if x.agency_code == code), None)
    if seat is None:
        return redirect(request, "/account/agency", ("error", "您在该机关没有任职"))
    session_id = getattr(request.state, "session_id", None)
    if session_id is not None:
        act_in(app_engine(request), session_id, None if seat.home else seat.agency_id)
    return redirect(request, "/", ("ok", f"现在以{seat.agency_name}的身份办理"))
