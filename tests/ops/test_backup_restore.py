"""Back up a populated instance, destroy it, restore it into a fresh database and directory, compare everything.

On SQLite and PostgreSQL (``db`` runs each test on both): row counts of every table, every application field
by field, every stored file's hash, and the secret. Then what a restore refuses: a non-empty target, a
newer schema, a damaged archive, another dialect.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import text

from settings import Settings
from tests.conftest import Db
from tests.ops.populate import (
    disclosures,
    engine_for,
    file_hashes,
    fresh_target,
    populate,
    stored_shas,
    table_counts,
)
from workflow.ops.backup import MANIFEST, make_backup
from workflow.ops.restore import RestoreRefused, restore
from workflow.timesource import FixedTime


def _destroy(db: Db) -> None:
    """The disaster: the database's contents, the files and the secret are gone."""
    db.engine.dispose()
    if db.kind == "sqlite":
        path = Path(db.url.removeprefix("sqlite:///"))
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
    else:
        with db.engine.begin() as c:
            c.execute(text("SET LOCAL session_replication_role = replica"))
            for t in ("stored_file", "outbox", "event", "clock_adjustment", "clock", "disclosure"):
                c.execute(text(f'DELETE FROM "{t}"'))
    shutil.rmtree(db.settings.files_path)


def test_backup_destroy_restore_compare(db: Db, clock: FixedTime, tmp_path: Path) -> None:
    populate(db, clock)
    counts, cases = table_counts(db.engine), disclosures(db.engine)
    files = file_hashes(db.settings.files_path)
    assert counts["disclosure"] == 6 and counts["stored_file"] == 12 and len(files) == 7  # one blob shared
    assert counts["event"] >= 6 and counts["clock"] >= 6 and counts["outbox"] >= 1
    archive = tmp_path / "backup.tar.gz"

    result = make_backup(db.engine, db.settings, archive, now=clock.now())
    assert result.problems == [] and archive.stat().st_mode & 0o077 == 0
    m = result.manifest
    assert m["counts"] == {**counts, "alembic_version": 1} and set(m["files"]) == set(files)
    assert m["database"]["dialect"] == db.engine.dialect.name and m["database"]["schema_revision"]
    _destroy(db)

    with fresh_target(db.kind, tmp_path) as target:
        engine = engine_for(target)
        try:
            res = restore(engine, target, archive)
            assert res.counts == m["counts"] and not res.needs_migrate and res.files == 7
            assert table_counts(engine) == counts
            assert disclosures(engine) == cases  # every application, field by field
            restored = file_hashes(target.files_path)
            assert restored == files and all(name == sha for name, sha in restored.items())
            assert stored_shas(engine) == set(restored)
            assert (target.var_dir / "secret_key").read_text() == db.settings.resolved_secret_key()
        finally:
            engine.dispose()


def test_restore_refuses_a_non_empty_target_unless_told(db: Db, clock: FixedTime, tmp_path: Path) -> None:
    populate(db, clock, cases=1)
    archive = tmp_path / "b.tar"
    make_backup(db.engine, db.settings, archive, now=clock.now())
    before = table_counts(db.engine)
    with pytest.raises(RestoreRefused, match="目标不是空的"):
        restore(db.engine, db.settings, archive)
    assert table_counts(db.engine) == before
    res = restore(db.engine, db.settings, archive, replace=True)
    assert res.counts == {**before, "alembic_version": 1}


def _rewrite(archive: Path, out: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Copy a backup archive, passing each member's (name, bytes) through ``change``."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            data = change(member.name, data)
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))


def _manifest_edit(key: str, value: object):  # type: ignore[no-untyped-def]
    def change(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        m = json.loads(data)
        m["database"][key] = value
        return json.dumps(m).encode()
    return change


def test_restore_refuses_newer_schema_damage_and_other_dialect(sqlite_db: Db, clock: FixedTime,
                                                               tmp_path: Path) -> None:
    populate(sqlite_db, clock, cases=1)
    archive = tmp_path / "b.tar.gz"
    make_backup(sqlite_db.engine, sqlite_db.settings, archive, now=clock.now())
    cases = [
        (_manifest_edit("schema_revision", "9999"), "比本程序.*新"),
        (_manifest_edit("dialect", "postgresql"), "请把 BANLI_DATABASE_URL 指向同类数据库"),
        (lambda name, data: data[:-1] + b"!" if name.startswith("files/") else data, "校验值不符"),
        (lambda name, data: data + b"x" if name.startswith("database/") else data, "数据库文件已损坏"),
    ]
    for i, (change, message) in enumerate(cases):
        bad = tmp_path / f"bad{i}.tar.gz"
        _rewrite(archive, bad, change)
        with fresh_target("sqlite", tmp_path) as target:
            engine = engine_for(target)
            with pytest.raises(RestoreRefused, match=message):
                restore(engine, target, bad)
            engine.dispose()
            db_file = target.var_dir / "banli.db"
            assert not db_file.exists() or db_file.stat().st_size == 0, "nothing restored from a bad archive"
            assert not any(target.files_path.rglob("*")) if target.files_path.exists() else True
    with pytest.raises(RestoreRefused, match="不是办理系统的备份"):
        _rewrite(archive, tmp_path / "alien.tar.gz", lambda n, d: b"{}" if n == MANIFEST else d)
        restore(sqlite_db.engine, Settings(database_url=sqlite_db.url, var_dir=tmp_path / "x"),
                tmp_path / "alien.tar.gz")


def test_backup_reports_a_missing_file_but_keeps_the_rest(sqlite_db: Db, clock: FixedTime, tmp_path: Path) -> None:
    populate(sqlite_db, clock, cases=2)
    victim = next(p for p in sqlite_db.settings.files_path.rglob("*") if p.is_file())
    victim.unlink()
    result = make_backup(sqlite_db.engine, sqlite_db.settings, tmp_path / "b.tar.gz", now=clock.now())
    assert len(result.problems) == 1 and victim.name in result.problems[0]
    assert len(result.manifest["files"]) == 2 and victim.name not in result.manifest["files"]
