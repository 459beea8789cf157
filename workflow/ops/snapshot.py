"""A consistent copy of the database with its row counts and stored-file list, read from the same snapshot.

SQLite: the online backup API copies the pages a reader sees (WAL included) while writers go on; copying
the ``.db`` file of a live WAL database instead can miss committed transactions still in ``-wal`` or catch a
checkpoint half-way. PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the counts and the
file list are read in it and ``pg_dump --snapshot`` dumps exactly that state.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine.url import URL, make_url

SQLITE_NAME = "database/banli.sqlite3"
PG_NAME = "database/banli.pgdump"


@dataclass
class Snapshot:
    dialect: str  # sqlite | postgresql
    path: Path  # the copy (SQLite file or pg_dump custom-format archive)
    member: str  # its name inside the backup archive
    revision: str | None
    counts: dict[str, int]
    files: dict[str, int]  # sha256 → size, of every StoredFile row in the snapshot


def libpq_env(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (kept out of the process list) and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _user_tables(c: Connection) -> list[str]:
    if c.dialect.name == "sqlite":
        q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    else:
        q = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    return [r[0] for r in c.execute(text(q))]


def read_state(c: Connection) -> tuple[str | None, dict[str, int], dict[str, int]]:
    """(schema revision, rows per table, stored files) as seen by this connection's transaction."""
    tables = _user_tables(c)
    counts = {t: int(c.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in tables}
    revision = c.execute(text("SELECT version_num FROM alembic_version")).scalar() \
        if "alembic_version" in tables else None
    files: dict[str, int] = {}
    if "stored_file" in tables:
        files = {str(sha): int(size) for sha, size in c.execute(text("SELECT sha256, size FROM stored_file"))}
    return (str(revision) if revision else None), counts, files


def snapshot_sqlite(engine: Engine, workdir: Path) -> Snapshot:
    src_path = make_url(str(engine.url)).database
    if not src_path or not Path(src_path).exists():
        raise FileNotFoundError(f"SQLite database not found: {src_path}")
    copy = workdir / "banli.sqlite3"
    src = sqlite3.connect(src_path, timeout=30)
    dst = sqlite3.connect(copy)
    try:
        src.backup(dst)  # one consistent read snapshot; writers are not blocked in WAL mode
        dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file
    finally:
        dst.close()
        src.close()
    copy_engine = create_engine(f"sqlite:///{copy}")
    try:
        with copy_engine.connect() as c:
            revision, counts, files = read_state(c)
    finally:
        copy_engine.dispose()
    return Snapshot("sqlite", copy, SQLITE_NAME, revision, counts, files)


def snapshot_postgres(engine: Engine, workdir: Path, pg_dump: str = "pg_dump") -> Snapshot:
    out = workdir / "banli.pgdump"
    libpq_url, env = libpq_env(engine.url)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as c, c.begin():
        snap = c.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        revision, counts, files = read_state(c)
        # The exported snapshot stays valid while this transaction is open.
        res = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                              f"--snapshot={snap}", f"--file={out}", f"--dbname={libpq_url}"],
                             env=env, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"pg_dump failed ({res.returncode}): {res.stderr.strip()[:2000]}")
    return Snapshot("postgresql", out, PG_NAME, revision, counts, files)


def take_snapshot(engine: Engine, workdir: Path) -> Snapshot:
    if engine.dialect.name == "sqlite":
        return snapshot_sqlite(engine, workdir)
    return snapshot_postgres(engine, workdir)


def tool_version(tool: str) -> str:
    """``pg_dump (PostgreSQL) 15.20`` or a Chinese explanation when the tool is missing."""
    try:
        res = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return f"未找到 {tool}（PostgreSQL 客户端工具，Debian 包 postgresql-client）"
    return res.stdout.strip()


__all__: list[Any] = ["PG_NAME", "SQLITE_NAME", "Snapshot", "libpq_env", "read_state", "take_snapshot"]
