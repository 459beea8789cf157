"""HTML rendering for pages: one Jinja environment (autoescape, StrictUndefined), flash messages, redirects."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from states import wording
from states.formats import cn_date, provisional_note
from states.roles import ROLE_LABELS, Role
from web.auth import CurrentUser

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FLASH_COOKIE = "banli_flash"
FLASH_MAX_AGE = 600
# Scripts only from our own /static (no inline script, no eval): an injected <script> or on…= attribute does not
# run. Inline style attributes stay allowed (the templates use a few); nothing may frame the pages.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
TZ = "Asia/Shanghai"


def _local(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant in agency time (the office works in Beijing time)."""
    if value is None or value == "":
        return ""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    if dt.tzinfo is None:
        return dt.strftime(fmt)
    return dt.astimezone(ZoneInfo(TZ)).strftime(fmt)


def _cn_date(value: date | str | None) -> str:
    return "" if value is None or value == "" else cn_date(value)


def _weekday(value: date | str | None) -> str:
    if value is None or value == "":
        return ""
    d = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return "星期" + "一二三四五六日"[d.weekday()]


env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "svg"]),
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
env.filters["local"] = _local
env.filters["cn_date"] = _cn_date
env.filters["weekday"] = _weekday
env.filters["provisional_note"] = provisional_note  # the documents' wording (states.formats)
env.globals["ROLE_LABELS"] = {str(k): v for k, v in ROLE_LABELS.items()}
env.globals["words"] = wording  # the shared vocabulary (states.wording), for the templates


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.web_secret, salt="banli-flash")


def read_flash(request: Request) -> dict[str, Any]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer(request).loads(raw, max_age=FLASH_MAX_AGE)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def redirect(request: Request, url: str, *messages: tuple[str, str], extra: dict[str, Any] | None = None) -> Response:
    """303 See Other to ``url`` carrying flash messages ``(level, text)`` to the next page."""
    resp = RedirectResponse(url, status_code=303)
    if messages or extra:
        payload = {"m": [list(m) for m in messages], **(extra or {})}
        resp.set_cookie(FLASH_COOKIE, _serializer(request).dumps(payload), max_age=FLASH_MAX_AGE, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    return resp


NAV: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("/frontdesk/register", "登记申请", (Role.FRONT_DESK, Role.LEADER)),
    ("/frontdesk/online", "网上申请", (Role.FRONT_DESK, Role.LEADER)),
    ("/cases/mine", "我的案件", (Role.OFFICER,)),
    ("/supervisor", "各机关概况", (Role.SUPERVISOR,)),
    ("/cases", "案件查询", (Role.FRONT_DESK, Role.LEADER, Role.SUPERVISOR)),
    ("/leader", "负责人看板", (Role.LEADER,)),
    ("/workorders", "12345工单", (Role.FRONT_DESK, Role.OFFICER, Role.LEADER)),
    ("/reports", "统计报表", (Role.LEADER, Role.ADMIN, Role.SUPERVISOR)),
    ("/admin/users", "用户管理", (Role.ADMIN,)),
    ("/admin/calendar", "节假日安排", (Role.ADMIN,)),
    ("/admin/agency", "机关设置", (Role.ADMIN,)),
    ("/admin/golive", "上线导入", (Role.ADMIN,)),
    ("/admin/agencies", "机关管理", (Role.INSTANCE_ADMIN,)),
    ("/admin/system", "系统状态", (Role.ADMIN,)),
    ("/admin/audit", "操作记录", (Role.ADMIN,)),
)


def nav_for(user: CurrentUser | None, path: str) -> list[dict[str, Any]]:
    if user is None:
        return []
    out = []
    for href, label, roles in NAV:
        if user.has(*roles):
            active = path == href or (href != "/cases" and path.startswith(href + "/"))
            out.append({"href": href, "label": label, "active": active})
    return out


def render(request: Request, name: str, ctx: dict[str, Any] | None = None, *, status: int = 200) -> HTMLResponse:
    """Render a page with the shared context (user, CSRF token, navigation, flash messages)."""
    user: CurrentUser | None = getattr(request.state, "user", None)
    flash = read_flash(request)
    base: dict[str, Any] = {
        "user": user, "csrf_token": getattr(request.state, "csrf_token", ""), "path": request.url.path,
        "nav": nav_for(user, request.url.path), "flashes": flash.get("m", []),
        "agency_name": getattr(request.state, "agency_name", ""), "flash": flash,
        "setup_missing": getattr(request.state, "setup_missing", []), "setup_held": getattr(request.state, "setup_held", 0),
        "seat_count": getattr(request.state, "seat_count", 1),
    }
    base.update(ctx or {})
    html = env.get_template(name).render(**base)
    resp = HTMLResponse(html, status_code=status)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "same-origin"
    resp.headers["Content-Security-Policy"] = CSP
    if flash:
        resp.delete_cookie(FLASH_COOKIE, path="/")
    new_anon = getattr(request.state, "new_anon_csrf", None)
    if new_anon:
        resp.set_cookie("banli_csrf", new_anon, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        path="/")
    return resp


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
