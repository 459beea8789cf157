"""Content-addressed file storage under the files directory (outside any web root)."""

from __future__ import annotations

from pathlib import Path

from settings import Settings


def file_path(settings: Settings, sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("invalid content hash")
    return settings.files_path / sha256[:2] / sha256
