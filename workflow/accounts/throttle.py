"""Login throttling (issue 15): failed logins counted in the database, per client address and per login name, so
that every instance on one PostgreSQL (every process on one SQLite file) shares the counts.

Only failures count — an unknown name or a wrong password — so an office behind one NAT address where people
log in successfully all day is never held up by its own colleagues. Each key counts its failures from the first
one for ``window_seconds``; reaching ``max_failures`` within it blocks the key for ``window_seconds`` from then.
A blocked address is refused before anything else is done (no password hash, no write: a flood from one
address costs one indexed read per attempt once it is blocked). A login name is counted and locked the same way
whether or not an account has it, so neither the answer nor its timing says which accounts exist.

Rows whose window or block is over mean nothing any more: the next failure of the key starts it anew, and
whenever a key gets its first row the expired rows of every key are deleted (``ix_login_throttle_expires_at``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import and_, delete, or_
from sqlmodel import Session, col, select

from db.engine import conflict_insert, dialect_name
from db.models import LoginThrottle

ADDRESS = "ip"
NAME = "name"
KEY_LENGTH = 200

_T = LoginThrottle.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Limit:
    """``max_failures`` failures within ``window_seconds`` block the key for ``window_seconds``."""

    max_failures: int
    window_seconds: int

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.window_seconds < 1:
            raise ValueError("max_failures and window_seconds must be positive")


@dataclass(frozen=True)
class LoginLimits:
    name: Limit  # per login name: settings.login_max_failures / login_lockout_seconds
    address: Limit  # per client address: settings.login_ip_max_failures / login_ip_window_seconds


@dataclass(frozen=True)
class Standing:
    """What the counters say of one attempt before it is tried."""

    address_blocked_until: datetime | None
    name_blocked_until: datetime | None
    name_counted: bool  # the name has failures on record (a successful login clears them)


def _key(value: str) -> str:
    return value[:KEY_LENGTH]


def standing(session: Session, *, ip: str, username: str, now: datetime) -> Standing:
    """One read of the address's and the name's counters."""
    rows = session.exec(select(LoginThrottle).where(or_(
        and_(col(LoginThrottle.scope) == ADDRESS, col(LoginThrottle.key) == _key(ip)),
        and_(col(LoginThrottle.scope) == NAME, col(LoginThrottle.key) == _key(username))))).all()
    live = {r.scope: r for r in rows if r.expires_at > now}
    address, name = live.get(ADDRESS), live.get(NAME)

    def blocked(row: LoginThrottle | None) -> datetime | None:
        return row.blocked_until if row is not None and row.blocked_until and row.blocked_until > now else None

    return Standing(blocked(address), blocked(name), name is not None and name.failures > 0)


def count_failure(session: Session, scope: str, key: str, limit: Limit, *, now: datetime) -> datetime | None:
    """Count one failure of ``key`` inside the caller's write transaction; the end of the block when this failure
    reached the limit, else None. A key blocked meanwhile (a parallel attempt) is not counted again."""
    key = _key(key)
    window = timedelta(seconds=limit.window_seconds)
    fresh = conflict_insert(dialect_name(session), _T).values(
        scope=scope, key=key, failures=0, window_start=now, blocked_until=None, expires_at=now + window,
    ).on_conflict_do_nothing(index_elements=["scope", "key"]).returning(_T.c.failures)
    if session.execute(fresh).first() is not None:
        # a key's first row: forget the rows nobody needs any more (an indexed range, usually empty)
        session.execute(delete(_T).where(_T.c.expires_at <= now))
    query = select(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.key == key)
    if dialect_name(session) != "sqlite":  # SQLite's write lock serialises the transaction anyway
        query = query.with_for_update()
    row = session.exec(query).one()
    if row.expires_at <= now:  # the last window or block is over: start anew
        row.failures, row.window_start, row.blocked_until, row.expires_at = 0, now, None, now + window
    if row.blocked_until is not None and row.blocked_until > now:
        return None
    row.failures += 1
    if row.failures < limit.max_failures:
        return None
    row.blocked_until = row.expires_at = now + window
    return row.blocked_until


def clear_name(session: Session, username: str) -> None:
    """Forget a name's failures and lock (a successful login, an administrator's unlock or password reset)."""
    session.execute(delete(_T).where(_T.c.scope == NAME, _T.c.key == _key(username)))


def locked_names(session: Session, usernames: Iterable[str], now: datetime) -> frozenset[str]:
    """Which of these login names are locked at ``now``."""
    keys = [_key(u) for u in usernames]
    if not keys:
        return frozenset()
    rows = session.exec(select(col(LoginThrottle.key)).where(
        LoginThrottle.scope == NAME, col(LoginThrottle.key).in_(keys), col(LoginThrottle.blocked_until) > now)).all()
    return frozenset(rows)


class AddressMemo:
    """This process's memory of the addresses the database has refused, and until when: a flood from one address
    is then refused without touching the database at all. The database stays the authority — another instance
    learns of a block with its own first read — and an address's block is never lifted early, so remembering it
    until it ends is exact."""

    def __init__(self, size: int = 10_000) -> None:
        self._until: dict[str, datetime] = {}
        self._size = size

    def blocked_until(self, ip: str, now: datetime) -> datetime | None:
        until = self._until.get(_key(ip))
        return until if until is not None and until > now else None

    def note(self, ip: str, until: datetime) -> None:
        if len(self._until) >= self._size:
            self._until.clear()
        self._until[_key(ip)] = until


def wait_words(until: datetime, now: datetime) -> str:
    """How long until ``until``, as a clerk reads it: 约 N 分钟 (at least one)."""
    return f"约 {max(1, ceil((until - now).total_seconds() / 60))} 分钟"


def retry_after(until: datetime, now: datetime) -> int:
    """Whole seconds until ``until`` (at least 1), for a Retry-After header."""
    return max(1, ceil((until - now).total_seconds()))
