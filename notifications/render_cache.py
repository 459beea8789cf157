"""Documents rendered once: the costly formats (PDF, DOCX — a reply PDF is ~130 ms of CPU) cached by content.

The key is the SHA-256 of everything a rendering depends on: the notice type, the format, the context snapshot
(canonical JSON) and the means of rendering — the shipped templates, the override directory, the fonts directory
and the renderer's own code (each file's path, size and modification time) and the WeasyPrint version. The same
document asked for again — a resend after a failed attempt, a row another worker takes over once the lease of a
killed one expires, two rows carrying the same document — is read, not rendered; a changed template, font or context
renders anew.

Where: the bytes in the content-addressed file store (``notifications.files.write_blob``, where the outbox puts every
attachment before sending anyway), the key → digest map as one small file per key under ``<files_path>/rendered/``.
Every worker sharing the files directory (shared storage for every instance, docs/deployment.md) shares the cache. A key
whose bytes are missing or altered is rendered again; a lost entry costs one rendering, never a wrong document.
Nothing is ever deleted: an entry is 64 bytes, and its document is one the outbox stores with the case in any case.
Two workers asked for the same new document at the same moment both render it (rows are claimed one worker each,
so that takes two rows with the same content at once); the second write is idempotent.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from notifications.environment import DEFAULTS_DIR
from notifications.files import existing_file, write_blob
from settings import Settings

CACHED_FORMATS = frozenset({"pdf", "docx"})
CODE_DIR = Path(__file__).parent  # the renderer itself (render.py, pdf.py, docx_render.py, blocks.py …)
KEY_VERSION = "1"
MEANS_TTL_S = 2.0
_MEANS: dict[tuple[Path | None, ...], tuple[float, str]] = {}


@lru_cache(maxsize=1)
def _renderer_version() -> str:
    try:
        return version("weasyprint")
    except PackageNotFoundError:
        return ""


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _tree(root: Path | None) -> list[tuple[str, int, int]]:
    if root is None or not root.is_dir():
        return []
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            st = path.stat()
            out.append((str(path), st.st_size, st.st_mtime_ns))
    return out


def means_fingerprint(settings: Settings) -> str:
    """What renders a document besides its context: templates, fonts, the renderer's code (path, size, mtime of
    each file) and the WeasyPrint version. The walk costs ~5–10 ms (a PDF ~130 ms); it is redone at most every
    ``MEANS_TTL_S`` per process — a template edited within that moment is used from the next one."""
    roots = (CODE_DIR, DEFAULTS_DIR, settings.templates_override_dir, settings.fonts_dir)
    seen = _MEANS.get(roots)
    if seen is not None and time.monotonic() - seen[0] < MEANS_TTL_S:
        return seen[1]
    h = hashlib.sha256(_renderer_version().encode())
    for root in dict.fromkeys(roots):
        h.update(json.dumps([str(root), _tree(root)]).encode())
    _MEANS[roots] = (time.monotonic(), h.hexdigest())
    return _MEANS[roots][1]


def cache_key(notice_type: str, fmt: str, context: Mapping[str, Any], means: str) -> str:
    """The key of one document: type, format, context (canonical JSON) and the means of rendering."""
    doc = json.dumps([KEY_VERSION, notice_type, fmt, context, means], sort_keys=True, ensure_ascii=False,
                     separators=(",", ":"), default=_json_default)
    return hashlib.sha256(doc.encode()).hexdigest()


def _entry(key: str, settings: Settings) -> Path:
    return settings.files_path / "rendered" / key[:2] / key


def cached(key: str, settings: Settings) -> bytes | None:
    """The bytes rendered before under ``key``, or None (never rendered, or the bytes are gone or altered)."""
    try:
        sha = _entry(key, settings).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    path = existing_file(sha, settings.files_path)
    if path is None:
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == sha else None


def remember(key: str, data: bytes, settings: Settings) -> None:
    """Keep ``data`` as the rendering of ``key`` (bytes first, then the entry naming them; both atomic)."""
    sha, _ = write_blob(data, settings.files_path)
    entry = _entry(key, settings)
    entry.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(sha)
        os.replace(tmp, entry)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["CACHED_FORMATS", "cache_key", "cached", "means_fingerprint", "remember"]
