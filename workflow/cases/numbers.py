"""Gap-free number series per agency/kind/year.

The counter row is upserted-and-incremented (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) inside
the caller's transaction: the
row lock (PostgreSQL) or the database write lock (SQLite, BEGIN IMMEDIATE) is held until commit,
so a rolled-back registration never consumes a number and concurrent ones never share one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam
from sqlmodel import Session

from db.engine import conflict_insert, dialect_name
from db.models import NumberSeries

_TABLE = NumberSeries.__table__  # type: ignore[attr-defined]
_STMT: dict[str, Any] = {}


def next_number(session: Session | Connection, agency_id: int, kind: str, year: int, *, count: int = 1) -> int:
    """Take ``count`` consecutive numbers; returns the last (the first is ``last - count + 1``)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    dialect = dialect_name(session)
    stmt = _STMT.get(dialect)
    if stmt is None:  # built once with bound parameters: no statement construction per call
        ins = conflict_insert(dialect, _TABLE).values(
            agency_id=bindparam("agency_id"), kind=bindparam("kind"), year=bindparam("year"),
            last_value=bindparam("count"))
        stmt = _STMT[dialect] = ins.on_conflict_do_update(
            index_elements=["agency_id", "kind", "year"],
            set_={"last_value": _TABLE.c.last_value + bindparam("count_again")},
        ).returning(_TABLE.c.last_value)
    params = {"agency_id": agency_id, "kind": kind, "year": year, "count": count, "count_again": count}
    return int(session.execute(stmt, params).scalar_one())
