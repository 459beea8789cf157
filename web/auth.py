"""Bearer tokens for the API (signed, stateless) and the current-user dependency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Engine

from db.engine import read_session
from db.models import User
from states.machine import Actor
from states.roles import Role, parse_roles


@dataclass(frozen=True)
class CurrentUser:
    """The authenticated staff member, detached from any session."""

    id: int
    agency_id: int
    unit_id: int | None
    username: str
    display_name: str
    roles: frozenset[Role]

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.roles)

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @classmethod
    def from_row(cls, u: User) -> CurrentUser:
        assert u.id is not None
        return cls(u.id, u.agency_id, u.unit_id, u.username, u.display_name, parse_roles(u.roles))


class TokenService:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._s = URLSafeTimedSerializer(secret, salt="banli-api-token")
        self.ttl = ttl_seconds

    def issue(self, user: User) -> str:
        stamp = int(user.password_changed_at.timestamp()) if user.password_changed_at else 0
        return self._s.dumps({"u": user.id, "p": stamp})

    def verify(self, engine: Engine, token: str) -> CurrentUser | None:
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
            return CurrentUser.from_row(user)


def is_locked(user: User, now: datetime) -> bool:
    return bool(user.locked_until and user.locked_until > now)
