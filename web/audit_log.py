"""操作记录 as a person reads it, for its page (``/admin/audit``) and the API (``GET /api/admin/audit``) alike: each
entry of the audit trail (``workflow.accounts.audit_trail``) with its action named in Chinese (``ACTION_LABELS``),
its target (the account's login name, 机关设置, or the dead letter retried) and what changed, in a few Chinese lines
(``details``: roles before → after, the settings changed — named by ``workflow.agencies.labels`` —, a failed
login's address …). Passwords are never recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from states.roles import ROLE_LABELS
from workflow.accounts.audit_trail import AuditEntry, AuditPage
from workflow.accounts.users import ACCOUNT
from workflow.agencies.labels import SETTING_LABELS
from workflow.ops.dead_letters import OUTBOX

ACTION_LABELS = {
    "create_account": "创建账户", "activate": "启用账户", "deactivate": "停用账户", "reset_password": "重置密码",
    "change_own_password": "修改本人密码", "unlock": "解除锁定", "set_roles": "调整角色",
    "end_sessions": "结束登录会话", "save_settings": "修改机关设置", "login_failed": "登录失败",
    "retry_dead_letter": "重新发送文书", "revoke_own_tokens": "撤销本人的访问令牌",
    "create_agency": "创建机关", "edit_agency": "修改机关", "activate_agency": "启用机关", "deactivate_agency": "停用机关",
    "setup": "首次设置机关", "grant_membership": "设置兼任", "revoke_membership": "取消兼任",
}


@dataclass(frozen=True)
class AuditLine:
    """One entry as the log shows it."""

    id: int
    at: datetime  # aware
    actor: str
    action: str  # the code (e.g. set_roles)
    action_label: str  # in Chinese (调整角色); the code itself for an action without a label
    target: str
    details: list[str]


@dataclass(frozen=True)
class AuditLog:
    lines: list[AuditLine]  # newest first
    next_before: int | None  # the ``before`` of the next (older) page; None: this is the last


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


def target(e: AuditEntry) -> str:
    """What the entry concerns: the account's login name, the dead letter, or the agency's settings."""
    if e.case_kind == ACCOUNT:
        return str((e.payload or {}).get("username", ""))
    return f"第 {e.case_id} 号文书" if e.case_kind == OUTBOX else "机关设置"


def audit_log(page: AuditPage) -> AuditLog:
    """A page of the trail, each entry as the log shows it."""
    return AuditLog([AuditLine(e.id, e.at, e.actor, e.action, ACTION_LABELS.get(e.action, e.action), target(e),
                               details(e)) for e in page.entries], page.next_before)
