"""FastAPI dependencies: engine, clock, settings, the current user."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from settings import Settings
from states.roles import Role
from web.auth import CurrentUser, TokenService
from web.errors import ApiError
from web.proxy import TrustedProxies
from workflow.accounts.principal import Principal
from workflow.accounts.throttle import AddressMemo, Limit, LoginLimits
from workflow.portal.rate_limits import PublicLimits
from workflow.runtime import Engine
from workflow.timesource import TimeSource


def get_tokens(request: Request) -> TokenService:
    tokens: TokenService = request.app.state.tokens
    return tokens


# FastAPI runs a plain ``def`` dependency in the thread pool — one thread hop per dependency per request,
# which cost more than the registration itself. These are trivial, so they are ``async``.
async def _engine_dep(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def _time_dep(request: Request) -> TimeSource:
    clock: TimeSource = request.app.state.clock
    return clock


async def _now_dep(request: Request) -> datetime:
    clock: TimeSource = request.app.state.clock
    return clock.now()


async def _settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


EngineDep = Annotated[Engine, Depends(_engine_dep)]
TimeDep = Annotated[TimeSource, Depends(_time_dep)]
NowDep = Annotated[datetime, Depends(_now_dep)]
SettingsDep = Annotated[Settings, Depends(_settings_dep)]


async def current_user(request: Request) -> CurrentUser:
    """The user of a bearer token (API) or of the web session (pages set request.state.user).

    Runs on the event loop: a verified token is cached for a few seconds, so the user look-up that
    a cache miss costs is rare and short."""
    user: CurrentUser | None = getattr(request.state, "user", None)
    if user is not None:
        return user
    user = bearer_user(request)
    if user is not None:
        request.state.user = user
        return user
    raise ApiError(401, "unauthorized", "请先登录或令牌已失效", extra={}) from None


def bearer_user(request: Request) -> CurrentUser | None:
    """The user of a valid ``Authorization: Bearer`` token, else None."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return get_tokens(request).verify(request.app.state.engine, auth[7:].strip())
    return None


def client_ip(request: Request) -> str:
    """The client's address: the peer, or what a trusted proxy (``BANLI_FORWARDED_ALLOW_IPS``) forwarded."""
    peer = request.client.host if request.client else None
    proxies: TrustedProxies | None = getattr(request.app.state, "trusted_proxies", None)
    if proxies:
        peer = proxies.client(peer, request.headers.getlist("x-forwarded-for"))
    return peer or "unknown"


def login_limits(settings: Settings) -> LoginLimits:
    """The login throttles of these settings (workflow.accounts.throttle)."""
    return LoginLimits(name=Limit(settings.login_max_failures, settings.login_lockout_seconds),
                       address=Limit(settings.login_ip_max_failures, settings.login_ip_window_seconds))


def login_memo(request: Request) -> AddressMemo:
    memo: AddressMemo = request.app.state.login_memo
    return memo


def public_limits(request: Request) -> PublicLimits:
    """The public side's limits (set up in web.app), shared by the pages and the API."""
    limits: PublicLimits = request.app.state.public_limits
    return limits


def lookup_allowed(request: Request, number: str) -> bool:
    """The public look-up limits (per IP, per tracking number), shared by the API, the look-up page and the
    applicant's actions in the portal: one attempt counted."""
    return public_limits(request).lookup(client_ip(request), number) is None


def check_lookup(request: Request, number: str) -> None:
    """``lookup_allowed`` for the API: TooManyAttempts (429 with Retry-After) when refused."""
    public_limits(request).check_lookup(client_ip(request), number)


UserDep = Annotated[CurrentUser, Depends(current_user)]


def require_roles(*roles: Role):  # type: ignore[no-untyped-def]
    """Dependency factory: the user must hold one of ``roles``."""

    async def _dep(user: UserDep) -> CurrentUser:
        if not user.has(*roles):
            raise ApiError(403, "forbidden", "没有权限执行此操作")
        return user

    return _dep


async def current_principal(user: UserDep) -> Principal:
    return user.principal()


PrincipalDep = Annotated[Principal, Depends(current_principal)]
