"""Who is asking: the signed-in staff member behind an API token or a browser session, as a typed, detached
``CurrentUser`` (the web never reads the account rows itself). The token's claims are made and checked here, so
what ends a token — a password change, the account's sessions ended, roles taken away, a deactivated agency — is
one rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from db.engine import read_session
from db.models import Agency, User
from states.machine import Actor
from states.roles import Role
from workflow.accounts import sessions as web_sessions
from workflow.accounts.memberships import seat_in, seats
from workflow.accounts.principal import Principal
from workflow.accounts.roles import roles_of
from workflow.agencies.completeness import missing_notice_settings
from workflow.agencies.config import agency_config
from workflow.agencies.held import held_count
from workflow.agencies.registry import supervised_agencies
from workflow.runtime import Engine


@dataclass(frozen=True)
class CurrentUser:
    """The authenticated staff member, detached from any session."""

    id: int
    agency_id: int
    unit_id: int | None
    username: str
    display_name: str
    roles: frozenset[Role]
    supervises: frozenset[int] = frozenset()  # a supervisor's agencies below its own
    must_change_password: bool = False  # a password someone else chose (the printed bootstrap password)

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.roles, self.agency_id, supervises=self.supervises)

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def principal(self) -> Principal:
        """The user as the workflow sees an actor."""
        return Principal(self.id, self.agency_id, self.roles, self.display_name, supervises=self.supervises)

    @classmethod
    def at_home(cls, engine: Engine, u: User) -> CurrentUser:
        """The user in their own agency with the roles held there (where a login lands)."""
        assert u.id is not None
        with read_session(engine) as s:
            roles = roles_of(s, u.id, u.agency_id)
        return cls(u.id, u.agency_id, u.unit_id, u.username, u.display_name, roles,
                   must_change_password=u.must_change_password)

    @classmethod
    def load(cls, session: Session, u: User, agency_id: int | None = None) -> CurrentUser | None:
        """The user acting in ``agency_id`` (None: their own agency) with their roles there and what those reach (a
        supervisor: the agencies below, from the hierarchy); None when they hold no roles there (any more)."""
        assert u.id is not None
        home = session.get(Agency, u.agency_id)
        if home is not None and not home.active:
            return None  # a deactivated agency's staff: no login, no token, whatever they held elsewhere
        seat = seat_in(session, u, agency_id)
        if seat is None:
            return None
        reach = supervised_agencies(session, seat.agency_id) if Role.SUPERVISOR in seat.roles else frozenset()
        return cls(u.id, seat.agency_id, u.unit_id if seat.home else None, u.username, u.display_name, seat.roles,
                   reach, u.must_change_password)


class Account(Protocol):
    """What a token is issued from: the account an authentication answered (db.models.User)."""

    @property
    def id(self) -> int | None: ...

    @property
    def agency_id(self) -> int: ...

    @property
    def password_changed_at(self) -> datetime | None: ...

    @property
    def token_generation(self) -> int: ...


def _stamp(user: Account) -> int:
    return int(user.password_changed_at.timestamp()) if user.password_changed_at else 0


def token_claims(user: Account, agency_id: int | None = None) -> dict[str, object]:
    """What a bearer token carries (signed by web.auth.TokenService): the account, its password's stamp and its
    token generation, and the agency it acts in when not its own (``agency_id``: one where it holds roles too)."""
    data: dict[str, object] = {"u": user.id, "p": _stamp(user), "g": user.token_generation}
    if agency_id is not None and agency_id != user.agency_id:
        data["a"] = agency_id
    return data


def token_user(engine: Engine, claims: Mapping[str, object]) -> CurrentUser | None:
    """The user of a verified token's claims, or None: account gone or deactivated, password changed since, the
    account's sessions ended since, or no roles (any more) in the agency the token acts in."""
    user_id = claims.get("u", 0)
    agency_id = claims.get("a")
    with read_session(engine) as s:
        user = s.get(User, int(user_id) if isinstance(user_id, int | str) else 0)
        if user is None or not user.active:
            return None
        if _stamp(user) != claims.get("p"):
            return None  # password changed since: old tokens die
        if claims.get("g", 0) != user.token_generation:
            return None  # the account's sessions were ended since: its tokens end with them
        return CurrentUser.load(s, user, agency_id if isinstance(agency_id, int) else None)


@dataclass(frozen=True)
class PageLogin:
    """A browser session's user and what every staff page shows of them, or why there is none (``problem``:
    missing | expired | revoked)."""

    user: CurrentUser | None
    problem: str | None = None
    session_id: int | None = None
    csrf_token: str = ""
    seat_count: int = 0  # agencies the person may act in (the switcher)
    agency_name: str = ""
    setup_missing: list[str] = field(default_factory=list)  # notice settings the agency has not filled in
    setup_held: int = 0  # documents waiting for them


def page_login(engine: Engine, token: str, *, now: datetime, idle_seconds: int, max_age_seconds: int) -> PageLogin:
    """The user behind a session token (an idle or too old session is ended: workflow.accounts.sessions.resolve),
    acting in the session's agency — or back in their own when the roles there were taken away."""
    res = web_sessions.resolve(engine, token, now=now, idle_seconds=idle_seconds, max_age_seconds=max_age_seconds)
    if res.user is None:
        return PageLogin(None, res.problem or "missing")
    with read_session(engine) as s:
        user = CurrentUser.load(s, res.user, res.agency_id) or CurrentUser.load(s, res.user)
        if user is None:  # the person's agency was deactivated
            return PageLogin(None, "revoked")
        seat_count = len(seats(s, res.user))
        agency = s.get(Agency, user.agency_id)
        # every staff page says which notice settings are missing, and how many documents wait for them
        missing = missing_notice_settings(agency.name, agency_config(agency)) if agency else []
        held = held_count(s, user.agency_id) if missing else 0
    return PageLogin(user, None, res.session_id, res.csrf_token, seat_count, agency.name if agency else "",
                     [m.label for m in missing], held)
