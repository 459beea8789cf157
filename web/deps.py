"""FastAPI dependencies: engine, clock, settings, the current user."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from settings import Settings
from states.roles import Role
from web.auth import CurrentUser, TokenService
from web.errors import ApiError
from workflow.clock import Clock
from workflow.principal import Principal


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_now(request: Request) -> datetime:
    return get_clock(request).now()


def get_tokens(request: Request) -> TokenService:
    tokens: TokenService = request.app.state.tokens
    return tokens


EngineDep = Annotated[Engine, Depends(get_engine)]
ClockDep = Annotated[Clock, Depends(get_clock)]
NowDep = Annotated[datetime, Depends(get_now)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def current_user(request: Request) -> CurrentUser:
    """The user of a bearer token (API) or of the web session (pages set request.state.user)."""
    user: CurrentUser | None = getattr(request.state, "user", None)
    if user is not None:
        return user
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = get_tokens(request).verify(get_engine(request), auth[7:].strip())
        if user is not None:
            request.state.user = user
            return user
    raise ApiError(401, "unauthorized", "请先登录或令牌已失效", extra={}) from None


UserDep = Annotated[CurrentUser, Depends(current_user)]


def require_roles(*roles: Role):  # type: ignore[no-untyped-def]
    """Dependency factory: the user must hold one of ``roles``."""

    def _dep(user: UserDep) -> CurrentUser:
        if not user.has(*roles):
            raise ApiError(403, "forbidden", "没有权限执行此操作")
        return user

    return _dep


def principal_of(user: CurrentUser) -> Principal:
    return Principal(user.id, user.agency_id, user.roles, user.display_name)


def current_principal(user: UserDep) -> Principal:
    return principal_of(user)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
