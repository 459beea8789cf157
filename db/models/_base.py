"""Shared column helpers for the table modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field


def json_field(default_factory: Any = dict, nullable: bool = False) -> Any:
    """A JSON column (JSON on SQLite, json on PostgreSQL)."""
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=nullable))


CASE_KINDS = ("disclosure", "workorder")
