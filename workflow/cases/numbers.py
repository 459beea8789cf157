"""Gap-free number series per agency/kind/year.

The counter row is upserted-and-incremented (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) inside
the caller's transaction: the
row lock (PostgreSQL) or the database write lock (SQLite, BEGIN IMMEDIATE) is held until commit,
so a rolled-back registration never consumes a number and concurrent ones never share one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, update
from sqlmodel import Session

from db.engine import conflict_insert, dialect_name
from db.models import NumberSeries

_TABLE = NumberSeries.__table__  # type: ignore[attr-defined]
_STMT: dict[str, Any] = {}


def next_number(session: Session | Connection, agency_id: int, kind: str, year: int, *, count: int = 1) -> int:
    """Take ``count`` consecutive numbers; returns the last (the first is ``last - count + 1``)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    return _upsert(session, agency_id, kind, year, count)


def _upsert(session: Session | Connection, agency_id: int, kind: str, year: int, count: int) -> int:
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


_BOOK_KEY = "banli.number_book"
COUNTER = {"banli_counter": True}  # execution options of the counter's own statements (workflow.golive.buffer)


def take_number(session: Session, agency_id: int, kind: str, year: int) -> int:
    """The next number of a series in the session's transaction: from the counter row (``next_number``), or from the
    transaction's ``NumberBook`` when it keeps one."""
    book: NumberBook | None = session.info.get(_BOOK_KEY)
    if book is not None:
        return book.take(session.connection(), agency_id, kind, year)
    return next_number(session.connection(), agency_id, kind, year)


class NumberBook:
    """The numbers one write transaction takes, counted in memory (the go-live import: a row's numbers without a
    statement each). A series is read once — with the counter's own upsert (adding nothing), which holds its row (or
    SQLite's write lock) to commit as ``next_number`` does — then counted here and written back (``write``) before
    the rows that carry the numbers are inserted. ``mark``/``reset``: a refused row gives its numbers back, as a
    rolled-back savepoint would. Gap-free and in the order taken, exactly as one ``next_number`` per number."""

    def __init__(self) -> None:
        self.values: dict[tuple[int, str, int], int] = {}
        self.stored: dict[tuple[int, str, int], int] = {}

    def take(self, conn: Connection, agency_id: int, kind: str, year: int) -> int:
        key = (agency_id, kind, year)
        if key not in self.values:
            if key not in self.stored:
                self.stored[key] = _upsert(conn.execution_options(**COUNTER), agency_id, kind, year, 0)
            self.values[key] = self.stored[key]
        self.values[key] += 1
        return self.values[key]

    def mark(self) -> dict[tuple[int, str, int], int]:
        return dict(self.values)

    def reset(self, mark: dict[tuple[int, str, int], int]) -> None:
        self.values = mark

    def write(self, conn: Connection) -> None:
        """The counters as taken, in the caller's transaction (in key order, as every writer of several takes them)."""
        for (agency_id, kind, year), value in sorted(self.values.items()):
            if self.stored.get((agency_id, kind, year)) != value:
                conn.execute(update(_TABLE).where(_TABLE.c.agency_id == agency_id, _TABLE.c.kind == kind,
                                                  _TABLE.c.year == year).values(last_value=value))
                self.stored[(agency_id, kind, year)] = value

    def forget(self) -> None:
        """Written back; read the counters again when next needed (numbers were taken from the rows meanwhile)."""
        self.values, self.stored = {}, {}


def keep_book(session: Session, book: NumberBook | None) -> None:
    """Count the session's numbers in ``book`` from now on (None: on the counter rows again)."""
    if book is None:
        session.info.pop(_BOOK_KEY, None)
    else:
        session.info[_BOOK_KEY] = book
