"""Staff accounts: creation, argon2 password hashes, authentication under the login throttles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from db.engine import read_session, serialize, write_session
from db.models import Agency, Unit, User
from states.inputs import EMAIL_MESSAGE, SINGLE_LINE_MESSAGE, has_control, is_email
from states.policy import may_administer, may_grant
from states.roles import ROLE_LABELS, Role, parse_roles
from workflow.accounts import throttle
from workflow.accounts.passwords import DUMMY_HASH, hash_password, verify_password
from workflow.accounts.principal import Principal, system
from workflow.accounts.roles import replace_roles
from workflow.accounts.throttle import AddressMemo, LoginLimits
from workflow.cases.audit import append_event

MIN_PASSWORD_LENGTH = 8
# A login name: typed at every login, shown in lists, part of page and API paths (…/members/{username}). Letters of
# the Latin alphabet, digits and . _ - only (no look-alike letters, spaces, slashes, invisible characters), a letter or
# digit first; two names that differ only in case are one name (checked when an account is created; logging in
# takes the name as it was created).
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
USERNAME_RULE = "用户名只能由英文字母、数字和 . _ - 组成，以字母或数字开头，不超过64个字符"


def username_ok(name: str) -> bool:
    return _USERNAME.fullmatch(name) is not None


class UserError(Exception):
    """A user-facing problem with an account operation (message in Chinese)."""

    def __init__(self, message: str, code: str = "user_error", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


ACCOUNT = "account"  # Event.case_kind of account changes (case_id: the account's id)


def audit_account(session: Session, user: User, actor: Principal, action: str, now: datetime,
                  **payload: object) -> None:
    """One audit row for a change to ``user``'s account, in the caller's transaction."""
    assert user.id is not None
    append_event(session, agency_id=user.agency_id, case_kind=ACCOUNT, case_id=user.id, actor=actor, action=action,
                 from_state=None, to_state=None, payload={"username": user.username, **payload}, now=now)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符", "password_too_short", "password")


def checked_roles(roles: list[str]) -> frozenset[Role]:
    """The roles named (a list of names; comma text inside one is split too), each known, at least one (UserError at
    ``roles`` otherwise): the one parser of the roles people send (forms, the API, the command line)."""
    try:
        role_set = parse_roles(",".join(roles))
    except ValueError:
        known = {r.value for r in Role}
        unknown = "、".join(f"“{n.strip()}”" for n in ",".join(roles).split(",") if n.strip() not in known | {""})
        choices = "、".join(f"{r.value}（{ROLE_LABELS[r]}）" for r in Role)
        raise UserError(f"未知的角色：{unknown}。可选：{choices}", "unknown_role", "roles") from None
    if not role_set:
        raise UserError("至少需要一个角色", "no_role", "roles")
    return role_set


def create_user_in(session: Session, *, agency: Agency, username: str, password: str, roles: list[str],
                   display_name: str | None, now: datetime, email: str | None = None,
                   unit_name: str | None = None, password_hash: str | None = None) -> User:
    """Create a user inside an existing transaction (the caller commits).

    ``password_hash`` lets bulk tools pass a precomputed argon2 hash of ``password``.
    """
    username = username.strip()
    # a display name travels into e-mail headers and printed notices: one line, no control characters
    for field, value, longest in (("username", username, 64), ("display_name", display_name or "", 100),
                                  ("email", email or "", 254), ("unit_name", unit_name or "", 200)):
        if has_control(value):
            raise UserError(SINGLE_LINE_MESSAGE, "control_characters", field)
        if len(value) > longest:
            raise UserError(f"不能超过{longest}个字符", "too_long", field)
    if not username_ok(username):
        raise UserError(USERNAME_RULE, "invalid_username", "username")
    if email and not is_email(email):
        raise UserError(EMAIL_MESSAGE, "invalid_email", "email")
    role_set = checked_roles(roles)
    _check_password(password)
    serialize(session, "login-names")  # two instances creating Wang and wang at once: the second sees the first
    if session.exec(select(User.id).where(func.lower(User.username) == username.lower())).first() is not None:
        raise UserError(f"用户名 {username} 已存在（用户名不区分大小写）", "username_taken", "username")
    unit_id = None
    if unit_name:
        unit = session.exec(select(Unit).where(Unit.agency_id == agency.id, Unit.name == unit_name)).first()
        if unit is None:
            assert agency.id is not None
            unit = Unit(agency_id=agency.id, name=unit_name)
            session.add(unit)
            session.flush()
        unit_id = unit.id
    assert agency.id is not None
    user = User(
        agency_id=agency.id, unit_id=unit_id, username=username, display_name=display_name or username,
        email=email, password_hash=password_hash or hash_password(password), created_at=now, password_changed_at=now,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    replace_roles(session, user.id, agency.id, role_set)
    return user


def create_user(engine: Engine, *, agency_code: str, username: str, password: str, roles: list[str],
                display_name: str | None, now: datetime, email: str | None = None,
                unit_name: str | None = None, actor: Principal | None = None) -> User:
    """Create a staff account in one transaction, recorded in the audit trail (``actor``: the admin; the
    system for the command line). The password is hashed before the transaction begins."""
    password_hash = hash_password(password) if len(password) >= MIN_PASSWORD_LENGTH else None
    with write_session(engine) as session:
        agency = session.exec(select(Agency).where(Agency.code == agency_code)).first()
        if agency is None or agency.id is None:
            raise UserError(f"机关代码 {agency_code} 不存在", "unknown_agency", "agency")
        who = actor or system(agency.id, "命令行")
        if not may_administer(who.actor, agency.id):
            raise UserError("您只能为本机关创建用户", "other_agency", "agency")
        if not may_grant(who.actor, frozenset(Role(r) for r in roles if r in ALL_ROLES)):
            raise UserError("只有平台管理员可以设立平台管理员", "grant_instance_admin", "roles")
        if not agency.active:
            raise UserError(f"{agency.name}已停用，不能再创建用户", "inactive_agency", "agency")
        user = create_user_in(session, agency=agency, username=username, password=password, roles=roles,
                              display_name=display_name, now=now, email=email, unit_name=unit_name,
                              password_hash=password_hash)
        audit_account(session, user, who, "create_account", now,
                      roles=sorted(checked_roles(roles)), display_name=user.display_name)
        session.commit()
        return user


@dataclass(frozen=True)
class AuthResult:
    user: User | None
    error: str | None = None  # Chinese message
    code: str | None = None
    retry_after: int | None = None  # seconds, when the answer is a throttle's (code login_throttled or locked)


def address_refused(memo: AddressMemo | None, ip: str, now: datetime) -> AuthResult | None:
    """The refusal of an address this process already knows to be blocked (no database, no hash), else None."""
    until = memo.blocked_until(ip, now) if memo is not None else None
    return _address_refusal(until, now) if until is not None else None


def _address_refusal(until: datetime, now: datetime) -> AuthResult:
    return AuthResult(None, f"从您的网络地址登录失败的次数过多，已暂停从该地址登录，请{throttle.wait_words(until, now)}后再试",
                      "login_throttled", throttle.retry_after(until, now))


def authenticate(engine: Engine, username: str, password: str, *, now: datetime, limits: LoginLimits,
                 ip: str = "", memo: AddressMemo | None = None, equal_time_by_hash: bool = True) -> AuthResult:
    """Check a password under the login throttles (workflow.accounts.throttle), counted in the database.

    A client address with too many failures is refused first, before anything else: no hash, no write (and once
    this process has seen the block — ``memo`` — not even a read). Otherwise every answer costs exactly one
    argon2 hash — unknown name, deactivated account, locked name, wrong or right password — so the time taken
    tells nothing about the account; the hash runs outside any transaction (workflow.accounts.passwords), so a
    flood of logins never holds the database's write lock. A failure (unknown name or wrong password) is counted
    against the address and the name in one short write transaction, which also records a wrong password for an
    existing account in the audit trail (``login_failed``, with the client address and whether it locked the
    account); attempts on a locked name count against the address only, and add no audit row.

    ``equal_time_by_hash=False`` when the caller answers every refusal no sooner than a fixed time after it arrived
    (web.login_delay, ``login_failure_delay_seconds`` well above a hash's time): that floor makes the answers equal,
    so a name without an active account and a locked name are answered without a hash — a flood of made-up names
    from many addresses then costs no hashing at all. Only an active, unlocked account's password is hashed."""
    early = address_refused(memo, ip, now)
    if early is not None:
        return early
    with read_session(engine) as session:
        held = throttle.standing(session, ip=ip, username=username, now=now)
        if held.address_blocked_until is not None:
            if memo is not None:
                memo.note(ip, held.address_blocked_until)
            return _address_refusal(held.address_blocked_until, now)
        user = session.exec(select(User).where(User.username == username)).first()
        agency = session.get(Agency, user.agency_id) if user is not None else None
    known = user is not None and user.active
    if equal_time_by_hash or (known and held.name_blocked_until is None):
        right = verify_password(user.password_hash if user is not None and known else DUMMY_HASH, password)
    else:  # the floor of web.login_delay evens the time; nothing is learnt by hashing
        right = False
    if held.name_blocked_until is not None:
        if not (right and known):
            _count_failure(engine, username, None, now=now, limits=limits, ip=ip, memo=memo, name_too=False)
        return AuthResult(None, f"登录失败次数过多，账户已暂时锁定，请{throttle.wait_words(held.name_blocked_until, now)}"
                          "后再试；急需登录请联系本机关的系统管理员解锁", "locked",
                          throttle.retry_after(held.name_blocked_until, now))
    if user is None or not known or not right:
        _count_failure(engine, username, user if known else None, now=now, limits=limits, ip=ip, memo=memo)
        return AuthResult(None, "用户名或密码错误", "bad_credentials")
    if agency is not None and not agency.active:
        return AuthResult(None, f"{agency.name}已停用，其账户不能再登录", "agency_inactive")
    if held.name_counted:
        with write_session(engine) as session:
            throttle.clear_name(session, username)
            session.commit()
    return AuthResult(user)


def _count_failure(engine: Engine, username: str, user: User | None, *, now: datetime, limits: LoginLimits,
                   ip: str, memo: AddressMemo | None, name_too: bool = True) -> None:
    """One failed attempt counted against the address (and the name), and audited for an existing account, in
    one transaction."""
    with write_session(engine) as session:
        address_until = throttle.count_failure(session, throttle.ADDRESS, ip, limits.address, now=now)
        locked = name_too and throttle.count_failure(session, throttle.NAME, username, limits.name, now=now) is not None
        if user is not None and name_too:
            audit_account(session, user, system(user.agency_id, f"登录尝试 {ip}".strip()[:100]), "login_failed",
                          now, ip=ip, locked=locked)
        session.commit()
    if address_until is not None and memo is not None:
        memo.note(ip, address_until)



ALL_ROLES = [r.value for r in Role]
