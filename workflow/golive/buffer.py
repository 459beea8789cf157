"""The go-live import's write buffer: a row's steps run through the case engine against rows held in the session but
not yet written, and the rows of many imported applications are then inserted together (one statement per table).

A deferred row (``workflow.golive.run``) runs exactly the code a clerk's entry runs — registration, every step
through ``workflow.cases.engine.step``, the same handlers, guards, clocks and notices — with three differences that
change nothing of what is stored:

- every row it creates gets its id when it is added to the session (``IdPool``: the next ids of the table under the
  write transaction's lock on SQLite, ids drawn from the table's sequence on PostgreSQL) instead of from a flush;
- nothing is flushed while the row runs: its case, clocks, ledger entries, consultations and requests stay in the
  session, and what the steps read of them comes from the context (``Ctx.new_case``: no consultation, request or
  file but those it makes; the clocks and ledger as kept by ``workflow.cases.clocks``);
- when the row is done, the final values of every row it created are taken out of the session (``take_rows``) and
  kept here until the chunk is written (``Buffer.write``): one INSERT … executemany per table, then the events and
  notices, in the row order of the file.

What the buffer cannot hold falls back to the per-row path (a savepoint, the session's own flushes): a row that
changes a row it did not create (``NotDeferrable``). A query made while rows wait in the buffer could miss them
(``WriteFirst``): the row is rolled back, the buffer written, and the row run again — unless the query adds the rows
held itself (workflow.cases.unwritten: the applicant's earlier applications of the month, for a fee by items). tests/workflow/test_golive_import.py proves the result
equal to the same file entered one action at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Integer, event, inspect, text
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel

from db.bulk import executemany
from db.models import Clock, Disclosure
from workflow.cases.clocks import forget_clocks
from workflow.cases.context import Collected
from workflow.cases.numbers import NumberBook, keep_book
from workflow.cases.unwritten import hold
from workflow.tally.hook import add_inserted_many

_POOL_KEY = "banli.golive.ids"
_BUFFER_KEY = "banli.golive.buffer"
_ARMED_KEY = "banli.golive.deferred_row"  # on the connection: a deferred row is running
_SUMMARISED = {"disclosure": Disclosure, "clock": Clock}  # rows the summaries count (workflow.tally.hook)
_PG_BLOCK = 64  # ids drawn from a PostgreSQL sequence at a time (unused ones are skipped, as after a rollback)


class WriteFirst(Exception):
    """A query while rows wait in the buffer: write them, then run the row again."""


class NotDeferrable(Exception):
    """The row changed a row it did not create: run it on the per-row path."""


class IdPool:
    """The next primary keys of each table, handed out without inserting (one write transaction), rising in the
    order they are taken."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self._next: dict[str, int] = {}
        self._drawn: dict[str, list[int]] = {}

    def take(self, table: str) -> int:
        if self.postgres:
            drawn = self._drawn.setdefault(table, [])
            if not drawn:
                drawn.extend(int(i) for i in reversed(self.conn.execute(text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                    {"t": table, "n": _PG_BLOCK}).scalars().all()))
            return drawn.pop()
        if table not in self._next:  # SQLite: the write lock (BEGIN IMMEDIATE) is held to commit
            top = self.conn.execute(text(f'SELECT max(id) FROM "{table}"')).scalar()
            self._next[table] = int(top or 0) + 1
        n = self._next[table]
        self._next[table] = n + 1
        return n

    def reset(self) -> None:
        """Rows were inserted by the database itself meanwhile: read the SQLite tables again, and on PostgreSQL leave
        the ids still drawn unused — later rows must have higher ids than those rows, as rows entered one after
        another do (the fee's count of the applicant's earlier applications goes by id)."""
        self._next.clear()
        self._drawn.clear()


@event.listens_for(OrmSession, "transient_to_pending")
def _reserve_id(session: OrmSession, obj: Any) -> None:
    pool: IdPool | None = session.info.get(_POOL_KEY)
    if pool is None or getattr(obj, "id", False) is not None:
        return
    key = obj.__table__.c.get("id")
    if key is None or not key.primary_key or not isinstance(key.type, Integer):
        raise NotDeferrable()  # no id the pool can give: the row goes the per-row way
    obj.id = pool.take(obj.__table__.name)


@event.listens_for(OrmSession, "do_orm_execute")
def _query_sees_the_buffer(state: ORMExecuteState) -> None:
    buffer: Buffer | None = state.session.info.get(_BUFFER_KEY)
    if buffer is None or not buffer.armed or not buffer.rows:
        return
    if not state.statement.get_execution_options().get("sees_unwritten"):  # (workflow.cases.unwritten: it adds the held rows)
        raise WriteFirst()


@dataclass
class BufferedRow:
    """One imported application ready to be inserted: its rows by table, its events and notices."""

    plan: Any  # workflow.golive.rows.RowPlan
    tables: list[tuple[Any, dict[str, Any]]]  # (table, column values)
    collected: Collected


