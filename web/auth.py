"""Bearer tokens for the API (signed, stateless) and the current-user dependency."""

from __future__ import annotations

import time
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Engine
from sqlmodel import Session

from db.engine import read_session
from db.models import Agency, User
from states.machine import Actor
from states.roles import Role
from workflow.accounts.memberships import seat_in
from workflow.accounts.principal import Principal
from workflow.accounts.roles import roles_of
from workflow.agencies.registry import supervised_agencies


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


class TokenService:
    """Signed bearer tokens. A verified token is remembered for a few seconds so that a busy client
    does not cost a user look-up per request; deactivation or a password change takes effect
    within ``cache_seconds``."""

    def __init__(self, secret: str, ttl_seconds: int, cache_seconds: float = 5.0) -> None:
        self._s = URLSafeTimedSerializer(secret, salt="banli-api-token")
        self.ttl = ttl_seconds
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, CurrentUser]] = {}

    def issue(self, user: User, agency_id: int | None = None) -> str:
        """A token acting in the user's own agency, or in ``agency_id`` where they hold roles too."""
        stamp = int(user.password_changed_at.timestamp()) if user.password_changed_at else 0
        data: dict[str, object] = {"u": user.id, "p": stamp, "g": user.token_generation}
        if agency_id is not None and agency_id != user.agency_id:
            data["a"] = agency_id
        return self._s.dumps(data)

    def verify(self, engine: Engine, token: str) -> CurrentUser | None:
        hit = self._cache.get(token)
        mono = time.monotonic()
        if hit is not None and hit[0] > mono:
            return hit[1]
        user = self._verify(engine, token)
        if user is not None:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[token] = (mono + self.cache_seconds, user)
        return user

    def forget_user(self, user_id: int) -> None:
        """Drop this process's remembered tokens of a user (after a password change, deactivation…), so the
        change takes effect here at once; other instances follow within ``cache_seconds``."""
        for token, (_, user) in list(self._cache.items()):
            if user.id == user_id:
                self._cache.pop(token, None)

    def _verify(self, engine: Engine, token: str) -> CurrentUser | None:
        try:
            data = self._s.loads(token, max_age=self.ttl)
        except (BadSignature, SignatureExpired):
            return None
        with read_session(engine) as s:
            user = s.get(User, int(data.get("u", 0)))
            if user is None or not user.active:
                return None
            stamp = int(user.password_changed_at.timestamp()) if user.password_changed_at else 0
            if stamp != data.get("p"):
                return None  # password changed since: old tokens die
            if data.get("g", 0) != user.token_generation:
                return None  # the account's sessions were ended since: its tokens end with them
            return CurrentUser.load(s, user, data.get("a"))  # None: the roles there were taken away
