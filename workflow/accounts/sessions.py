"""Staff browser sessions: open on login, resolve per request (idle time-out), log out, revoke.

The cookie carries a random token; the table stores only its SHA-256, so a copy of the database
cannot be replayed as a login. Each session has its own CSRF token that every form echoes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, func, select

from db.engine import read_session, write_session
from db.models import User, WebSession

TOUCH_AFTER = timedelta(seconds=60)  # write last_seen_at at most once a minute per session


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Opened:
    token: str  # goes into the (signed) cookie; never stored
    csrf_token: str


@dataclass(frozen=True)
class Resolved:
    """A live session and its user (detached), or why there is none."""

    user: User | None
    session_id: int | None = None
    csrf_token: str = ""
    problem: str | None = None  # None | "missing" | "expired" | "revoked"
    agency_id: int | None = None  # the agency the login acts in (None: the person's own)


def open_session(engine: Engine, user_id: int, *, now: datetime, ip: str = "", user_agent: str = "") -> Opened:
    """A fresh session for a successful login (a new token every time: no session fixation)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with write_session(engine) as s:
        s.add(WebSession(token_hash=token_hash(token), user_id=user_id, csrf_token=csrf, created_at=now,
                         last_seen_at=now, ip=ip[:64], user_agent=user_agent[:300]))
        s.commit()
    return Opened(token, csrf)


def resolve(engine: Engine, token: str, *, now: datetime, idle_seconds: int, max_age_seconds: int) -> Resolved:
    """The user behind a session token; an idle or too old session is ended here."""
    h = token_hash(token)
    with read_session(engine) as s:
        pair = s.exec(select(WebSession, User).join(User, col(User.id) == col(WebSession.user_id))
                      .where(WebSession.token_hash == h)).first()
    if pair is None:
        return Resolved(None, problem="missing")
    ws, user = pair
    if ws.revoked_at is not None or not user.active:
        return Resolved(None, problem="revoked")
    idle = now - ws.last_seen_at > timedelta(seconds=idle_seconds)
    too_old = now - ws.created_at > timedelta(seconds=max_age_seconds)
    if idle or too_old:
        _end(engine, ws.id, now, "idle" if idle else "max_age")
        return Resolved(None, problem="expired")
    if now - ws.last_seen_at >= TOUCH_AFTER:
        with write_session(engine) as w:
            w.execute(update(WebSession).where(col(WebSession.id) == ws.id).values(last_seen_at=now))
            w.commit()
    return Resolved(user, ws.id, ws.csrf_token, agency_id=ws.agency_id)


def _end(engine: Engine, session_id: int | None, now: datetime, reason: str) -> None:
    with write_session(engine) as s:
        s.execute(update(WebSession).where(col(WebSession.id) == session_id, col(WebSession.revoked_at).is_(None))
                  .values(revoked_at=now, revoked_reason=reason))
        s.commit()


def logout(engine: Engine, token: str, *, now: datetime) -> None:
    with write_session(engine) as s:
        s.execute(update(WebSession).where(col(WebSession.token_hash) == token_hash(token),
                                           col(WebSession.revoked_at).is_(None))
                  .values(revoked_at=now, revoked_reason="logout"))
        s.commit()


def revoke_user_sessions_in(session: Session, user_id: int, *, now: datetime, reason: str) -> int:
    """End every live session of a user, and the API tokens issued to them, inside the caller's transaction;
    returns how many sessions."""
    res = session.execute(update(WebSession).where(col(WebSession.user_id) == user_id,
                                                   col(WebSession.revoked_at).is_(None))
                          .values(revoked_at=now, revoked_reason=reason))
    end_tokens_in(session, user_id)
    return int(getattr(res, "rowcount", 0) or 0)


def end_tokens_in(session: Session, user_id: int) -> None:
    """End every API token issued to a user so far (its token generation moves on: workflow.accounts.current),
    inside the caller's transaction; browser sessions are not touched."""
    session.execute(update(User).where(col(User.id) == user_id)
                    .values(token_generation=col(User.token_generation) + 1))


def live_session_counts(session: Session, user_ids: list[int], *, now: datetime, idle_seconds: int) -> dict[int, int]:
    """Live (not revoked, not idle) sessions per user, counted in SQL."""
    if not user_ids:
        return {}
    since = now - timedelta(seconds=idle_seconds)
    rows = session.exec(select(WebSession.user_id, func.count()).where(
        col(WebSession.user_id).in_(user_ids), col(WebSession.revoked_at).is_(None),
        col(WebSession.last_seen_at) >= since).group_by(col(WebSession.user_id))).all()
    return {int(uid): int(n) for uid, n in rows}


def act_in(engine: Engine, session_id: int, agency_id: int | None) -> None:
    """Make a login act in another of the person's agencies (the caller checked they hold roles there)."""
    with write_session(engine) as s:
        s.execute(update(WebSession).where(col(WebSession.id) == session_id).values(agency_id=agency_id))
        s.commit()
