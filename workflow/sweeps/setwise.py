"""Notices built by the database: the pieces of an ``INSERT INTO outbox … SELECT`` (issue 21: the reminders, the
leaders' overdue notices of the escalation sweep).

A catch-up pass over a large backlog writes hundreds of thousands of internal notices. Built row by row in Python
(read the cases, the people, build each context, send it back as JSON) it cost a minute at a million open cases; here
the database builds each row's context itself from the clock, its case and its recipient, one statement per batch.
What a row holds is exactly what ``workflow.sweeps.base.internal_notice`` builds (tests/workflow/
test_sweeps_setwise.py compares them): the agency snapshot, the recipient's name, the issue date, the notice's own
part, and the case reference of ``case_refs`` (number: the first filled of the kind's ``ref_number`` columns, else
``#<id>``; summary: the first filled of its ``ref_summary`` columns, trimmed like ``_summary``, at most 60 characters
and "…").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, String, case, cast, func, literal, select, union_all
from sqlalchemy.dialects import postgresql

from db.engine import conflict_insert, dialect_name
from states.vocab import OutboxStatus
from workflow.cases.kind import CaseKind
from workflow.kinds import clock_kinds, installed
from workflow.sweeps.base import CLOCKS, NO_OFFICER, OUTBOX

# what ``str.strip()`` strips (every character ``str.isspace()`` holds true for, below U+3001)
WHITESPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
NO_SUMMARY = "（无摘要）"
SUMMARY_LEN = 60


class Sql:
    """The dialect's spelling of what the statements need (PostgreSQL or SQLite)."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def obj(self, *pairs: tuple[str, Any]) -> ColumnElement[Any]:
        """A JSON object, keys in the given order."""
        args: list[Any] = []
        for key, value in pairs:
            args += [literal(key, String), value]
        return (func.json_build_object if self.pg else func.json_object)(*args)

    def json_value(self, value: Any) -> ColumnElement[Any]:
        """A constant JSON value (the agency snapshot, true)."""
        text = json.dumps(value, ensure_ascii=False)
        if self.pg:
            return cast(literal(text, String), postgresql.JSON)
        return func.json(literal(text, String))

    def json_bool(self, column: Any) -> ColumnElement[Any]:
        """A boolean column as JSON true/false (SQLite stores 1/0, which its json_object would keep as numbers)."""
        if self.pg:
            return column  # type: ignore[no-any-return]
        return case((column.is_(True), self.json_value(True)), else_=self.json_value(False))

    def text(self, value: Any) -> ColumnElement[str]:
        return cast(value, String)

    def iso_date(self, column: Any) -> ColumnElement[str]:
        """A date column as YYYY-MM-DD (SQLite stores it so)."""
        return func.to_char(column, "YYYY-MM-DD") if self.pg else cast(column, String)

    def trim(self, value: Any) -> ColumnElement[str]:
        """``value`` without the leading and trailing whitespace ``str.strip()`` removes."""
        return (func.btrim if self.pg else func.trim)(value, literal(WHITESPACE, String))

    def ids(self, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
        """``column`` among ``ids`` — one array parameter on PostgreSQL, a JSON list on SQLite (never one parameter
        per id)."""
        out: ColumnElement[bool]
        if self.pg:
            out = column == func.any(cast(literal(list(ids), postgresql.ARRAY(Integer)), postgresql.ARRAY(Integer)))
        else:
            each = func.json_each(literal(json.dumps(list(ids)), String)).table_valued("value")
            out = column.in_(select(each.c.value))
        return out


def filled(value: Any) -> ColumnElement[Any]:
    """NULL for an empty value (Python's ``if r[n]`` on a text column)."""
    return func.nullif(cast(value, String), "")


def summary(sql: Sql, source: Any) -> ColumnElement[str]:
    """``workflow.sweeps.base._summary`` in SQL: stripped, line feeds as spaces, 60 characters + "…", else 无摘要."""
    text = func.replace(sql.trim(func.coalesce(source, "")), "\n", " ")
    cut = case((func.length(text) > SUMMARY_LEN, func.substr(text, 1, SUMMARY_LEN) + literal("…", String)),
               else_=text)
    return func.coalesce(func.nullif(cut, ""), NO_SUMMARY)


def case_ref(sql: Sql, kind: CaseKind, t: Any) -> ColumnElement[Any]:
    """The ``case`` part of an internal notice for the clock's case row ``t`` (outer-joined: a missing row gives
    ``#<case id>`` and 无摘要, as ``fallback_ref``)."""
    c = CLOCKS.c
    number = func.coalesce(*(filled(t.c[n]) for n in kind.ref_number), literal("#", String) + sql.text(c.case_id))
    source = func.coalesce(*(filled(t.c[n]) for n in kind.ref_summary), literal("", String)) \
        if kind.ref_summary else literal("", String)
    return sql.obj(("kind", literal(kind.name, String)), ("kind_label", literal(kind.label(), String)),
                   ("number", number), ("summary", summary(sql, source)))


def recipient_name(name: Any) -> ColumnElement[str]:
    """What ``people`` and ``internal_notice`` call a recipient: the display name, else 未分办."""
    return func.coalesce(func.nullif(name, ""), NO_OFFICER)


def by_value(column: Any, values: Mapping[Any, Any], else_: Any) -> ColumnElement[Any]:
    """``CASE column WHEN k THEN v … ELSE else_ END``."""
    if not values:
        return else_ if isinstance(else_, ColumnElement) else literal(else_)
    return case(*((column == k, literal(v)) for k, v in values.items()), else_=else_)


def kinds_of(kinds: Sequence[str]) -> dict[str, CaseKind]:
    """The case kinds whose clocks the clock kinds ``kinds`` are."""
    specs = clock_kinds()
    names = {specs[k].case_kind for k in kinds if k in specs}
    return {n: k for n, k in installed().items() if n in names}


OUTBOX_COLUMNS = ("agency_id", "case_kind", "case_id", "notice_type", "channel", "recipient", "recipient_name",
                  "context", "dedupe_key", "status", "attempts", "next_attempt_at", "created_at")


def internal_row(sql: Sql, notice_type: str, recipient_id: Any, name: Any, context: Any, key: Any, *,
                 hold: datetime, now: datetime) -> list[Any]:
    """The ``OUTBOX_COLUMNS`` of an internal notice about the clock's case to user ``recipient_id`` (a pending row,
    due at ``hold``), as ``internal_notice`` fills them."""
    c = CLOCKS.c
    return [c.agency_id, c.case_kind, c.case_id, literal(notice_type, String), literal("internal", String),
            literal("user:", String) + sql.text(recipient_id), name, context, key,
            literal(OutboxStatus.PENDING.value, String), literal(0, Integer),
            literal(hold, OUTBOX.c.next_attempt_at.type), literal(now, OUTBOX.c.created_at.type)]


def insert_notices(session: Any, parts: Sequence[Select[Any]]) -> int:
    """``INSERT INTO outbox … SELECT`` the rows of ``parts`` (each selecting ``OUTBOX_COLUMNS``) ``ON CONFLICT
    (dedupe_key) DO NOTHING``, in one statement; returns how many were new."""
    if not parts:
        return 0
    rows = parts[0] if len(parts) == 1 else union_all(*parts)
    stmt = conflict_insert(dialect_name(session), OUTBOX).from_select(list(OUTBOX_COLUMNS), rows) \
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    return int(session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount or 0)


__all__ = ["NO_SUMMARY", "OUTBOX_COLUMNS", "WHITESPACE", "Sql", "by_value", "case_ref", "filled", "insert_notices",
           "internal_row", "kinds_of", "recipient_name", "summary"]
