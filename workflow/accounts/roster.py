"""用户管理: an agency's accounts as its administrator sees them (unit, roles, locked, live sessions) and the people
of other agencies who hold roles in it — read in one session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from db.engine import read_session
from db.models import Unit, User
from workflow.accounts.memberships import Member, members_in
from workflow.accounts.roles import roles_in
from workflow.accounts.sessions import live_session_counts
from workflow.accounts.throttle import locked_names
from workflow.runtime import Engine


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    unit: str  # "" without a unit
    roles: list[str]  # sorted
    active: bool
    locked: bool  # the login name is locked after failed logins, now (workflow.accounts.throttle)
    sessions: int  # live (not revoked, not idle) login sessions


@dataclass(frozen=True)
class Roster:
    accounts: list[Account]  # by username
    members: list[Member]  # people of other agencies holding roles here (兼任), by username


def roster(engine: Engine, agency_id: int, *, now: datetime, idle_seconds: int, user_id: int | None = None) -> Roster:
    """The agency's accounts (``user_id``: that one only) and its members from other agencies."""
    with read_session(engine) as s:
        q = select(User, Unit.name).outerjoin(Unit, col(Unit.id) == col(User.unit_id)).where(User.agency_id == agency_id)
        if user_id is not None:
            q = q.where(User.id == user_id)
        rows = s.exec(q.order_by(col(User.username))).all()
        sessions = live_session_counts(s, [u.id for u, _ in rows if u.id], now=now, idle_seconds=idle_seconds)
        locked = locked_names(s, [u.username for u, _ in rows], now)
        held = roles_in(s, agency_id)  # its own staff's and its 兼任 members' roles here
        members = members_in(s, agency_id, held)
    accounts = [Account(u.id or 0, u.username, u.display_name, unit or "", sorted(held.get(u.id or 0, ())), u.active,
                        u.username in locked, sessions.get(u.id or 0, 0)) for u, unit in rows]
    return Roster(accounts, members)
