"""Engines and transactions for SQLite (WAL, BEGIN IMMEDIATE) and PostgreSQL.

SQLite's default deferred transactions silently lose concurrent read-modify-write updates
(stack notes): every write transaction here starts with ``BEGIN IMMEDIATE`` so writers queue
on the database lock (``busy_timeout``) instead of failing or overwriting each other.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "banli_write"


# Reads of pages through a memory map instead of a pread each, and a larger page cache per connection
# (the default 2 MB held less than the indexes a registration touches: measured thousands of preads a
# second under load).
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
SQLITE_CACHE_KIB = 16 * 1024
# Checkpoints (copying the WAL back into the database file) run in a background thread — C code, off
# the GIL, on the other core — instead of inside whichever commit crosses SQLite's default 1,000-page
# threshold (measured: a quarter of a 12345 import's time). The in-line threshold stays as a safety
# net, raised so that it rarely fires while the background checkpointer keeps up.
SQLITE_AUTOCHECKPOINT_PAGES = 10_000
CHECKPOINT_DELAY_S = 0.5
CHECKPOINT_IDLE_CLOSE_S = 30.0
log = logging.getLogger(__name__)


class _Checkpointer:
    """One thread per process: a PASSIVE checkpoint (never blocks readers or writers) of each SQLite
    file written to in the last half second; its connection is closed after a while without writes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dirty: set[str] = set()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def note_commit(self, path: str) -> None:
        with self._lock:
            if path in self._dirty and self._thread is not None:
                return
            self._dirty.add(path)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="banli-sqlite-checkpoint", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        conns: dict[str, tuple[sqlite3.Connection, float]] = {}
        while True:
            self._wake.wait(timeout=CHECKPOINT_IDLE_CLOSE_S)
            time.sleep(CHECKPOINT_DELAY_S)  # let writes gather: one checkpoint copies a hot page once
            with self._lock:
                paths, self._dirty = self._dirty, set()
                self._wake.clear()
            now = time.monotonic()
            for path in paths:
                try:
                    conn = conns[path][0] if path in conns else sqlite3.connect(path, check_same_thread=False)
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    conns[path] = (conn, now)
                except sqlite3.Error as exc:  # e.g. the file was removed (tests); the next commit retries
                    log.debug("checkpoint of %s failed: %s", path, exc)
                    old = conns.pop(path, None)
                    if old is not None:
                        old[0].close()
            for path, (conn, used) in list(conns.items()):
                if now - used > CHECKPOINT_IDLE_CLOSE_S:
                    conn.close()
                    del conns[path]


_checkpointer = _Checkpointer()


def _install_sqlite_hooks(engine: Engine, path: str | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so our BEGIN is the one that runs.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        if path is not None:
            cur.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}")
        cur.close()

    if path is not None:
        @event.listens_for(engine, "commit")
        def _on_commit(conn: Connection) -> None:
            _checkpointer.note_commit(path)

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
            hide_parameters=True,  # errors and logs never carry row values (personal data)
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            poolclass=NullPool if db in (None, "", ":memory:") else None,
        )
        _install_sqlite_hooks(engine, os.path.abspath(db) if db and db != ":memory:" else None)
        return engine
    return create_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
        pool_recycle=1800, hide_parameters=True,
    )


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def write_engine(engine: Engine) -> Engine:
    """The same engine, marked so SQLite opens its transactions with BEGIN IMMEDIATE."""
    return engine.execution_options(**{_WRITE_OPTION: True})


class _WriterLock:
    """Serialises SQLite writers across threads and processes without busy-waiting.

    SQLite's busy handler sleeps with growing back-off (up to 100 ms) while another connection holds
    the write lock, which turns contention into long latency tails. Writers queue instead on a
    thread lock plus an ``flock`` on a file beside the database: the kernel wakes the next writer
    as soon as the previous one commits.
    """

    def __init__(self, db_path: str) -> None:
        self._thread_lock = threading.Lock()
        self._path = db_path + ".writelock"
        self._fd: int | None = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._thread_lock:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_writer_locks: dict[str, _WriterLock] = {}
_writer_locks_guard = threading.Lock()


def _writer_lock(engine: Engine) -> _WriterLock | None:
    if engine.dialect.name != "sqlite" or fcntl is None:
        return None
    db = engine.url.database
    if not db or db == ":memory:":
        return None
    path = os.path.abspath(db)
    with _writer_locks_guard:
        lock = _writer_locks.get(path)
        if lock is None:
            lock = _writer_locks[path] = _WriterLock(path)
        return lock


@contextlib.contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one write transaction; the caller commits exactly once (or it rolls back)."""
    lock = _writer_lock(engine)
    with lock.hold() if lock else contextlib.nullcontext(), \
            Session(write_engine(engine), expire_on_commit=False, autoflush=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def serialize(session: Session, name: str) -> None:
    """Hold the instance-wide lock ``name`` until the session's transaction ends, so that check-then-insert writes of
    that name (a login name unique whatever its case, an agency code) run one after another on PostgreSQL, where
    several app instances write at once. SQLite needs nothing: its write transactions already run one at a time
    (``BEGIN IMMEDIATE`` and the writer lock)."""
    if dialect_name(session) == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": f"banli:{name}"})


@contextlib.contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads; never commits (closing it ends the transaction without expiring objects)."""
    with Session(engine, expire_on_commit=False, autoflush=False) as session:
        yield session


def conflict_insert(dialect: str, table: Any) -> Any:
    """An ``INSERT`` that takes ``on_conflict_do_nothing``/``_do_update``, for the dialect (PostgreSQL or
    SQLite: the two banli runs on)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def dialect_name(executor: Session | Connection) -> str:
    """The dialect of a Session or a Connection (hot paths execute Core statements on either)."""
    if isinstance(executor, Connection):
        return executor.dialect.name
    return executor.get_bind().dialect.name
