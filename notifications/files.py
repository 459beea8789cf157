"""Content-addressed file storage: bytes under ``<files_path>/<sha[:2]>/<sha>``, metadata in ``StoredFile``.

The bytes are written (atomically, idempotently) before the row is added; if the transaction then rolls
back, an unreferenced file remains — harmless, since the same content always lands on the same path.
Shared with the workflow for uploads.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from db.models.common import StoredFile
from settings import get_settings


def file_path(sha256: str, root: Path | None = None) -> Path:
    """Where the bytes with this SHA-256 live."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    base = root if root is not None else get_settings().files_path
    return base / sha256[:2] / sha256


def existing_file(sha256: str, root: Path | None = None) -> Path | None:
    """The stored bytes' path, or None when the digest is malformed or the file is missing (a 404, not a 500)."""
    try:
        path = file_path(sha256, root)
    except ValueError:
        return None
    return path if path.is_file() else None


def write_blob(data: bytes, root: Path | None = None) -> tuple[str, Path]:
    """Write ``data`` to its content address (no-op if present); returns (sha256, path)."""
    sha = hashlib.sha256(data).hexdigest()
    path = file_path(sha, root)
    if path.exists() and path.stat().st_size == len(data):
        return sha, path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha, path


def store_file(session: Session, data: bytes, *, agency_id: int, filename: str, content_type: str,
               category: str, now: datetime, case_kind: str | None = None, case_id: int | None = None,
               notice_type: str | None = None, for_applicant: bool = False, created_by: int | None = None,
               root: Path | None = None) -> StoredFile:
    """Write the bytes and add a StoredFile row to ``session`` (the caller commits)."""
    sha, _ = write_blob(data, root)
    row = StoredFile(agency_id=agency_id, case_kind=case_kind, case_id=case_id, category=category,
                     notice_type=notice_type, filename=filename[:255], content_type=content_type[:120],
                     sha256=sha, size=len(data), for_applicant=for_applicant, created_by=created_by,
                     created_at=now)
    session.add(row)
    return row


def read_file(row: StoredFile, root: Path | None = None) -> bytes:
    """The bytes of a stored file."""
    return file_path(row.sha256, root).read_bytes()