@dataclass
class Buffer:
    rows: list[BufferedRow] = field(default_factory=list)
    armed: bool = False  # a deferred row is running: its queries must see every earlier row
    _by_table: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # the rows' values by table, in order

    def add(self, row: BufferedRow) -> None:
        self.rows.append(row)
        for table, values in row.tables:
            self._by_table.setdefault(table.name, []).append(values)

    def held(self, table: str) -> Iterable[dict[str, Any]]:
        """The values of the rows of ``table`` held (workflow.cases.unwritten)."""
        return iter(self._by_table.get(table, ()))

    def write(self, session: Session) -> list[BufferedRow]:
        """Insert every buffered row (in the session's transaction) and empty the buffer; the rows written."""
        rows, self.rows, self._by_table = self.rows, [], {}
        if not rows:
            return rows
        conn = session.connection()
        order = {t: i for i, t in enumerate(SQLModel.metadata.sorted_tables)}
        groups: dict[tuple[Any, tuple[str, ...]], list[dict[str, Any]]] = {}
        for r in rows:
            for table, values in r.tables:
                groups.setdefault((table, tuple(values)), []).append(values)
        summarised: list[tuple[type, list[dict[str, Any]]]] = []
        for (table, _keys), group in sorted(groups.items(), key=lambda g: order[g[0][0]]):
            executemany(conn, table, group)
            model = _SUMMARISED.get(table.name)
            if model is not None:
                summarised.append((model, group))
        add_inserted_many(session, summarised)  # the summaries (issue 21) move with a Core insert as with a flush
        Collected([e for r in rows for e in r.collected.events],
                  [n for r in rows for n in r.collected.notices]).write_to(conn)  # each notice checked when made
        return rows


_COLUMNS: dict[Any, tuple[Any, tuple[tuple[str, str], ...]]] = {}  # mapper → (table, (attribute, column) pairs)


def _values(obj: Any) -> tuple[Any, dict[str, Any]]:
    """The table of ``obj`` and its column values as they stand (what a flush would insert)."""
    state = inspect(obj)
    mapper = state.mapper
    known = _COLUMNS.get(mapper)
    if known is None:
        known = _COLUMNS[mapper] = (mapper.local_table,
                                    tuple((prop.key, prop.columns[0].key) for prop in mapper.column_attrs))
    held = state.dict
    return known[0], {column: held[attr] for attr, column in known[1] if attr in held}


def take_rows(session: Session, attached: list[Any]) -> list[tuple[Any, dict[str, Any]]]:
    """The rows a deferred row created — ``attached`` (taken in as if loaded) and every object added since the row
    began — with their final values, taken out of the session; NotDeferrable when it changed or deleted anything
    else."""
    created = [*attached, *session.new]
    mine = {id(o) for o in created}
    if session.deleted or any(id(o) not in mine for o in session.dirty):
        raise NotDeferrable()
    out = [_values(o) for o in created]
    _expunge(session, created)
    return out


def _expunge(session: Session, objects: list[Any]) -> None:
    """``session.expunge`` of each object, at once: the models have no relationships, so there is nothing to cascade
    to (``Session.expunge`` walks every column property of the mapper looking for one, per object)."""
    states = [inspect(o) for o in objects]
    if any(st.mapper.relationships for st in states):
        for o in objects:
            session.expunge(o)
        return
    session._expunge_states(states)  # what expunge does once it found no cascade


def discard(session: Session, attached: list[Any]) -> None:
    """Take a refused row's objects out of the session (nothing of it was written)."""
    _expunge(session, [o for o in [*attached, *session.new] if o in session])


@event.listens_for(Engine, "before_cursor_execute")
def _no_write_while_deferred(conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any,
                             executemany: bool) -> None:
    """A deferred row writes nothing (it has no savepoint to undo it): any statement but a read — or the number
    counter's own (workflow.cases.numbers.NumberBook) — sends the row to the per-row path before it runs."""
    if conn.info.get(_ARMED_KEY) and not statement.lstrip()[:6].upper() == "SELECT" and not (
            context is not None and context.execution_options.get("banli_counter")):
        raise NotDeferrable()


@dataclass
class Deferring:
    """What a write transaction of the import keeps while it holds rows: the ids, the numbers, the buffer."""

    session: Session
    buffer: Buffer
    book: NumberBook = field(default_factory=NumberBook)

    @contextmanager
    def row(self) -> Iterator[None]:
        """One deferred row: nothing written while it runs; a refused row gives its numbers back."""
        conn = self.session.connection()
        mark = self.book.mark()
        conn.info[_ARMED_KEY] = True
        self.buffer.armed = True
        try:
            yield
        except BaseException:
            self.book.reset(mark)
            raise
        finally:
            self.buffer.armed = False
            conn.info.pop(_ARMED_KEY, None)
            forget_clocks(self.session)  # the row's clocks and ledger as read: nothing reads them again

    def write_held(self) -> list[BufferedRow]:
        """The rows held, and the counters as taken, inserted (the transaction stays open)."""
        conn = self.session.connection()
        self.book.write(conn)
        return self.buffer.write(self.session)

    @contextmanager
    def per_row(self) -> Iterator[None]:
        """A row on the per-row path (after ``write``): ids and numbers from the database itself meanwhile; the pool
        and the book read the tables and counters again afterwards."""
        pool = self.session.info.pop(_POOL_KEY)
        keep_book(self.session, None)
        try:
            yield
        finally:
            pool.reset()
            self.book.forget()
            self.session.info[_POOL_KEY] = pool
            keep_book(self.session, self.book)


@contextmanager
def deferring(session: Session, buffer: Buffer) -> Iterator[Deferring]:
    """Ids reserved on adding, numbers counted in memory and the buffer consulted by queries, for the rest of the
    session's transaction."""
    d = Deferring(session, buffer)
    session.info[_POOL_KEY] = IdPool(session.connection())
    session.info[_BUFFER_KEY] = buffer
    keep_book(session, d.book)
    hold(session, buffer.held)
    try:
        yield d
    finally:
        session.info.pop(_POOL_KEY, None)
        session.info.pop(_BUFFER_KEY, None)
        keep_book(session, None)
        hold(session, None)


def pool_of(session: Session) -> IdPool:
    pool: IdPool = session.info[_POOL_KEY]
    return pool
