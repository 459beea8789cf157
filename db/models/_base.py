"""Shared column helpers for the table modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field


def empty_dict() -> dict[str, Any]:
    return {}


def empty_list() -> list[Any]:
    return []


# pydantic asks each default factory, on every instance built without the field, whether it takes the validated data:
# for a builtin (``dict``, ``list``) that means parsing its text signature (~100 µs a row built, measured on Clock);
# for a plain function it is a cheap look-up. Same value: a new empty dict or list each time.
_FACTORIES: dict[Any, Any] = {dict: empty_dict, list: empty_list}


def json_field(default_factory: Any = dict, nullable: bool = False) -> Any:
    """A JSON column (JSON on SQLite, json on PostgreSQL)."""
    return Field(default_factory=_FACTORIES.get(default_factory, default_factory),
                 sa_column=Column(JSON, nullable=nullable))


CASE_KINDS = ("disclosure", "workorder")


# PostgreSQL fill factor of the tables whose rows are updated often (cases, clocks): a page keeps 15 % free so an
# update that changes no indexed column stays on its page (a HOT update: no index entry written). At 1 M open cases the
# catch-up pass's reminder-rung and overdue-level updates: 2.6 → 1.0 s and 0.9 → 0.3 s (issue 21).
FILLFACTOR = 85
HOT_UPDATES = {"postgresql_with": {"fillfactor": FILLFACTOR}}  # the last of such a table's ``__table_args__``
