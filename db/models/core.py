"""Tenancy and people: agencies, units, users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, Integer, String, UniqueConstraint, false, text, true
from sqlmodel import Field, SQLModel

from db.models._base import json_field


class Agency(SQLModel, table=True):
    """An agency (行政机关) served by this instance; every case, user and series belongs to one."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    # The body above (a county government above its departments and towns): who supervises whom, and the
    # remedy bodies proposed under 行政复议法第二十四条 (states.agencies).
    parent_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    kind: str = Field(default="department", sa_column=Column("kind", String(16), nullable=False,
                                                             server_default="department"))  # states.agencies.AgencyKind
    # A body with cases is never deleted: deactivated, it takes no new cases and its staff cannot log in.
    active: bool = Field(default=True, sa_column=Column("active", Boolean, nullable=False, server_default=true()))
    deactivated_at: datetime | None = None
    # Per-agency settings: seal text, address, phone, remedy organ, document prefixes, working
    # hours, calendar scopes, hotline profile, disclosure options (see workflow.agencies.config).
    settings: dict[str, Any] = json_field()
    created_at: datetime


class Unit(SQLModel, table=True):
    """An internal unit (科室) of an agency; officers belong to one."""

    __table_args__ = (UniqueConstraint("agency_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    name: str = Field(max_length=200)


class User(SQLModel, table=True):
    """A staff account of one agency (``agency_id``); the roles it holds there and in any other agency it serves are
    rows of ``user_role`` (``UserRole``), read through workflow.accounts.roles."""

    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)
    password_hash: str = Field(max_length=255)
    active: bool = True
    password_changed_at: datetime | None = None
    # A password someone else chose (the printed bootstrap password, an admin's reset): changed at the next login.
    must_change_password: bool = Field(default=False, sa_column=Column("must_change_password", Boolean,
                                                                       nullable=False, server_default=false()))
    # Bumped whenever the account's sessions are ended (by an admin, a password reset, deactivation): API
    # tokens carry the value they were issued under and die with the sessions (web.auth.TokenService).
    token_generation: int = Field(default=0, sa_column=Column("token_generation", Integer, nullable=False,
                                                              server_default=text("0")))
    created_at: datetime


class UserRole(SQLModel, table=True):
    """One role (states.roles.Role) a person holds in one agency: their own (``app_user.agency_id``) or another they
    also serve (兼任: the county's disclosure office staff often serve several, granted by that agency's
    administrator). A person acts in one agency at a time, with the roles held there (issue 17: rows, not text)."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "agency_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")  # the unique key's first column serves the look-ups by user
    agency_id: int = Field(foreign_key="agency.id", index=True)
    role: str = Field(max_length=32)
