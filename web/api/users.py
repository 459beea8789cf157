"""User administration through the API, as ``/admin/users`` offers it: an agency's accounts (roles, locked, live
sessions) and, on one account, deactivate / activate, reset the password, change the roles, unlock and end its
sessions — each the page's own workflow function (workflow.accounts.admin: one transaction, audited), for the
agencies the caller administers (states.policy.may_administer: an agency's administrator its own, the instance
administrator any). Creating an account: ``POST /api/admin/agencies/{code}/users`` (web.api.agencies).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from settings import Settings
from states.policy import may_administer
from states.roles import Role
from web.api.schemas import ERRORS, ApiOut
from web.auth import CurrentUser
from web.deps import EngineDep, NowDep, SettingsDep, get_tokens, require_roles
from web.errors import ApiError
from workflow.accounts import admin as user_admin
from workflow.accounts.roster import Account, roster
from workflow.accounts.users import MIN_PASSWORD_LENGTH
from workflow.agencies.views import agency_id_of
from workflow.errors import NotFound
from workflow.runtime import Engine

router = APIRouter(prefix="/api/admin/agencies/{code}/users", tags=["users"], responses=ERRORS)
Admin = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN, Role.INSTANCE_ADMIN))]


class AccountOut(ApiOut):  # workflow.accounts.roster.Account
    """机关的一个账户（用户管理页面所列）"""

    id: int
    username: str
    display_name: str
    unit: str = Field(description="所在科室（没有时为空字符串）")
    roles: list[str] = Field(description="在本机关的角色")
    active: bool = Field(description="是否在用（停用的账户不能登录）")
    locked: bool = Field(description="是否因登录失败次数过多暂时锁定")
    sessions: int = Field(description="未结束的网页登录数")


class SessionsEndedOut(AccountOut):
    sessions_ended: int = Field(description="本次结束的网页登录数（该账户的访问令牌也已全部失效）")


class PasswordResetIn(BaseModel):  # the password as typed: nothing stripped (the page takes it raw too)
    model_config = ConfigDict(extra="forbid")
    password: str = Field(max_length=1000, description=f"新密码：至少 {MIN_PASSWORD_LENGTH} 个字符")


class RolesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: list[str] = Field(max_length=20, description="在本机关的全部角色（替换原有角色），如 [\"officer\", \"leader\"]")


def _agency(engine: EngineDep, code: str, user: Admin) -> int:
    """The agency of the path, which the caller administers (403 otherwise)."""
    agency_id = agency_id_of(engine, code)
    if not may_administer(user.principal().actor, agency_id):
        raise ApiError(403, "forbidden", "您只能管理本机关的用户；其他机关请由其机关管理员或平台管理员办理")
    return agency_id


AgencyId = Annotated[int, Depends(_agency)]


def _out(a: Account) -> AccountOut:
    return AccountOut(id=a.id, username=a.username, display_name=a.display_name, unit=a.unit, roles=a.roles,
                      active=a.active, locked=a.locked, sessions=a.sessions)


def _account(request: Request, engine: Engine, agency_id: int, user_id: int, now: datetime, settings: Settings,
             forget: bool) -> AccountOut:
    """The account as the list shows it after a change; its tokens remembered by this process forgotten when the
    change ended them (other instances follow within the token cache's few seconds)."""
    if forget:
        get_tokens(request).forget_user(user_id)
    found = roster(engine, agency_id, now=now, idle_seconds=settings.session_idle_seconds,
                   user_id=user_id).accounts
    if not found:
        raise NotFound("用户")
    return _out(found[0])


@router.get("", summary="机关的用户（角色、是否在用、是否锁定、网页登录数）", response_model=list[AccountOut],
            description="与“用户管理”页面所列相同，按用户名排列。在本机关兼任的其他机关人员见 …/members。",
            response_description="用户列表")
def list_users(engine: EngineDep, now: NowDep, settings: SettingsDep, agency_id: AgencyId) -> list[AccountOut]:
    r = roster(engine, agency_id, now=now, idle_seconds=settings.session_idle_seconds)
    return [_out(a) for a in r.accounts]


@router.post("/{user_id}/deactivate", summary="停用账户（其网页登录和访问令牌随即全部结束）",
             description="不能停用自己的账户。账户和办理记录都保留，可以重新启用。", response_model=AccountOut,
             response_description="已停用的账户")
def deactivate(request: Request, user_id: int, engine: EngineDep, now: NowDep, settings: SettingsDep, user: Admin,
               agency_id: AgencyId) -> AccountOut:
    user_admin.set_active(engine, user_id, False, agency_id=agency_id, actor=user.principal(), now=now)
    return _account(request, engine, agency_id, user_id, now, settings, forget=True)


@router.post("/{user_id}/activate", summary="重新启用账户", response_model=AccountOut,
             response_description="已启用的账户")
def activate(request: Request, user_id: int, engine: EngineDep, now: NowDep, settings: SettingsDep, user: Admin,
             agency_id: AgencyId) -> AccountOut:
    user_admin.set_active(engine, user_id, True, agency_id=agency_id, actor=user.principal(), now=now)
    return _account(request, engine, agency_id, user_id, now, settings, forget=False)


@router.post("/{user_id}/password", summary="重置账户的密码（其网页登录和访问令牌随即全部结束，登录锁定解除）",
             response_model=AccountOut, response_description="已重置密码的账户")
def reset_password(request: Request, user_id: int, body: PasswordResetIn, engine: EngineDep, now: NowDep,
                   settings: SettingsDep, user: Admin, agency_id: AgencyId) -> AccountOut:
    user_admin.reset_password(engine, user_id, body.password, agency_id=agency_id, actor=user.principal(), now=now)
    return _account(request, engine, agency_id, user_id, now, settings, forget=True)


@router.put("/{user_id}/roles", summary="调整账户在本机关的角色（替换原有角色）",
            description="不能取消自己的机关管理员角色；只有平台管理员可以设立平台管理员。调整后，该账户的访问令牌"
                        "按新角色生效。",
            response_model=AccountOut, response_description="调整后的账户")
def set_roles(request: Request, user_id: int, body: RolesIn, engine: EngineDep, now: NowDep, settings: SettingsDep,
              user: Admin, agency_id: AgencyId) -> AccountOut:
    user_admin.set_roles(engine, user_id, body.roles, agency_id=agency_id, actor=user.principal(), now=now)
    return _account(request, engine, agency_id, user_id, now, settings, forget=True)


@router.post("/{user_id}/unlock", summary="解除因登录失败次数过多造成的锁定", response_model=AccountOut,
             response_description="已解除锁定的账户")
def unlock(request: Request, user_id: int, engine: EngineDep, now: NowDep, settings: SettingsDep, user: Admin,
           agency_id: AgencyId) -> AccountOut:
    user_admin.unlock(engine, user_id, agency_id=agency_id, actor=user.principal(), now=now)
    return _account(request, engine, agency_id, user_id, now, settings, forget=False)


@router.post("/{user_id}/end-sessions", summary="结束账户的全部网页登录和访问令牌（如账户疑似被盗用）",
             response_model=SessionsEndedOut, response_description="已结束的登录")
def end_sessions(request: Request, user_id: int, engine: EngineDep, now: NowDep, settings: SettingsDep,
                 user: Admin, agency_id: AgencyId) -> SessionsEndedOut:
    n = user_admin.revoke_sessions(engine, user_id, agency_id=agency_id, actor=user.principal(), now=now)
    account = _account(request, engine, agency_id, user_id, now, settings, forget=True)
    return SessionsEndedOut(**account.model_dump(), sessions_ended=n)
