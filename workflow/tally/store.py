"""Adding a delta to ``case_tally``: one ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``, executed for every
key of the delta (SQLite and PostgreSQL alike), inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers case_tally)
from db.bulk import executemany
from workflow.tally.contrib import KEY, MEASURES, Delta, rows

T = SQLModel.metadata.tables["case_tally"]


def add(conn: Connection, delta: Delta) -> int:
    """Add ``delta`` to the stored counts; returns the number of keys written."""
    values = rows(delta)
    executemany(conn, T, values, add_on=KEY)  # one statement, executed for every key (compiled once)
    return len(values)


def insert_fresh(conn: Connection, delta: Delta) -> int:
    """Write ``delta`` where none of its keys is stored yet (a rebuild, after deleting): COPY on PostgreSQL, one
    plain INSERT executed per key on SQLite. Returns the number of keys written."""
    values = rows(delta)
    if not values:
        return 0
    if conn.dialect.name != "postgresql":
        conn.execute(T.insert(), values)
        return len(values)
    columns = [*KEY, *MEASURES]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY case_tally ({', '.join(columns)}) FROM STDIN") as copy:
        for v in values:
            copy.write_row([v[c] for c in columns])
    return len(values)
