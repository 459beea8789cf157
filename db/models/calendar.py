"""The working calendar as data: holiday notices and the per-date rows they produce."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models._base import json_field


class CalendarNotice(SQLModel, table=True):
    """One imported holiday notice (e.g. 国办发明电〔2026〕N号) for a year and scope; versioned."""

    __tablename__ = "calendar_notice"
    __table_args__ = (Index("ix_calendar_notice_scope_year", "scope", "year", "active"),)
    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=64)  # "national", or an agency/region code
    year: int
    document: str = Field(max_length=300)
    source: str = Field(max_length=100)  # "chinese-calendar 1.11.0", "import", …
    imported_by: str = Field(max_length=100)
    imported_at: datetime
    calendar_version: int  # the calendar version this import created
    active: bool = True  # False once replaced by a later import for the same year/scope
    replaced_by_id: int | None = Field(default=None, foreign_key="calendar_notice.id")
    raw: dict[str, Any] = json_field()


class CalendarDay(SQLModel, table=True):
    """A date that departs from the Mon–Fri rule: a holiday (off) or a make-up working day (调休上班)."""

    __tablename__ = "calendar_day"
    __table_args__ = (UniqueConstraint("scope", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="calendar_notice.id", index=True)
    scope: str = Field(max_length=64)
    day: date
    kind: str = Field(max_length=16)  # "holiday" | "workday"
    name: str = Field(max_length=100)


class CalendarState(SQLModel, table=True):
    """Single row holding the current calendar version (bumped by every import) and the fixed-date statutory
    holidays assumed for a year without its notice (``states.calendar_fixed``; synced from the packaged data at start,
    bumping the version when it changes)."""

    __tablename__ = "calendar_state"
    id: int = Field(default=1, primary_key=True)
    version: int = 0
    fixed_holidays: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
