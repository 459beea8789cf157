"""Many rows in one INSERT statement, on PostgreSQL and SQLite alike.

On PostgreSQL the rows travel as one JSON parameter expanded by ``jsonb_to_recordset`` — one short statement
instead of a multi-row VALUES text with thousands of placeholders (which the driver would parse on every
batch). On SQLite: SQLAlchemy's executemany. Every row must have the same keys.

``executemany``: the DB-API's own executemany with SQLAlchemy's statement and bind processors, each distinct
value converted once (the 12345 batch import, the go-live import's chunks).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, text
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


_MISS = object()


def _present(table: Table, rows: Sequence[dict[str, Any]]) -> list[str]:
    """The columns to bind: nullable columns without a default that are NULL in every row are left out."""
    return [k for k in rows[0] if not (table.c[k].nullable and table.c[k].default is None
                                       and table.c[k].server_default is None and all(r[k] is None for r in rows))]


def _convert(values: list[Any], proc: Callable[[Any], Any]) -> list[Any]:
    """Bind-process one column, each distinct value once. JSON values: a dict is keyed by identity
    (memoised explanations are shared objects), a flat list by its items ([] and missing years repeat)."""
    cache: dict[Any, Any] = {}
    out: list[Any] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        if isinstance(v, list):
            key: Any = tuple(v) if all(isinstance(x, str | int) for x in v) else id(v)
        else:
            key = id(v) if isinstance(v, dict) else v
        hit = cache.get(key, _MISS)
        if hit is _MISS:
            hit = cache[key] = proc(v)
        out.append(hit)
    return out


_COMPILED: dict[tuple[str, str, tuple[str, ...], str | tuple[str, ...] | None], Any] = {}


def executemany(session: Session | Connection, table: Table, rows: Sequence[dict[str, Any]], *,
                conflict: str | None = None, add_on: Sequence[str] = ()) -> None:
    """INSERT ``rows`` through the DB-API ``executemany`` with SQLAlchemy's own statement and bind
    processors, column by column, converting each distinct value once: receipt days, computed due
    instants and the memoised clock explanations repeat across thousands of rows. ``conflict``: ``ON CONFLICT
    (<conflict>) DO NOTHING``; ``add_on``: ``ON CONFLICT (<add_on>) DO UPDATE`` adding each other column's value to
    the stored one (counters). Every row must have the same keys."""
    if not rows:
        return
    conn = session if isinstance(session, Connection) else session.connection()
    dialect = conn.dialect
    keep = list(rows[0]) if add_on else _present(table, rows)
    key = (dialect.name, table.name, tuple(keep), conflict or tuple(add_on))
    compiled = _COMPILED.get(key)
    if compiled is None:
        binds = {k: bindparam(k, type_=table.c[k].type) for k in keep}
        stmt: Any = insert(table).values(binds)
        if conflict:
            stmt = conflict_insert(dialect.name, table).values(binds).on_conflict_do_nothing(
                index_elements=[conflict])
        elif add_on:
            ins = conflict_insert(dialect.name, table).values(binds)
            stmt = ins.on_conflict_do_update(index_elements=[table.c[k] for k in add_on],
                                             set_={k: table.c[k] + ins.excluded[k] for k in keep if k not in add_on})
        compiled = _COMPILED[key] = stmt.compile(dialect=dialect, for_executemany=True)
    order = list(compiled.positiontup or keep)  # qmark (SQLite): the statement's order; else named
    columns = []
    for k in order:
        values = [r[k] for r in rows]
        proc = table.c[k].type.dialect_impl(dialect).bind_processor(dialect)
        columns.append(values if proc is None else _convert(values, proc))
    params: list[Any] = list(zip(*columns, strict=True))
    if not compiled.positiontup:
        params = [dict(zip(order, p, strict=True)) for p in params]
    conn.exec_driver_sql(compiled.string, params)


__all__ = ["bulk_insert", "executemany"]
