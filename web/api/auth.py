"""POST /api/token — OAuth2 password form → bearer token."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from settings import Settings
from web.api.schemas import ERRORS, ApiOut, ErrorOut
from web.deps import (
    EngineDep,
    NowDep,
    PrincipalDep,
    SettingsDep,
    UserDep,
    client_ip,
    get_tokens,
    login_limits,
    login_memo,
)
from web.errors import ApiError
from web.login_delay import equal_time_by_hash
from workflow.accounts.memberships import seat_by_code, seats_of
from workflow.accounts.users import AuthResult, address_refused, authenticate
from workflow.agencies.registry import supervised_nodes
from workflow.runtime import Engine

router = APIRouter(tags=["auth"], responses=ERRORS)


class TokenOut(ApiOut):
    access_token: str = Field(description="访问令牌：放在请求头 Authorization: Bearer <令牌> 中")
    token_type: Literal["bearer"]
    expires_in: int = Field(description="有效期（秒）")


class SeatOut(ApiOut):
    """本人可以办理的一个机关及在该机关的角色"""

    code: str = Field(description="机关代码")
    name: str = Field(description="机关名称")
    roles: list[str]
    own: bool = Field(description="是否本人所在机关（否则为兼任）")
    id: int = Field(description="机关编号（案件列表的 agency_id）")


class SupervisedOut(ApiOut):
    """监督员可以查看的一个下级机关"""

    id: int = Field(description="机关编号：案件列表的 agency_id")
    code: str = Field(description="机关代码：报表的 agency")
    name: str = Field(description="机关名称")


class MeOut(ApiOut):
    id: int
    username: str
    display_name: str
    agency_id: int = Field(description="令牌所代表的机关（兼任时为所兼任的机关）")
    roles: list[str] = Field(description="在该机关的角色")
    agencies: list[SeatOut] = Field(description="本人可以办理的机关（本机关及兼任的机关）")
    supervised: list[SupervisedOut] = Field(description="监督员可以查看的下级机关（案件列表传 agency_id，报表传 agency）；"
                                                        "非监督员为空")


@router.post("/api/token", summary="登录并获取访问令牌 (OAuth2 password)", response_description="访问令牌", responses={
    401: {"model": ErrorOut, "description": "用户名或密码错误（error.code bad_credentials；机关已停用：agency_inactive）"},
    403: {"model": ErrorOut, "description": "初始密码尚未修改（error.code password_change_required：先调用 "
                         "POST /api/account/password）；或在所填机关没有任职（not_a_member）"},
    429: {"model": ErrorOut, "description": "登录失败次数过多：本网络地址暂停登录（error.code login_throttled）或该登录名暂时锁定"
                         "（locked）；Retry-After 头和 error.retry_after 给出还需等待的秒数"}})
async def issue_token(request: Request, engine: EngineDep, now: NowDep, settings: SettingsDep,
                      username: Annotated[str, Form()], password: Annotated[str, Form()],
                      agency: Annotated[str | None, Form(description="机关代码：在本人兼任的另一机关办理时填写；省略为本人所在机关")] = None,
                      ) -> TokenOut:
    # An address this process already knows to be refused is answered here, on the event loop: no thread, no
    # database, no hash — a flood from one address costs almost nothing once it is refused.
    ip = early_refusal(request, now)
    return await run_in_threadpool(_issue, request, engine, now, settings, ip, username, password, agency)


def early_refusal(request: Request, now: datetime) -> str:
    """The client's address, unless this process already knows it to be refused (then the refusal is raised)."""
    ip = client_ip(request)
    early = address_refused(login_memo(request), ip, now)
    if early is not None:
        raise _refusal(early)
    return ip


def _refusal(res: AuthResult) -> ApiError:
    if res.retry_after is not None:  # a login throttle: the address, or the login name, is locked for now
        return ApiError(429, res.code or "locked", res.error or "登录失败次数过多，请稍后再试",
                        extra={"retry_after": res.retry_after}, headers={"Retry-After": str(res.retry_after)})
    return ApiError(401, res.code or "bad_credentials", res.error or "用户名或密码错误")


def login(request: Request, engine: Engine, now: datetime, settings: Settings, ip: str, username: str,
          password: str) -> AuthResult:
    """A login name and password checked as every login is (workflow.accounts.users.authenticate, under the login
    throttles): the result with its account, or the refusal raised (401, or 429 with Retry-After)."""
    res = authenticate(engine, username, password, now=now, limits=login_limits(settings), ip=ip,
                       memo=login_memo(request), equal_time_by_hash=equal_time_by_hash(settings))
    if res.user is None:
        raise _refusal(res)
    return res


def _issue(request: Request, engine: Engine, now: datetime, settings: Settings, ip: str, username: str,
           password: str, agency: str | None) -> TokenOut:
    user = login(request, engine, now, settings, ip, username, password).user
    assert user is not None
    if user.must_change_password:
        raise ApiError(403, "password_change_required",
                       "这是别人为您设的初始密码：请先改成只有您知道的密码（网页的“修改密码”，"
                       "或接口 POST /api/account/password），再获取令牌")
    agency_id = None
    if agency:
        seat = seat_by_code(engine, user, agency)
        if seat is None:
            raise ApiError(403, "not_a_member", f"您在机关“{agency}”没有任职，不能以该机关的身份办理")
        agency_id = seat.agency_id
    token = get_tokens(request).issue(user, agency_id)
    return TokenOut(access_token=token, token_type="bearer", expires_in=settings.token_ttl_seconds)


@router.get("/api/me", summary="当前用户", response_description="当前用户及其可以办理的机关")
def me(user: UserDep, actor: PrincipalDep, engine: EngineDep) -> MeOut:
    return MeOut(id=user.id, username=user.username, display_name=user.display_name, agency_id=user.agency_id,
                 roles=sorted(user.roles),
                 agencies=[SeatOut(id=x.agency_id, code=x.agency_code, name=x.agency_name, roles=sorted(x.roles),
                                   own=x.home) for x in seats_of(engine, user.id)],
                 supervised=[SupervisedOut(id=n.id, code=n.code, name=n.name)
                             for n in supervised_nodes(engine, actor.supervises)])
