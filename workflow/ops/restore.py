"""``banli restore ARCHIVE``: into the database and directories the settings name, checked all the way.

Order: read and judge the manifest (format; a schema newer than this release is refused) → refuse while a
server or worker uses the target → refuse a non-empty target unless ``replace`` → extract the files,
hashing each against its name and the manifest → load the database (SQLite: a new file moved into place;
PostgreSQL: ``pg_restore --single-transaction``) → count every table against the manifest → the secret.
Nothing of the target is touched before the archive's manifest and the target's state have been checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine.url import make_url

from db.migrate import head_revision, known_revision
from settings import Settings
from workflow.ops.backup import FORMAT, MANIFEST, SECRET, open_archive
from workflow.ops.running import exclusive, other_connections
from workflow.ops.snapshot import libpq_env, read_state


class RestoreRefused(Exception):
    """The restore was not started (or stopped before changing anything); the message is Chinese."""


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    counts: dict[str, int]
    files: int
    files_bytes: int
    schema_revision: str | None
    needs_migrate: bool
    notes: list[str] = field(default_factory=list)


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with open_archive(archive, write=False) as tar:
            member = tar.extractfile(MANIFEST)
            data: dict[str, Any] = json.loads(member.read()) if member else {}
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise RestoreRefused(f"无法读取备份文件 {archive}：{exc}") from exc
    if data.get("format") != FORMAT:
        raise RestoreRefused(f"不是办理系统的备份文件（格式：{data.get('format')!r}）")
    return data


def judge_manifest(manifest: dict[str, Any], engine: Engine) -> None:
    rev = manifest["database"]["schema_revision"]
    if rev and not known_revision(rev):
        raise RestoreRefused(f"备份的数据库结构版本 {rev} 比本程序（{head_revision()}）新：请用生成该备份的"
                             f"版本（{manifest.get('banli_version')}）或更新的版本恢复")
    if manifest["database"]["dialect"] != engine.dialect.name:
        raise RestoreRefused(f"备份来自 {manifest['database']['dialect']} 数据库，目标是 {engine.dialect.name}："
                             "请把 BANLI_DATABASE_URL 指向同类数据库")


def target_contents(engine: Engine, settings: Settings) -> list[str]:
    """What the target already holds (empty list: safe to restore into)."""
    found = []
    if engine.dialect.name == "sqlite":
        path = make_url(str(engine.url)).database
        if path and Path(path).exists() and Path(path).stat().st_size > 0:
            found.append(f"数据库文件 {path}")
    else:
        with engine.connect() as c:
            n = c.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")).scalar_one()
        if n:
            found.append(f"数据库中已有 {n} 张表")
    root = settings.files_path
    if root.exists() and any(root.iterdir()):
        found.append(f"文件目录 {root} 不为空")
    return found


def _extract_files(tar: tarfile.TarFile, manifest: dict[str, Any], root: Path) -> tuple[int, int]:
    """Every ``files/`` member into the staging directory ``root``, each hashed against its name and the
    manifest."""
    expected: dict[str, int] = manifest["files"]
    seen: set[str] = set()
    total = 0
    for member in tar:
        if not member.name.startswith("files/") or not member.isfile():
            continue
        sha = member.name.rsplit("/", 1)[-1]
        if sha not in expected:
            raise RestoreRefused(f"备份中有清单之外的文件：{member.name}")
        src = tar.extractfile(member)
        assert src is not None
        digest = hashlib.sha256()
        with (root / sha).open("wb") as out:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha or member.size != expected[sha]:
            raise RestoreRefused(f"备份中的文件已损坏（校验值不符）：{sha}")
        seen.add(sha)
        total += member.size
    missing = set(expected) - seen
    if missing:
        raise RestoreRefused(f"备份不完整：清单列出的 {len(missing)} 个文件不在备份中")
    return len(seen), total


def _move_files(staging: Path, root: Path) -> None:
    """Verified files into the content-addressed directory (same file system: renames)."""
    for path in staging.iterdir():
        dest = root / path.name[:2] / path.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, dest)


def _load_sqlite(db_file: Path, engine: Engine) -> None:
    target = Path(make_url(str(engine.url)).database or "")
    check = sqlite3.connect(db_file)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        raise RestoreRefused(f"备份中的数据库已损坏：{result}")
    engine.dispose()
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(db_file, staged)
    for suffix in ("-wal", "-shm"):  # a stale WAL would be replayed onto the restored file
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(staged, target)


def _load_postgres(dump: Path, engine: Engine, replace: bool) -> None:
    url, env = libpq_env(engine.url)
    if replace:
        with engine.begin() as c:
            c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    res = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
                          "--exit-on-error", f"--dbname={url}", str(dump)],
                         env=env, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"pg_restore failed ({res.returncode}): {res.stderr.strip()[:2000]}")


def _restored_counts(engine: Engine) -> tuple[str | None, dict[str, int]]:
    eng = create_engine(engine.url) if engine.dialect.name == "sqlite" else engine
    with eng.connect() as c:
        revision, counts, _files = read_state(c)
    return revision, counts


def restore(engine: Engine, settings: Settings, archive: Path, *, replace: bool = False) -> RestoreResult:
    """Restore ``archive`` into the configured database, files directory and ``var_dir/secret_key``."""
    manifest = read_manifest(archive)
    judge_manifest(manifest, engine)
    with exclusive(settings):
        engine.dispose()  # our own pooled connections are not "other users"
        users = other_connections(engine)
        if users:
            raise RestoreRefused(f"有 {users} 个连接正在使用目标数据库（服务、调度程序或其他客户端）："
                                 "请先停止所有 banli serve / banli worker")
        existing = target_contents(engine, settings)
        if existing and not replace:
            raise RestoreRefused("目标不是空的：" + "；".join(existing) + "。确认要覆盖时加 --replace")
        root = settings.files_path
        root.mkdir(parents=True, exist_ok=True)
        # Staged beside the files directory (same file system) and checked before the target changes.
        with tempfile.TemporaryDirectory(dir=root.parent, prefix=".banli-restore-") as tmp, \
                open_archive(archive, write=False) as tar:
            staging = Path(tmp) / "files"
            staging.mkdir()
            files, size = _extract_files(tar, manifest, staging)
            db_member = manifest["database"]["member"]
            tar.extract(db_member, tmp, filter="data")
            db_file = Path(tmp) / db_member
            if hashlib.sha256(db_file.read_bytes()).hexdigest() != manifest["database"]["sha256"]:
                raise RestoreRefused("备份中的数据库文件已损坏（校验值不符）")
            secret_member = tar.extractfile(SECRET)
            secret = secret_member.read().decode().strip() if secret_member else None
            if engine.dialect.name == "sqlite":
                _load_sqlite(db_file, engine)
            else:
                _load_postgres(db_file, engine, replace)
            _move_files(staging, root)
    revision, counts = _restored_counts(engine)
    if counts != manifest["counts"]:
        diff = {t: (manifest["counts"].get(t), counts.get(t)) for t in set(counts) | set(manifest["counts"])
                if counts.get(t) != manifest["counts"].get(t)}
        raise RuntimeError(f"restored row counts differ from the manifest: {diff}")
    notes = _restore_secret(settings, secret)
    return RestoreResult(manifest, counts, files, size, revision, revision != head_revision(), notes)


def _restore_secret(settings: Settings, secret: str | None) -> list[str]:
    if not secret:
        return ["备份中没有密钥"]
    path = settings.var_dir / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secret)
    path.chmod(0o600)
    if settings.secret_key and settings.secret_key != secret:
        return ["BANLI_SECRET_KEY 与备份中的密钥不同：以环境变量为准，备份前的登录会话与令牌失效"]
    return []
