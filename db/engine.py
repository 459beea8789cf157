"""Engines and transactions for SQLite (WAL, BEGIN IMMEDIATE) and PostgreSQL.

SQLite's default deferred transactions silently lose concurrent read-modify-write updates
(stack notes): every write transaction here starts with ``BEGIN IMMEDIATE`` so writers queue
on the database lock (``busy_timeout``) instead of failing or overwriting each other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "banli_write"


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so our BEGIN is the one that runs.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> Engine:
    """Create an engine for ``url`` with the right pragmas/pooling for its dialect."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        db = u.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            poolclass=NullPool if db in (None, "", ":memory:") else None,
        )
        _install_sqlite_hooks(engine)
        return engine
    return create_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
        pool_recycle=1800,
    )


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def write_engine(engine: Engine) -> Engine:
    """The same engine, marked so SQLite opens its transactions with BEGIN IMMEDIATE."""
    return engine.execution_options(**{_WRITE_OPTION: True})


@contextlib.contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one write transaction; the caller commits exactly once (or it rolls back)."""
    with Session(write_engine(engine), expire_on_commit=False, autoflush=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


@contextlib.contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads; never commits (closing it ends the transaction without expiring objects)."""
    with Session(engine, expire_on_commit=False, autoflush=False) as session:
        yield session
