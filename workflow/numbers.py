"""Gap-free number series per agency/kind/year.

The counter row is upserted-and-incremented (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) inside
the caller's transaction: the
row lock (PostgreSQL) or the database write lock (SQLite, BEGIN IMMEDIATE) is held until commit,
so a rolled-back registration never consumes a number and concurrent ones never share one.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from db.engine import dialect_name
from db.models import NumberSeries


def next_number(session: Session | Connection, agency_id: int, kind: str, year: int) -> int:
    table = NumberSeries.__table__  # type: ignore[attr-defined]
    dialect = dialect_name(session)
    ins = (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)).values(
        agency_id=agency_id, kind=kind, year=year, last_value=1
    )
    stmt = ins.on_conflict_do_update(
        index_elements=["agency_id", "kind", "year"], set_={"last_value": table.c.last_value + 1}
    ).returning(table.c.last_value)
    return int(session.execute(stmt).scalar_one())
