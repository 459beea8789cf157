"""Every stored file present with its hash: the ``StoredFile`` rows against the content-addressed directory."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import col, select

from db.engine import read_session
from db.models import StoredFile

CHUNK = 2000
LISTED = 20  # problems named one by one in a report; the counts are always complete


@dataclass(frozen=True)
class FileProblem:
    """A stored file whose bytes are missing, of the wrong size or with the wrong hash."""

    file_id: int
    sha256: str
    filename: str
    case_kind: str | None
    case_id: int | None
    problem: str  # missing | size | hash

    def describe(self) -> str:
        what = {"missing": "文件缺失", "size": "文件大小不符", "hash": "文件内容校验值不符"}[self.problem]
        case = f"，案件 {self.case_kind}#{self.case_id}" if self.case_id else ""
        return f"{what}：文件 #{self.file_id}「{self.filename}」{case}（{self.sha256[:12]}…）"


@dataclass
class FilesReport:
    rows: int = 0
    blobs: int = 0
    bytes: int = 0
    hashed: bool = True
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def missing(self) -> int:
        """Distinct contents missing (one blob may serve several rows; each row is listed)."""
        return len({p.sha256 for p in self.problems if p.problem == "missing"})

    @property
    def corrupt(self) -> int:
        return len({p.sha256 for p in self.problems if p.problem != "missing"})


def sha256_of(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def stored_rows(engine: Engine) -> Iterator[StoredFile]:
    """Every StoredFile row, read in chunks by id (bounded memory on large instances)."""
    last = 0
    while True:
        with read_session(engine) as s:
            rows = s.exec(select(StoredFile).where(col(StoredFile.id) > last)
                          .order_by(col(StoredFile.id)).limit(CHUNK)).all()
        if not rows:
            return
        yield from rows
        last = int(rows[-1].id or 0)


def blob_problem(root: Path, sha: str, size: int, *, hashed: bool) -> str | None:
    """None when ``<root>/<sha[:2]>/<sha>`` holds ``size`` bytes (hashing to ``sha`` when asked)."""
    path = root / sha[:2] / sha
    if not path.is_file():
        return "missing"
    if path.stat().st_size != size:
        return "size"
    if hashed and sha256_of(path) != sha:
        return "hash"
    return None


def check_files(engine: Engine, root: Path, *, hashed: bool = True) -> FilesReport:
    """Check every stored file once per distinct content (many rows may share one blob)."""
    report = FilesReport(hashed=hashed)
    verdicts: dict[str, str | None] = {}
    for row in stored_rows(engine):
        report.rows += 1
        if row.sha256 not in verdicts:
            verdicts[row.sha256] = blob_problem(root, row.sha256, row.size, hashed=hashed)
            report.blobs += 1
            report.bytes += row.size
        problem = verdicts[row.sha256]
        if problem:
            report.problems.append(FileProblem(int(row.id or 0), row.sha256, row.filename, row.case_kind,
                                               row.case_id, problem))
    return report
