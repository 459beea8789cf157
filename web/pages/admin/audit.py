"""操作记录: the audit trail of account and agency-settings changes, for the agency's admin.

Entries (``workflow.accounts.audit_trail``) have ``case_kind`` "account" (the account's id) or "agency" (written by
``workflow.accounts.admin``, ``workflow.accounts.users.create_user`` and ``workflow.agencies.admin``) or "outbox"
(an admin's retry of a dead letter, ``workflow.ops.dead_letters``), newest first, a page
of ``PAGE`` at a time (``?before=<event id>``). Passwords are never recorded.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from states.roles import ROLE_LABELS, Role
from web.auth import CurrentUser
from web.pages.admin.agency import LABELS as SETTING_LABELS
from web.pages.render import render
from web.pages.session import app_engine, require
from workflow.accounts.audit_trail import AuditEntry, audit_page
from workflow.accounts.users import ACCOUNT
from workflow.ops.dead_letters import OUTBOX

router = APIRouter(prefix="/audit", include_in_schema=False)
IsAdmin = require(Role.ADMIN)
PAGE = 100
ACTION_LABELS = {
    "create_account": "创建账户", "activate": "启用账户", "deactivate": "停用账户", "reset_password": "重置密码",
    "change_own_password": "修改本人密码", "unlock": "解除锁定", "set_roles": "调整角色",
    "end_sessions": "结束登录会话", "save_settings": "修改机关设置", "login_failed": "登录失败",
    "retry_dead_letter": "重新发送文书", "revoke_own_tokens": "撤销本人的访问令牌",
}


def _short(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        text = "、".join(str(v) for v in value)
    else:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "（空）" if text in ("", "null", "{}") else text if len(text) <= 60 else text[:59] + "…"


def _roles(codes: Any) -> str:
    return "、".join(ROLE_LABELS.get(c, str(c)) for c in codes or []) or "（无）"


def details(e: AuditEntry) -> list[str]:
    """What changed, in a few Chinese lines."""
    p = e.payload or {}
    out = []
    if e.action == "set_roles":
        out.append(f"角色：{_roles(p.get('roles_before'))} → {_roles(p.get('roles'))}")
    if e.action == "create_account":
        out.append(f"角色：{_roles(p.get('roles'))}")
    if "sessions_ended" in p:
        out.append(f"结束登录会话 {p['sessions_ended']} 个")
    if e.action == "login_failed":
        out.append(f"来源地址 {p.get('ip') or '未知'}" + ("；连续失败次数已达上限，账户暂时锁定" if p.get("locked") else ""))
    if e.action == "retry_dead_letter":
        out.append(f"{p.get('title') or '文书'}，收件人 {p.get('recipient_name') or '（未填）'}，此前已尝试 {p.get('attempts', 0)} 次")
    for key, (old, new) in (p.get("changed") or {}).items():
        label = "机关名称" if key == "name" else SETTING_LABELS.get(key, ("", key))[1]
        out.append(f"{label}：{_short(old)} → {_short(new)}")
    return out


def _target(e: AuditEntry) -> str:
    if e.case_kind == ACCOUNT:
        return str((e.payload or {}).get("username", ""))
    return f"第 {e.case_id} 号文书" if e.case_kind == OUTBOX else "机关设置"


@router.get("")
def audit_log(request: Request, before: int | None = None, user: CurrentUser = IsAdmin) -> Response:
    page = audit_page(app_engine(request), user.agency_id, before=before, limit=PAGE)
    items = [{"id": e.id, "at": e.at, "actor": e.actor, "action": ACTION_LABELS.get(e.action, e.action),
              "target": _target(e), "details": details(e)} for e in page.entries]
    return render(request, "admin/audit.html", {"items": items, "next_before": page.next_before})
