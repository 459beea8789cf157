"""Adding a delta to ``case_tally``: one ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` per batch of
keys (SQLite and PostgreSQL alike), inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers case_tally)
from db.engine import conflict_insert
from workflow.tally.contrib import KEY, MEASURES, Delta, rows

T = SQLModel.metadata.tables["case_tally"]
CHUNK = 500  # keys a statement (SQLite allows 32,766 parameters: 16 columns × 500 stays well below)


def add(conn: Connection, delta: Delta) -> int:
    """Add ``delta`` to the stored counts; returns the number of keys written."""
    values = rows(delta)
    for i in range(0, len(values), CHUNK):
        upsert(conn, values[i:i + CHUNK])
    return len(values)


def upsert(conn: Connection, values: list[dict[str, Any]]) -> None:
    ins = conflict_insert(conn.dialect.name, T).values(values)
    conn.execute(ins.on_conflict_do_update(index_elements=[T.c[k] for k in KEY],
                                           set_={m: T.c[m] + ins.excluded[m] for m in MEASURES}))
