"""Admin: users and roles (create, roles, deactivate, reset password, unlock, end sessions) and system status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from notifications.failures import failure_reason
from states.policy import may_grant
from states.roles import ROLE_LABELS, Role
from states.wording import OUTBOX_STATUS, SWEEP_LABELS, sweep_stat_label
from web.auth import CurrentUser
from web.pages.admin import agencies as admin_agencies
from web.pages.admin import agency as admin_agency
from web.pages.admin import audit as admin_audit
from web.pages.admin import calendar as admin_calendar
from web.pages.admin import golive as admin_golive
from web.pages.common import agency_of, now
from web.pages.render import redirect, render
from web.pages.session import PageError, StaffForm, app_engine, app_settings, form_str, principal, require
from workflow.accounts import admin as user_admin
from workflow.accounts import memberships
from workflow.accounts.roster import roster
from workflow.accounts.users import UserError, create_user
from workflow.errors import Conflict, NotFound
from workflow.ops import dead_letters
from workflow.ops.status import SweepRun, sweep_error_reason, system_status

router = APIRouter(prefix="/admin", include_in_schema=False)
IsAdmin = require(Role.ADMIN)
router.include_router(admin_calendar.router)
router.include_router(admin_agency.router)
router.include_router(admin_agencies.router)
router.include_router(admin_audit.router)
router.include_router(admin_golive.router)


def _users_page(request: Request, user: CurrentUser, values: dict[str, Any] | None = None,
                errors: dict[str, list[str]] | None = None, status: int = 200) -> Response:
    r = roster(app_engine(request), user.agency_id, now=now(request),
               idle_seconds=app_settings(request).session_idle_seconds)
    grantable = {str(k): v for k, v in ROLE_LABELS.items() if may_grant(user.principal().actor, frozenset({k}))}
    return render(request, "admin/users.html", {
        "users": r.accounts, "role_labels": grantable, "values": values or {"roles": []}, "members": r.members,
        "member_roles": {k: v for k, v in grantable.items() if k != "instance_admin"},
        "errors": errors or {}}, status=status)


@router.get("/users")
def users(request: Request, user: CurrentUser = IsAdmin) -> Response:
    return _users_page(request, user)


@router.post("/users")
def create(request: Request, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    agency, _ = agency_of(request, user)
    roles = [r for r in form.getlist("roles") if isinstance(r, str)]
    values: dict[str, Any] = {k: form_str(form, k) for k in ("username", "display_name", "unit_name", "email")}
    values["roles"] = roles
    password = form.get("password")
    try:
        create_user(app_engine(request), agency_code=agency.code, username=values["username"],
                    password=password if isinstance(password, str) else "", roles=roles,
                    display_name=values["display_name"] or None, now=now(request), email=values["email"] or None,
                    unit_name=values["unit_name"] or None, actor=principal(user))
    except UserError as exc:
        return _users_page(request, user, values, {exc.field or "__all__": [exc.message]}, status=422)
    return redirect(request, "/admin/users", ("ok", f"已创建用户 {values['username']}"))


@router.post("/users/members")
def grant_member(request: Request, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    """A person of another agency takes roles in this one too (兼任)."""
    agency, _ = agency_of(request, user)
    roles = [r for r in form.getlist("roles") if isinstance(r, str)]
    username = form_str(form, "member_username")
    try:
        memberships.grant(app_engine(request), username=username, agency_code=agency.code, roles=roles,
                          actor=principal(user), now=now(request))
    except UserError as exc:
        return redirect(request, "/admin/users", ("error", exc.message))
    return redirect(request, "/admin/users", ("ok", f"{username} 已在本机关兼任"))


@router.post("/users/members/{username}/revoke")
def revoke_member(request: Request, username: str, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    agency, _ = agency_of(request, user)
    try:
        done = memberships.revoke(app_engine(request), username=username, agency_code=agency.code,
                                  actor=principal(user), now=now(request))
    except UserError as exc:
        return redirect(request, "/admin/users", ("error", exc.message))
    if not done:
        return redirect(request, "/admin/users", ("error", f"{username} 在本机关没有兼任"))
    return redirect(request, "/admin/users", ("ok", f"已取消 {username} 在本机关的兼任"))


@router.post("/users/{user_id}/{op}")
def user_op(request: Request, user_id: int, op: str, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    engine, n, aid, who = app_engine(request), now(request), user.agency_id, principal(user)
    try:
        if op == "deactivate":
            u = user_admin.set_active(engine, user_id, False, agency_id=aid, actor=who, now=n)
            msg = f"已停用 {u.username}，其登录已全部结束"
        elif op == "activate":
            u = user_admin.set_active(engine, user_id, True, agency_id=aid, actor=who, now=n)
            msg = f"已启用 {u.username}"
        elif op == "password":
            pw = form.get("password")
            u = user_admin.reset_password(engine, user_id, pw if isinstance(pw, str) else "", agency_id=aid, actor=who,
                                       now=n)
            msg = f"已重置 {u.username} 的密码，其登录已全部结束"
        elif op == "unlock":
            u = user_admin.unlock(engine, user_id, agency_id=aid, actor=who, now=n)
            msg = f"已解除 {u.username} 的锁定"
        elif op == "sessions":
            count = user_admin.revoke_sessions(engine, user_id, agency_id=aid, actor=who, now=n)
            msg = f"已结束 {count} 个登录会话"
        elif op == "roles":
            roles = [r for r in form.getlist("roles") if isinstance(r, str)]
            u = user_admin.set_roles(engine, user_id, roles, agency_id=aid, actor=who, now=n)
            msg = f"已更新 {u.username} 的角色"
        else:
            raise PageError(404, "没有这个操作")
    except UserError as exc:
        return redirect(request, "/admin/users", ("error", exc.message))
    if op in ("deactivate", "password", "roles", "sessions"):  # remembered API tokens: re-checked at once
        request.app.state.tokens.forget_user(user_id)
    return redirect(request, "/admin/users", ("ok", msg))


@router.get("/system")
def system(request: Request, user: CurrentUser = IsAdmin) -> Response:
    """Scheduler status (last run, counts, lag per sweep) and the outbox with its dead letters."""
    st = system_status(app_engine(request), user.agency_id, now(request), dead_limit=20)
    # Each dead letter and failed run with its reason in a plain Chinese sentence. The technical text (the mail
    # server's or the program's own words, in English) only for the instance administrator, collapsed (技术详情).
    technical = user.has(Role.INSTANCE_ADMIN)
    letters = [{"id": o.id, "title": dead_letters.notice_title(o.notice_type), "recipient_name": o.recipient_name,
                "recipient": o.recipient if "@" in o.recipient else "", "attempts": o.attempts,
                "reason": failure_reason(o.last_error), "detail": (o.last_error or "") if technical else ""}
               for o in st.dead_letters]
    sweeps = [st.sweeps[job] for job in sorted(st.sweeps)]
    return render(request, "admin/system.html", {"sweeps": [_sweep_row(sw, technical) for sw in sweeps],
                                                 "counts": {k: v for k, v in st.outbox_counts.items() if v}, "dead": letters,
                                                 "status_labels": OUTBOX_STATUS})


def _sweep_row(sw: SweepRun, technical: bool) -> dict[str, Any]:
    """A sweep's last run in Chinese: its name and what it counted (zero counters left out)."""
    stats = dict(sw.last_stats or {})
    counted = {**(stats.pop("done", None) or {}), **stats}
    return {"job": SWEEP_LABELS.get(sw.job, "其他任务"), "last_started_at": sw.last_started_at,
            "last_finished_at": sw.last_finished_at, "error": sweep_error_reason(sw.last_error),
            "detail": (sw.last_error or "") if technical else "",
            "stats": [(sweep_stat_label(k), v) for k, v in counted.items()
                      if isinstance(v, int | float) and not isinstance(v, bool) and v]}


@router.post("/system/outbox/{outbox_id}/retry")
def retry_dead_letter(request: Request, outbox_id: int, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    """Requeue a notice that could not be delivered (attempts reset; the next outbox sweep sends it), audited."""
    try:
        dead_letters.retry_dead_letter(app_engine(request), outbox_id, agency_id=user.agency_id,
                                       actor=user.principal(), now=now(request))
    except (NotFound, Conflict):
        return redirect(request, "/admin/system", ("error", "没有这条发送失败的文书，或已在重发队列中"))
    return redirect(request, "/admin/system", ("ok", f"第 {outbox_id} 号文书已重新排队发送"))
