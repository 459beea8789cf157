"""机关管理 for the instance administrator: every agency as a tree, new agencies, an agency's page (name, kind,
the body above, deactivation) and its administrators. The work is done by workflow.agencies.registry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from states.agencies import KIND_LABELS
from states.roles import ROLE_LABELS, Role
from web.auth import CurrentUser
from web.pages.common import now
from web.pages.render import redirect, render
from web.pages.session import StaffForm, app_engine, form_str, principal, require
from workflow.accounts.users import UserError, create_user
from workflow.agencies import registry
from workflow.agencies.config import AgencyConfig
from workflow.agencies.setup import NUMBER_LABELS
from workflow.agencies.views import agency_detail, local_calendar_scopes, parent_choices
from workflow.errors import Conflict, DomainValidation, Forbidden, NotFound
from workflow.hotline.profile_view import profile_name

router = APIRouter(prefix="/agencies", include_in_schema=False)
IsInstanceAdmin = require(Role.INSTANCE_ADMIN)
KINDS = [(k.value, label) for k, label in KIND_LABELS.items()]
AGENCY_ROLES = [Role.ADMIN, Role.LEADER, Role.FRONT_DESK, Role.OFFICER, Role.SUPERVISOR]


def _errors(exc: Exception) -> dict[str, list[str]]:
    if isinstance(exc, DomainValidation):
        out: dict[str, list[str]] = {}
        for f in exc.fields:
            out.setdefault(f["field"], []).append(f["message"])
        return out
    if isinstance(exc, Conflict):
        return {"code": [exc.message]}
    return {"__all__": [getattr(exc, "message", str(exc))]}


def _list_page(request: Request, values: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None,
               status: int = 200) -> Response:
    rows = registry.list_agencies(app_engine(request))
    parents = parent_choices(app_engine(request))
    return render(request, "admin/agencies.html", {
        "rows": rows, "kinds": KINDS, "kind_labels": {k.value: v for k, v in KIND_LABELS.items()},
        "parents": parents, "values": values or {}, "errors": errors or {}}, status=status)


@router.get("")
def agencies(request: Request, user: CurrentUser = IsInstanceAdmin) -> Response:
    return _list_page(request)


@router.post("")
def create(request: Request, form: StaffForm, user: CurrentUser = IsInstanceAdmin) -> Response:
    values = {k: form_str(form, k) for k in ("code", "name", "parent", "kind")}
    try:
        a = registry.create_agency(app_engine(request), code=values["code"], name=values["name"],
                                   parent_code=values["parent"] or None, kind=values["kind"] or None,
                                   actor=principal(user), now=now(request))
    except (Conflict, DomainValidation, Forbidden) as exc:
        return _list_page(request, values, _errors(exc), status=422)
    return redirect(request, f"/admin/agencies/{a.code}", ("ok", f"已新建机关：{a.name}。请为它设立机关管理员。"))


def _detail_page(request: Request, code: str, errors: dict[str, list[str]] | None = None,
                 values: dict[str, Any] | None = None, status: int = 200) -> Response:
    engine = app_engine(request)
    try:
        d = agency_detail(engine, code)
    except NotFound:
        return render(request, "error.html", {"title": "页面不存在", "message": f"没有代码为“{code}”的机关"},
                      status=404)
    return render(request, "admin/agency_detail.html", {
        "a": d, "kind_label": d.kind_label, "kinds": KINDS, "parents": parent_choices(engine, d),
        "parent": d.parent, "children": d.children, "work": d.work,
        "refusal": registry.refusal(d.work) if d.work.any else "", "proposal": d.proposal, "cfg": d.cfg,
        "missing": d.missing, "users": d.users, "role_labels": {str(r): ROLE_LABELS[r] for r in AGENCY_ROLES},
        "summary": settings_summary(d.cfg, dict(local_calendar_scopes(engine))),
        "values": values or {"roles": ["admin"]}, "errors": errors or {}}, status=status)


@router.get("/{code}")
def detail(request: Request, code: str, user: CurrentUser = IsInstanceAdmin) -> Response:
    return _detail_page(request, code)


@router.post("/{code}")
def edit(request: Request, code: str, form: StaffForm, user: CurrentUser = IsInstanceAdmin) -> Response:
    try:
        registry.update_agency(app_engine(request), code, name=form_str(form, "name"), kind=form_str(form, "kind"),
                               parent_code=form_str(form, "parent") or None, actor=principal(user), now=now(request))
    except (Conflict, DomainValidation, Forbidden, NotFound) as exc:
        return _detail_page(request, code, _errors(exc), status=422)
    return redirect(request, f"/admin/agencies/{code}", ("ok", "已保存"))


@router.post("/{code}/deactivate")
def deactivate(request: Request, code: str, form: StaffForm, user: CurrentUser = IsInstanceAdmin) -> Response:
    try:
        a = registry.set_agency_active(app_engine(request), code, False, actor=principal(user), now=now(request))
    except (Conflict, Forbidden, NotFound) as exc:
        return redirect(request, f"/admin/agencies/{code}", ("error", getattr(exc, "message", str(exc))))
    return redirect(request, f"/admin/agencies/{code}", ("ok", f"已停用：{a.name}。其记录和文书全部保留。"))


@router.post("/{code}/activate")
def activate(request: Request, code: str, form: StaffForm, user: CurrentUser = IsInstanceAdmin) -> Response:
    a = registry.set_agency_active(app_engine(request), code, True, actor=principal(user), now=now(request))
    return redirect(request, f"/admin/agencies/{code}", ("ok", f"已重新启用：{a.name}"))


@router.post("/{code}/users")
def create_agency_user(request: Request, code: str, form: StaffForm,
                       user: CurrentUser = IsInstanceAdmin) -> Response:
    """An account in this agency — usually its administrator, who then sets up the rest of its staff."""
    roles = [r for r in form.getlist("roles") if isinstance(r, str)]
    values: dict[str, Any] = {k: form_str(form, k) for k in ("username", "display_name", "email")}
    values["roles"] = roles
    password = form.get("password")
    try:
        u = create_user(app_engine(request), agency_code=code, username=values["username"],
                        password=password if isinstance(password, str) else "", roles=roles,
                        display_name=values["display_name"] or None, now=now(request), email=values["email"] or None,
                        actor=principal(user))
    except UserError as exc:
        return _detail_page(request, code, {exc.field or "__all__": [exc.message]}, values, status=422)
    return redirect(request, f"/admin/agencies/{code}", ("ok", f"已创建用户 {u.username}"))


def settings_summary(cfg: AgencyConfig, scope_names: dict[str, str]) -> list[tuple[str, str]]:
    """What is the agency's own, in a few lines: numbers, seal, calendars, 12345 profile, reminders."""
    examples = "；".join(f"{label} {getattr(cfg, f).format(year=2026, seq=1)}" for f, label in NUMBER_LABELS.items())
    scopes = {s: scope_names.get(s, "地方节假日安排") for s in cfg.calendar_scopes}
    return [
        ("文书编号（示例）", examples),
        ("印章文字", cfg.seal_text or "（与机关名称相同）"),
        ("节假日", "国务院节假日安排" + ("，另加：" + "、".join(scopes.values()) if scopes else "")),
        ("12345时限方案", profile_name(cfg.hotline_profile)
         + ("（本机关另有调整）" if cfg.hotline_overrides else "")),
        ("到期提醒", "到期前 " + "、".join(str(n) for n in cfg.reminder_ladder_wd) + " 个工作日"
         + ("；另按时限种类分别设置" if cfg.reminder_ladders_wd else "")),
        ("工作时间", "，".join(cfg.working_hours)),
    ]
