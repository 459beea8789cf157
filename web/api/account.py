"""The caller's own account through the API, as the pages offer it: change one's own password (``/account/password``)
and end one's own bearer tokens (the API's ``/logout``).

``POST /api/account/password`` needs no token: an account whose password someone else set (a new account, the
printed first-run password) gets no token until it is changed (``POST /api/token`` answers 403
``password_change_required``), so the login name and the current password prove who asks — checked as every login
is (workflow.accounts.users.authenticate: the same throttles, audit and late refusals, web.login_delay) — and the
new password then goes through the page's own function (workflow.accounts.admin.change_own_password: its rules,
and every session and token of the account ends).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from settings import Settings
from web.api.auth import early_refusal, login
from web.api.schemas import ERRORS, ApiOut, ErrorOut
from web.auth import CurrentUser
from web.deps import EngineDep, NowDep, SettingsDep, UserDep, get_tokens
from workflow.accounts.admin import change_own_password, revoke_own_tokens
from workflow.accounts.users import MIN_PASSWORD_LENGTH
from workflow.runtime import Engine

router = APIRouter(tags=["account"], responses=ERRORS)


class PasswordChangeIn(BaseModel):  # passwords as typed: nothing stripped (the page takes them raw too)
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=200, description="登录名")
    current_password: str = Field(max_length=1000, description="当前密码（初始密码或原密码）")
    new_password: str = Field(max_length=1000, description=f"新密码：至少 {MIN_PASSWORD_LENGTH} 个字符，不能与当前密码相同")


class PasswordChangedOut(ApiOut):
    username: str
    password_changed_at: str = Field(description="修改时间")


class TokensRevokedOut(ApiOut):
    username: str
    revoked: bool = Field(description="本账户此前取得的访问令牌已全部失效")


@router.post("/api/account/password", summary="修改本人密码（无需令牌：用登录名和当前密码证明身份）",
             description=f"与网页“修改密码”相同：新密码至少 {MIN_PASSWORD_LENGTH} 个字符，且不能与当前密码相同。修改后，本账户此前的"
                         "全部访问令牌和网页登录都会结束，请用新密码重新获取令牌。初始密码（别人为您设的密码）"
                         "必须先在这里或网页上修改，才能获取令牌。登录名或当前密码不对时与登录一样计入失败次数，"
                         "失败过多会暂时锁定。",
             response_description="密码已修改", responses={
                 401: {"model": ErrorOut, "description": "登录名或当前密码错误（error.code bad_credentials）"},
                 422: {"model": ErrorOut, "description": "新密码不符合要求（error.fields 指出 new_password 的问题，"
                                                         "如 password_too_short、same_password）"},
                 429: {"model": ErrorOut, "description": "失败次数过多，暂时不能再试（Retry-After 头和 "
                                                         "error.retry_after 给出还需等待的秒数）"}})
async def change_password(request: Request, body: PasswordChangeIn, engine: EngineDep, now: NowDep,
                          settings: SettingsDep) -> PasswordChangedOut:
    ip = early_refusal(request, now)  # a refused address: answered on the event loop, no hash
    return await run_in_threadpool(_change, request, engine, now, settings, ip, body)


def _change(request: Request, engine: Engine, now: datetime, settings: Settings, ip: str,
            body: PasswordChangeIn) -> PasswordChangedOut:
    account = login(request, engine, now, settings, ip, body.username, body.current_password).user
    assert account is not None
    user = CurrentUser.at_home(engine, account)
    changed = change_own_password(engine, user.principal(), body.current_password, body.new_password,
                                  body.new_password, now=now)
    get_tokens(request).forget_user(user.id)  # this process's remembered tokens end at once
    return PasswordChangedOut(username=changed.username,
                              password_changed_at=(changed.password_changed_at or now).isoformat())


@router.post("/api/token/revoke", summary="撤销本人的访问令牌（退出接口登录）",
             description="令牌不保存在服务器上，无法单独撤销某一个：本账户此前取得的全部访问令牌都会失效"
                         "（包括本次请求所用的令牌），网页登录不受影响。需要时请重新获取令牌。",
             response_description="令牌已全部失效")
def revoke_tokens(request: Request, user: UserDep, engine: EngineDep, now: NowDep) -> TokensRevokedOut:
    account = revoke_own_tokens(engine, user.principal(), now=now)
    get_tokens(request).forget_user(user.id)
    return TokensRevokedOut(username=account.username, revoked=True)
