"""Browser sessions of staff (one row per login), the portal's used challenges, the public rate-limit
counters and the failed-login counters (both shared by every instance on the database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class WebSession(SQLModel, table=True):
    """A staff login. The cookie holds a random token; only its SHA-256 is stored here."""

    __tablename__ = "web_session"
    __table_args__ = (Index("ix_web_session_user", "user_id", "revoked_at"),)
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="app_user.id")
    csrf_token: str = Field(max_length=64)  # per-session token every form must echo
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str = Field(default="", max_length=32)  # logout | idle | admin | password | deactivated
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    # the agency the person acts in through this login (one of their agencies; None: their own)
    agency_id: int | None = Field(default=None, foreign_key="agency.id")


class ChallengeUse(SQLModel, table=True):
    """A portal challenge already answered (or failed): its nonce may not be used again (workflow.portal.challenge)."""

    __tablename__ = "challenge_use"
    nonce: str = Field(primary_key=True, max_length=32)
    used_at: datetime
    expires_at: datetime = Field(index=True)  # rows past this are deleted (the token has expired anyway)


class RateCounter(SQLModel, table=True):
    """Attempts of one key (an IP, a tracking number) in one fixed window of a limit (workflow.portal.rate_limits)."""

    __tablename__ = "rate_counter"
    __table_args__ = (Index("ix_rate_counter_expiry", "scope", "window_start"),)
    scope: str = Field(primary_key=True, max_length=40)  # which limit, e.g. "lookup_ip"
    key: str = Field(primary_key=True, max_length=200)
    window_start: int = Field(primary_key=True)  # epoch seconds, a multiple of the window length
    count: int = 0


class LoginThrottle(SQLModel, table=True):
    """Failed logins from one client address (``scope`` "ip") or for one login name (``scope`` "name", whether or
    not an account has it) in the current window; reaching the limit blocks the key until ``blocked_until``
    (workflow.accounts.throttle)."""

    __tablename__ = "login_throttle"
    scope: str = Field(primary_key=True, max_length=8)
    key: str = Field(primary_key=True, max_length=200)
    failures: int = 0
    window_start: datetime  # the first failure counted in this window
    blocked_until: datetime | None = None
    expires_at: datetime = Field(index=True)  # the row means nothing after this: start anew, or deleted


__all__ = ["ChallengeUse", "LoginThrottle", "RateCounter", "WebSession"]
