"""SQLite checkpoints run in the background thread, not inside a writer's commit: the WAL is copied into
the database file shortly after writes, below SQLite's own (raised) in-line threshold; a vanished file
does not stop the checkpointer."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import text

from db.engine import SQLITE_AUTOCHECKPOINT_PAGES, make_engine, write_session


def _write_pages(url: str, n: int) -> None:
    engine = make_engine(url)
    with write_session(engine) as s:
        s.execute(text("CREATE TABLE IF NOT EXISTS t (x BLOB)"))
        s.commit()
    for _ in range(n):
        with write_session(engine) as s:
            s.execute(text("INSERT INTO t VALUES (randomblob(4000))"))
            s.commit()
    # the engine (and its pooled connections) stays open: no close-time checkpoint


def _grown(path: Path, size: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.stat().st_size >= size:
            return True
        time.sleep(0.05)
    return False


def test_background_checkpoint_copies_the_wal_into_the_database(tmp_path: Path) -> None:
    assert SQLITE_AUTOCHECKPOINT_PAGES > 1000
    gone = tmp_path / "gone.db"
    _write_pages(f"sqlite:///{gone}", 5)
    os.remove(gone)  # a database removed under the checkpointer (as tests do): logged, not fatal
    os.remove(f"{gone}-wal")

    db = tmp_path / "a.db"
    _write_pages(f"sqlite:///{db}", 300)  # ≈300 pages: far below the in-line threshold
    assert _grown(db, 300 * 4000), f"database file still {db.stat().st_size} bytes: no checkpoint ran"
