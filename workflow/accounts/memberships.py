"""People in several agencies: roles held in an agency besides one's own (``user_role`` rows of that agency,
workflow.accounts.roles), granted and revoked by an administrator of that agency (or the instance administrator),
audited like every account change; and which agency a person acts in — their own, or one where they hold roles (the
web session and the API token say which).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import Agency, User
from states.policy import may_administer, may_grant, may_manage_agencies
from states.roles import Role
from workflow.accounts.principal import Principal
from workflow.accounts.roles import holders, replace_roles, roles_by_agency, roles_in
from workflow.accounts.users import UserError, audit_account, checked_roles


@dataclass(frozen=True)
class Seat:
    """One agency a person acts in, with their roles there."""

    agency_id: int
    agency_code: str
    agency_name: str
    roles: frozenset[Role]
    home: bool


def seats(session: Session, user: User) -> list[Seat]:
    """The person's own agency first, then every agency where they hold roles (active agencies only)."""
    assert user.id is not None
    home = session.get(Agency, user.agency_id)
    held = roles_by_agency(session, user.id)
    out = [Seat(user.agency_id, home.code if home else "", home.name if home else "",
                held.pop(user.agency_id, frozenset()), True)]
    if held:
        rows = session.exec(select(Agency).where(col(Agency.id).in_(list(held)), col(Agency.active))
                            .order_by(col(Agency.code))).all()
        out += [Seat(a.id or 0, a.code, a.name, held[a.id or 0], False) for a in rows]
    return out


def seat_in(session: Session, user: User, agency_id: int | None) -> Seat | None:
    """The person's seat in ``agency_id`` (None: their own agency), or None when they hold no roles there."""
    want = user.agency_id if agency_id is None else agency_id
    return next((s for s in seats(session, user) if s.agency_id == want), None)


def _host(s: Session, agency_code: str, actor: Principal) -> Agency:
    """The agency whose roles are given or taken, which ``actor`` must administer."""
    agency = s.exec(select(Agency).where(Agency.code == agency_code.strip())).first()
    if agency is None or agency.id is None:
        raise UserError(f"机关代码 {agency_code} 不存在", "unknown_agency", "agency")
    if not may_administer(actor.actor, agency.id):
        raise UserError("您只能管理本机关的人员", "other_agency", "agency")
    return agency


def _not_own(user: User, agency: Agency) -> None:
    if user.agency_id == agency.id:
        raise UserError(f"{user.display_name}本来就是{agency.name}的人员，请直接调整其角色", "own_agency", "agency")


def _person(s: Session, username: str, agency: Agency, actor: Principal) -> User:
    """The active person of an active agency named ``username``, to hold roles in ``agency``.

    Login names are one namespace across the instance, but an agency's administrator sees only its own staff and
    its members: every name it may not use — none such, a deactivated account, a person of a deactivated agency —
    gets the same answer, so the refusal tells no more than that. The instance administrator, who sees every
    account, is told which it is."""
    user = s.exec(select(User).where(User.username == username.strip())).first()
    home = s.get(Agency, user.agency_id) if user is not None else None
    if user is not None and user.id is not None and user.active and home is not None and home.active:
        _not_own(user, agency)
        return user
    if user is not None and user.agency_id == agency.id:
        _not_own(user, agency)  # one's own staff, even deactivated, are in one's own list
    if may_manage_agencies(actor.actor):
        why = ("不存在" if user is None else "已停用" if not user.active else
               f"所在的{home.name if home is not None else '机关'}已停用")
        raise UserError(f"用户 {username} {why}，不能兼任", "not_found", "username")
    raise UserError(f"没有可兼任的用户 {username}（请核对用户名；已停用的账户不能兼任）", "not_found", "username")


def grant(engine: Engine, *, username: str, agency_code: str, roles: list[str], actor: Principal,
          now: datetime) -> Seat:
    """Give a person roles in another agency (replacing any they held there), audited in that agency."""
    role_set = checked_roles(roles)
    if not may_grant(actor.actor, role_set) or Role.INSTANCE_ADMIN in role_set:
        raise UserError("平台管理员只能设在本人所在的机关", "grant_instance_admin", "roles")
    with write_session(engine) as s:
        agency = _host(s, agency_code, actor)
        if not agency.active:
            raise UserError(f"{agency.name}已停用", "inactive_agency", "agency")
        user = _person(s, username, agency, actor)
        assert user.id is not None and agency.id is not None
        before = replace_roles(s, user.id, agency.id, role_set)
        audit_account(s, user, actor, "grant_membership", now, agency=agency.code, agency_id_granted=agency.id,
                      roles_before=sorted(before), roles=sorted(role_set))
        s.commit()
        return Seat(agency.id, agency.code, agency.name, role_set, False)


def revoke(engine: Engine, *, username: str, agency_code: str, actor: Principal, now: datetime) -> bool:
    """Take a person's roles in another agency away; False when they held none there — whether or not such a name
    exists (a deactivated person's roles are taken away too)."""
    with write_session(engine) as s:
        agency = _host(s, agency_code, actor)
        user = s.exec(select(User).where(User.username == username.strip())).first()
        if user is None or user.id is None or agency.id is None:
            return False
        _not_own(user, agency)
        before = replace_roles(s, user.id, agency.id, frozenset())
        if not before:
            return False
        audit_account(s, user, actor, "revoke_membership", now, agency=agency.code, roles_before=sorted(before))
        s.commit()
        return True


@dataclass(frozen=True)
class Member:
    user_id: int
    username: str
    display_name: str
    home_agency: str
    roles: frozenset[Role]


def members_of(engine: Engine, agency_id: int) -> list[Member]:
    """People of other agencies who hold roles in ``agency_id``."""
    with read_session(engine) as s:
        return members_in(s, agency_id)


def members_in(s: Session, agency_id: int, held: dict[int, frozenset[Role]] | None = None) -> list[Member]:
    """As ``members_of``, in the caller's session (``held``: the roles in ``agency_id`` if already read)."""
    held = roles_in(s, agency_id) if held is None else held
    if not held:
        return []
    rows = s.exec(select(User, Agency).join(Agency, col(Agency.id) == col(User.agency_id))
                  .where(col(User.id).in_(list(held)), User.agency_id != agency_id, col(User.active))
                  .order_by(col(User.username))).all()
    return [Member(u.id or 0, u.username, u.display_name, a.name, held[u.id or 0]) for u, a in rows]


def member_officers(session: Session, agency_id: int) -> list[User]:
    """Active users of other agencies who are officers (承办人) in ``agency_id``."""
    return holders(session, agency_id, Role.OFFICER, own_staff=False)


def seat_by_code(engine: Engine, user: User, agency_code: str) -> Seat | None:
    """The person's seat in the agency with ``agency_code`` (their own or one where they hold roles)."""
    with read_session(engine) as s:
        u = s.get(User, user.id)
        return next((x for x in seats(s, u) if x.agency_code == agency_code.strip()), None) if u else None


def seats_of(engine: Engine, user_id: int) -> list[Seat]:
    with read_session(engine) as s:
        u = s.get(User, user_id)
        return seats(s, u) if u else []
