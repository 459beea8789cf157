"""Many rows in one INSERT statement, on PostgreSQL and SQLite alike.

On PostgreSQL the rows travel as one JSON parameter expanded by ``jsonb_to_recordset`` — one short statement
instead of a multi-row VALUES text with thousands of placeholders (which the driver would parse on every
batch). On SQLite: SQLAlchemy's executemany. Every row must have the same keys.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlmodel import Session

from db.engine import conflict_insert


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def bulk_insert(session: Session | Connection, table: Any, rows: Sequence[dict[str, Any]], *,
                conflict: str | None = None, returning: str | None = None) -> list[Any]:
    """Insert ``rows`` in one statement in the caller's transaction; ``ON CONFLICT (<conflict>) DO NOTHING``;
    with ``returning``, the returned column of the rows actually inserted."""
    if not rows:
        return []
    dialect = session.dialect if isinstance(session, Connection) else session.get_bind().dialect
    if dialect.name != "postgresql":
        ins = conflict_insert(dialect.name, table)
        if conflict:
            ins = ins.on_conflict_do_nothing(index_elements=[conflict])
        if returning:
            return list(session.execute(ins.returning(table.c[returning]), list(rows)).all())
        session.execute(ins, list(rows))
        return []
    cols = list(rows[0])
    spec = ", ".join(f'"{c}" {table.c[c].type.compile(dialect=dialect)}' for c in cols)
    names = ", ".join(f'"{c}"' for c in cols)
    sql = (f'INSERT INTO "{table.name}" ({names}) SELECT {names} '
           f"FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x({spec})")
    if conflict:
        sql += f' ON CONFLICT ("{conflict}") DO NOTHING'
    if returning:
        sql += f' RETURNING "{returning}"'
    result = session.execute(text(sql), {"rows": json.dumps(list(rows), default=_json_default, ensure_ascii=False)})
    return list(result.all()) if returning else []


__all__ = ["bulk_insert"]
