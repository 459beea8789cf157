"""``banli backup ARCHIVE``: database snapshot + stored files + the secret, in one tar archive with a manifest.

Layout: ``manifest.json`` first (format, banli version, schema revision, counts per table, every file's
SHA-256 and size), then ``database/…``, ``secret_key`` and ``files/<sha[:2]>/<sha>``. Files are
content-addressed and written before the row that names them, so every file the snapshot names already
exists when it is copied; each is hashed as it is read, and one whose bytes no longer match its name is
reported (the archive still holds everything else).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from settings import Settings
from workflow.ops.snapshot import take_snapshot

FORMAT = "banli-backup/1"
MANIFEST = "manifest.json"
SECRET = "secret_key"


def banli_version() -> str:
    try:
        return version("banli")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "unknown"


def open_archive(archive: Path, *, write: bool) -> tarfile.TarFile:
    """Plain tar for ``*.tar``, gzip otherwise (``*.tar.gz``, ``*.tgz`` …)."""
    plain = archive.name.endswith(".tar")
    if write:
        return tarfile.open(archive, "w" if plain else "w:gz")
    return tarfile.open(archive, "r:" if plain else "r:gz")


@dataclass
class BackupResult:
    archive: Path
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)


def _hash_file(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    tar.addfile(info, io.BytesIO(data))


def make_backup(engine: Engine, settings: Settings, archive: Path, *, now: datetime) -> BackupResult:
    """Write ``archive`` (atomically: a partial archive is never left under its name)."""
    archive = archive.resolve()
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".banli-backup-") as tmp:
        snap = take_snapshot(engine, Path(tmp))
        root = settings.files_path
        files: dict[str, int] = {}
        problems: list[str] = []
        for sha, size in sorted(snap.files.items()):
            actual = _hash_file(root / sha[:2] / sha)
            if actual is None:
                problems.append(f"文件缺失，未能备份：{sha}")
            elif actual != sha:
                problems.append(f"文件内容与校验值不符，未备份：{sha}")
            else:
                files[sha] = size
        secret = settings.resolved_secret_key()
        manifest: dict[str, Any] = {
            "format": FORMAT, "banli_version": banli_version(), "created_at": now.isoformat(),
            "database": {"dialect": snap.dialect, "member": snap.member, "schema_revision": snap.revision,
                         "sha256": _hash_file(snap.path)},
            "counts": snap.counts,
            "files": files, "files_bytes": sum(files.values()),
            "secret_key": "included",
            "problems": problems,
        }
        partial = Path(tmp) / archive.name  # same suffix (compression); moved into place when complete
        with open_archive(partial, write=True) as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            tar.add(snap.path, arcname=snap.member, recursive=False)
            _add_bytes(tar, SECRET, secret.encode(), mode=0o600)
            for sha in files:
                tar.add(root / sha[:2] / sha, arcname=f"files/{sha[:2]}/{sha}", recursive=False)
        os.chmod(partial, 0o600)  # the archive holds the secret and personal data
        os.replace(partial, archive)
    return BackupResult(archive, manifest, problems)
