"""Browser sessions of staff: one row per login, so logout, idle time-out and admin revocation work."""

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


__all__ = ["WebSession"]
