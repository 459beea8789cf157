"""Installs the HTML pages: static files, page error handling, and one router per audience."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.pages import auth, case_page
from web.pages.admin import setup
from web.pages.admin import users as admin
from web.pages.disclosure import cases, frontdesk, online_queue
from web.pages.hotline import intake as workorder_intake
from web.pages.hotline import orders as workorders
from web.pages.leader import dashboard as leader
from web.pages.leader import reports, supervisor
from web.pages.portal import apply as portal
from web.pages.portal import case as portal_case
from web.pages.portal import download_link as portal_download
from web.pages.portal import lookup as public
from web.pages.render import render
from web.pages.session import SESSION_COOKIE, LoginRequired, PageError, PasswordChangeRequired
from workflow.accounts.users import UserError
from workflow.errors import Conflict, DomainValidation, Forbidden, InvalidTransition, NotFound, StaleVersion

STATIC = Path(__file__).resolve().parent.parent / "static"


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        nxt = quote(target, safe="") if request.method == "GET" else ""
        resp = RedirectResponse(f"/login?next={nxt}&reason={exc.reason}", status_code=303)
        resp.delete_cookie(SESSION_COOKIE, path="/")
        return resp

    @app.exception_handler(PasswordChangeRequired)
    async def _password_first(request: Request, exc: PasswordChangeRequired) -> Response:
        return RedirectResponse("/account/password?first=1", status_code=303)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return render(request, "error.html", {"title": exc.title, "message": exc.message, "back": ""},
                      status=exc.status)

    def page_or_api(exc_type: type[Exception], title: str, status: int) -> None:
        """A page for browsers; the API keeps the JSON error installed before (web.errors.install_domain). A page
        route that does not answer a workflow refusal itself (a form shown again with the message at its field) thus
        still answers in Chinese, never with the API's JSON envelope."""
        api: Any = app.exception_handlers.get(exc_type)

        async def handler(request: Request, exc: Any) -> Response:
            if _is_page(request):
                fields = [str(f.get("message", "")) for f in getattr(exc, "fields", None) or [] if f.get("message")]
                message = "；".join(fields) if fields else str(exc.message)
                return render(request, "error.html", {"title": title, "message": message, "back": ""},
                              status=status)
            result: Response = await api(request, exc)
            return result

        app.add_exception_handler(exc_type, handler)

    page_or_api(NotFound, "页面不存在", 404)  # a case (or file) that does not exist, or of another agency
    page_or_api(Forbidden, "没有权限", 403)  # the one policy said no
    page_or_api(Conflict, "未能办理", 409)  # e.g. a platform update for a closed order
    page_or_api(InvalidTransition, "未能办理", 409)
    page_or_api(StaleVersion, "页面已过期", 409)
    page_or_api(DomainValidation, "输入有误", 422)
    page_or_api(UserError, "输入有误", 422)

    previous: Any = app.exception_handlers.get(StarletteHTTPException)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        """Browsers get an HTML page for 404/405; the API keeps its JSON errors."""
        if _is_page(request) and exc.status_code in (404, 405):
            title = "页面不存在" if exc.status_code == 404 else "不支持该操作"
            return render(request, "error.html", {"title": title, "message": "请检查网址，或从导航菜单进入。", "back": "/"},
                          status=exc.status_code)
        assert previous is not None
        result: Response = await previous(request, exc)
        return result

    # workorder_intake before workorders: /workorders/new and /import are not order ids
    for mod in (auth, setup, frontdesk, online_queue, cases, leader, admin, public, portal, portal_case, portal_download,
                workorder_intake,
                workorders, reports, supervisor, case_page):  # case_page last: /cases/disclosure/… is the disclosure's
        app.include_router(mod.router)
