"""Account administration for an agency's admin: roles, (de)activation, password reset, unlock, revocation.

Each function is one transaction, on an account of an agency the actor administers (``_user``). Ending an
account's access also ends its browser sessions; a password reset moves ``password_changed_at`` so API tokens
issued before it stop working too. Every change
is recorded in the append-only audit trail (``Event`` with ``case_kind="account"``, the account's id) in the
same transaction: who did what to which account, never a password.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from db.engine import read_session, write_session
from db.models import User
from states.policy import may_administer, may_grant, may_manage_agencies
from states.roles import Role
from workflow.accounts import throttle
from workflow.accounts.passwords import hash_password, verify_password
from workflow.accounts.principal import Principal
from workflow.accounts.roles import replace_roles, roles_of
from workflow.accounts.sessions import end_tokens_in, revoke_user_sessions_in
from workflow.accounts.users import UserError, _check_password, audit_account, checked_roles
from workflow.errors import Forbidden, NotFound


def _user(session: Session, user_id: int, agency_id: int, actor: Principal) -> User:
    """The account, in ``agency_id``, which ``actor`` administers (states.policy.may_administer: an agency's
    administrator its own agency, the instance administrator any); an instance administrator's account only for
    another instance administrator (an agency's administrator could otherwise take it over by resetting its
    password). Forbidden / NotFound otherwise."""
    if not may_administer(actor.actor, agency_id):
        raise Forbidden("您只能管理本机关的用户；其他机关请由其机关管理员或平台管理员办理")
    user = session.get(User, user_id)
    if user is None or user.agency_id != agency_id:
        raise NotFound("用户")
    if Role.INSTANCE_ADMIN in roles_of(session, user_id, agency_id) and not may_manage_agencies(actor.actor):
        raise Forbidden("平台管理员的账户只能由平台管理员管理")
    return user


def set_active(engine: Engine, user_id: int, active: bool, *, agency_id: int, actor: Principal, now: datetime) -> User:
    """Deactivate (and end all sessions) or reactivate an account; an admin cannot deactivate themself."""
    if not active and user_id == actor.id:
        raise UserError("不能停用自己的账户", "self_deactivate", "user")
    with write_session(engine) as s:
        user = _user(s, user_id, agency_id, actor)
        user.active = active
        if not active:
            revoke_user_sessions_in(s, user_id, now=now, reason="deactivated")
        audit_account(s, user, actor, "activate" if active else "deactivate", now)
        s.commit()
        return user


def reset_password(engine: Engine, user_id: int, password: str, *, agency_id: int, actor: Principal,
                   now: datetime) -> User:
    """Set a new password, clear the lock-out and end every session and API token of the account (hashed before
    the transaction begins)."""
    _check_password(password)
    password_hash = hash_password(password)
    with write_session(engine) as s:
        user = _user(s, user_id, agency_id, actor)
        user.password_hash = password_hash
        user.password_changed_at = now
        throttle.clear_name(s, user.username)
        ended = revoke_user_sessions_in(s, user_id, now=now, reason="password")
        audit_account(s, user, actor, "reset_password", now, sessions_ended=ended)
        s.commit()
        return user


def change_own_password(engine: Engine, actor: Principal, current: str, new: str, confirm: str, *,
                        now: datetime) -> User:
    """``actor`` sets a new password for their own account, proving the current one; every session and API
    token of the account ends (the user logs in again with the new password). UserError names the field of a
    problem."""
    if new != confirm:
        raise UserError("两次输入的新密码不一致", "password_mismatch", "new_password2")
    try:
        _check_password(new)
    except UserError as exc:
        raise UserError(exc.message, exc.code, "new_password") from None
    with read_session(engine) as s:
        found = s.get(User, actor.id) if actor.id is not None else None
    if found is None or found.id is None or not found.active:
        raise UserError("账户不存在或已停用", "not_found", "current_password")
    # the three hashes (~0.1 s each) before the transaction: never while holding the database's write lock
    if not verify_password(found.password_hash, current):
        raise UserError("当前密码不正确", "wrong_password", "current_password")
    if verify_password(found.password_hash, new):
        raise UserError("新密码不能与当前密码相同", "same_password", "new_password")
    new_hash = hash_password(new)
    with write_session(engine) as s:
        user = s.get(User, found.id)
        if user is None or user.id is None or not user.active or user.password_hash != found.password_hash:
            raise UserError("账户的密码刚被修改或账户已停用，请重新登录后再试", "changed_meanwhile", "current_password")
        user.password_hash = new_hash
        user.password_changed_at = now
        user.must_change_password = False
        ended = revoke_user_sessions_in(s, user.id, now=now, reason="password")
        audit_account(s, user, actor, "change_own_password", now, sessions_ended=ended)
        s.commit()
        return user


def revoke_own_tokens(engine: Engine, actor: Principal, *, now: datetime) -> User:
    """``actor`` ends every API token issued to their own account so far (a token cannot be ended alone: tokens
    are not stored); their browser sessions go on. Recorded in the audit trail."""
    with write_session(engine) as s:
        user = s.get(User, actor.id) if actor.id is not None else None
        if user is None or user.id is None or not user.active:
            raise UserError("账户不存在或已停用", "not_found", "user")
        end_tokens_in(s, user.id)
        audit_account(s, user, actor, "revoke_own_tokens", now)
        s.commit()
        return user


def unlock(engine: Engine, user_id: int, *, agency_id: int, actor: Principal, now: datetime) -> User:
    with write_session(engine) as s:
        user = _user(s, user_id, agency_id, actor)
        throttle.clear_name(s, user.username)
        audit_account(s, user, actor, "unlock", now)
        s.commit()
        return user


def set_roles(engine: Engine, user_id: int, roles: list[str], *, agency_id: int, actor: Principal,
              now: datetime) -> User:
    """Replace an account's roles; an admin cannot remove their own admin role."""
    role_set = checked_roles(roles)
    if user_id == actor.id and Role.ADMIN not in role_set:
        raise UserError("不能取消自己的系统管理员角色", "self_demote", "roles")
    if not may_grant(actor.actor, role_set):
        raise UserError("只有平台管理员可以设立平台管理员", "grant_instance_admin", "roles")
    with write_session(engine) as s:
        user = _user(s, user_id, agency_id, actor)
        before = replace_roles(s, user_id, agency_id, role_set)
        audit_account(s, user, actor, "set_roles", now, roles_before=sorted(before), roles=sorted(role_set))
        s.commit()
        return user


def revoke_sessions(engine: Engine, user_id: int, *, agency_id: int, actor: Principal, now: datetime) -> int:
    with write_session(engine) as s:
        user = _user(s, user_id, agency_id, actor)
        n = revoke_user_sessions_in(s, user_id, now=now, reason="admin")
        audit_account(s, user, actor, "end_sessions", now, sessions_ended=n)
        s.commit()
        return n
