"""The API's description (OpenAPI), its reference page and Swagger UI, for logged-in staff only.

Issue 7: apart from the public look-up and the portal, nothing is reachable without login — the
default FastAPI ``/docs`` and ``/openapi.json`` are switched off in ``web.app`` and served here
behind the staff session (pages) or a bearer token (API clients).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response

from web.api.reference import reference
from web.auth import CurrentUser
from web.deps import bearer_user
from web.errors import ApiError
from web.pages.render import render
from web.pages.session import LoginRequired, PageUser, page_user, session_token


def _staff(request: Request) -> CurrentUser:
    """The staff member of the web session or of a bearer token; else a 401 in the API's JSON shape."""
    if session_token(request) is not None:
        try:
            return page_user(request)
        except LoginRequired:
            pass
    user = bearer_user(request)
    if user is None:
        raise ApiError(401, "unauthorized", "请先登录或令牌已失效", extra={})
    return user


def install(app: FastAPI) -> None:
    @app.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> JSONResponse:
        _staff(request)
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request, user: PageUser) -> Response:
        """The reference, rendered here: readable on a network without Internet access."""
        return render(request, "api_docs.html", {"ref": reference(app.openapi())})

    @app.get("/docs/swagger", include_in_schema=False)
    def swagger(user: PageUser) -> HTMLResponse:
        """Swagger UI for trying calls (its scripts come from a CDN)."""
        return get_swagger_ui_html(openapi_url="/openapi.json", title="办理 banli API（登录后可见）")
