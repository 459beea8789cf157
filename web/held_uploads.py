"""Attachments kept across a portal form that came back with errors (issue 20: a wrong challenge answer dropped the
applicant's files). A browser never re-fills a file input, so the files that passed the checks are held on the
server under an unguessable token for a short while; the re-rendered form names them and carries the token, and
the next post uses them unless new files are chosen. Shared by the instances through ``var_dir``."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

HOLD_SECONDS = 2 * 3600
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
FIELD = "held_files"


def _root(var_dir: Path) -> Path:
    return Path(var_dir) / "portal-held"


def _sweep(root: Path, now: float) -> None:
    """Forget holds older than HOLD_SECONDS (cheap: a directory listing per hold)."""
    if not root.is_dir():
        return
    for d in root.iterdir():
        try:
            if now - d.stat().st_mtime > HOLD_SECONDS:
                shutil.rmtree(d, ignore_errors=True)
        except FileNotFoundError:
            continue


def hold(var_dir: Path, files: list[tuple[str, bytes]]) -> str:
    """Keep ``files`` (already checked) and return their token; "" when there is nothing to keep."""
    if not files:
        return ""
    root = _root(var_dir)
    _sweep(root, time.time())
    token = secrets.token_urlsafe(32)
    d = root / token
    d.mkdir(parents=True)
    names = []
    for i, (name, data) in enumerate(files):
        (d / f"{i}.bin").write_bytes(data)
        names.append(name)
    (d / "names.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    return token


def held(var_dir: Path, token: str) -> list[tuple[str, bytes]]:
    """The files held under ``token`` (empty when unknown, malformed or expired)."""
    if not TOKEN_RE.match(token or ""):
        return []
    d = _root(var_dir) / token
    try:
        if time.time() - d.stat().st_mtime > HOLD_SECONDS:
            return []
        names = json.loads((d / "names.json").read_text(encoding="utf-8"))
        return [(str(n), (d / f"{i}.bin").read_bytes()) for i, n in enumerate(names)]
    except (FileNotFoundError, ValueError, NotADirectoryError):
        return []


def release(var_dir: Path, token: str) -> None:
    """Forget a hold once its files are submitted."""
    if TOKEN_RE.match(token or ""):
        shutil.rmtree(_root(var_dir) / token, ignore_errors=True)


__all__ = ["FIELD", "held", "hold", "release"]
