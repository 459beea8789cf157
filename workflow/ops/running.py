"""Is a server or worker using this database? Restores refuse while one is.

Every ``banli serve`` and ``banli worker`` holds a shared ``flock`` on a lock file for its lifetime: beside
the SQLite file (``banli.db.running``), or in ``var_dir`` for PostgreSQL; a restore takes it exclusively, so
a process that starts during a restore stops with a clear message instead of reading a half-restored
database. On PostgreSQL the server also knows every connection to the database, which covers web
replicas and workers on other machines.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine.url import make_url

from settings import Settings

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

class InstanceBusy(Exception):
    """The database is in use (or being restored); the message says by whom, in Chinese."""


def lock_path(settings: Settings) -> Path:
    if settings.is_sqlite:
        db = make_url(settings.database_url).database
        if db and db != ":memory:":
            return Path(os.path.abspath(db) + ".running")
    return Path(os.path.abspath(settings.var_dir)) / "banli.running"


@contextlib.contextmanager
def _flock(path: Path, mode: int, busy: str) -> Iterator[None]:
    if fcntl is None:  # pragma: no cover
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InstanceBusy(busy) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def serving(settings: Settings) -> contextlib.AbstractContextManager[None]:
    """Held by ``banli serve`` and ``banli worker`` while they run (shared: any number at once)."""
    return _flock(lock_path(settings), fcntl.LOCK_SH if fcntl else 0,
                  "正在恢复备份（banli restore），恢复完成后再启动")


def exclusive(settings: Settings) -> contextlib.AbstractContextManager[None]:
    """Held by ``banli restore``: fails at once when a server or worker on this machine holds ``serving``."""
    return _flock(lock_path(settings), fcntl.LOCK_EX if fcntl else 0,
                  "服务或调度程序正在运行（本机的 banli serve / banli worker）：请先停止它们再恢复")


def other_connections(engine: Engine) -> int:
    """PostgreSQL: sessions of other processes connected to this database (0 on SQLite)."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as c:
        return int(c.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")).scalar_one())
