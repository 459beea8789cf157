"""12345 imports from the web page (and from the API when asked) run in a background thread.

A large platform export (100,000 rows take about a minute) must neither hold the request open past a reverse
proxy's timeout nor leave the person without news. The page waits up to ``WAIT_SECONDS`` for the import: a
small file's result is shown at once. A larger one goes on in the background and the person is sent to
``/workorders/import/<token>``, which shows the rows processed so far (refreshing itself) and then the result.

The job's state is one JSON file per import, ``var/import-reports/<agency>/<token>.json`` (``var`` is shared
by every instance, as it must be for stored files), replaced atomically: ``running`` with the rows processed
and a heartbeat, then ``done`` with the full report (the error-file downloads read it) or ``failed`` with the
problem. A running job whose heartbeat stopped — its process was stopped or died — reads as ``interrupted``:
the import is idempotent, so uploading the same file again completes it without doubling anything.

An import the API runs in the request keeps its report the same way (``keep_report``), so that its whole problem
list (``problem_list``: .xlsx or .csv) can be fetched by its token like a job's. Which imports run as jobs, and
where each keeps them: web.import_kinds.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from starlette.datastructures import UploadFile

from states.vocab import JobState
from workflow.accounts.principal import Principal
from workflow.errors import InvalidTransition, NotFound
from workflow.hotline.batch import Reported, write_report
from workflow.hotline.mapping import ColumnMapping, MappingError
from workflow.runtime import Engine

log = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what secrets.token_urlsafe(18) gives, with room
WAIT_SECONDS = 5.0  # how long the upload request waits before sending the person to the progress page
HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 60.0  # a running job not heard of for this long is taken as interrupted
KEEP_DAYS = 7  # results and problem lists are kept this long (to download the problems and fix the file)

class JobReport(Protocol):
    """What a job keeps of an import's report (workflow.hotline.batch.ImportReport, workflow.golive.run.GoLiveReport)."""

    total: int

    def to_dict(self, max_errors: int | None = None) -> dict[str, Any]: ...


Importer = Callable[..., JobReport]  # workflow.hotline.batch.import_file and the like


ERROR_MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv; charset=utf-8"}  # an import's problem list (``problem_list``)
MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # an import file (or its mapping), from the page or the API
TOO_LARGE = "上传的文件过大（最大200MB）"


class UploadTooLarge(ValueError):
    """The uploaded file is over ``MAX_UPLOAD_BYTES`` (the message, ``TOO_LARGE``, is for the person)."""


def save_upload(upload: UploadFile, path: Path) -> Path:
    """Copy an upload to ``path`` in 1 MB chunks; UploadTooLarge when it is over the limit."""
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out, length=1024 * 1024)
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        raise UploadTooLarge(TOO_LARGE)
    return path


def jobs_dir(var_dir: Path, agency_id: int | None) -> Path:
    """Where an agency's import jobs are kept (every instance must see the same ``var_dir``)."""
    return var_dir / "import-reports" / str(agency_id)


def job_path(folder: Path, token: str) -> Path:
    return folder / f"{token}.json"


def _write(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)  # readers never see half a file


def read_job(folder: Path, token: str, now_ts: float | None = None) -> dict[str, Any] | None:
    """The job's state, or None when there is no such job (or it was pruned)."""
    path = job_path(folder, token)
    try:
        state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if "state" not in state:  # a problem list saved before imports ran as jobs: a finished import
        state = {"state": JobState.DONE, "report": state, "filename": "", "processed": state.get("total", 0)}
    now_ts = time.time() if now_ts is None else now_ts
    if state["state"] == JobState.RUNNING and now_ts - float(state.get("heartbeat", 0)) > STALE_SECONDS:
        state["state"] = JobState.INTERRUPTED
    return state


def keep_report(folder: Path, report: JobReport, *, filename: str, dry_run: bool) -> str:
    """Keep the report of an import that ran in the request (the API without ``background``) as a finished job, so
    that its whole problem list can be downloaded like a background import's; returns the job's token."""
    folder.mkdir(parents=True, exist_ok=True)
    prune(folder, time.time())
    token = secrets.token_urlsafe(18)
    now_ts = time.time()
    _write(job_path(folder, token), {"filename": filename, "dry_run": dry_run, "started": now_ts, "finished": now_ts,
                                     "state": JobState.DONE, "processed": report.total, "report": report.to_dict()})
    return token


def problem_list(folder: Path, token: str, fmt: str, load_report: Callable[[dict[str, Any]], Reported]) -> bytes | None:
    """A finished import's per-row problems as .xlsx or .csv (UTF-8 with BOM: row, column, problem, in Chinese —
    workflow.hotline.batch.write_report), every one of them; None when there is no such finished job (or format)."""
    job = read_job(folder, token) if TOKEN_RE.fullmatch(token) else None
    if fmt not in ERROR_MEDIA or job is None or job["state"] != JobState.DONE:
        return None
    with tempfile.TemporaryDirectory(prefix="banli-report-") as tmp:
        return write_report(load_report(job["report"]), Path(tmp) / f"errors.{fmt}").read_bytes()


def start_import(importer: Importer, engine: Engine, folder: Path, workdir: Path, data: Path,
                 mapping: ColumnMapping | None, actor: Principal, now: datetime, *, filename: str,
                 dry_run: bool) -> tuple[str, threading.Thread]:
    """Start importing ``data`` (inside ``workdir``, which the job deletes when it ends); returns the token and
    the thread (the caller may ``join`` it for a while)."""
    folder.mkdir(parents=True, exist_ok=True)
    prune(folder, time.time())
    token = secrets.token_urlsafe(18)
    path = job_path(folder, token)
    base = {"filename": filename, "dry_run": dry_run, "started": time.time()}
    _write(path, {**base, "state": JobState.RUNNING, "processed": 0, "heartbeat": time.time()})
    thread = threading.Thread(target=_run, name=f"import-{token[:6]}", daemon=True, args=(
        importer, engine, path, workdir, data, mapping, actor, now, base))
    thread.start()
    return token, thread


def prune(folder: Path, now_ts: float) -> None:
    """Drop results older than KEEP_DAYS, and half-written state files a crash left behind (file ages against the
    file system's clock, not the app clock)."""
    for old in [*folder.glob("*.json"), *folder.glob(".*.tmp")]:
        if now_ts - old.stat().st_mtime > KEEP_DAYS * 86400:
            old.unlink(missing_ok=True)


def finished(folder: Path, token: str, thread: threading.Thread) -> dict[str, Any] | None:
    """Wait up to WAIT_SECONDS for a job just started: its state if it ended (done or failed), else None (the
    person is sent to the progress page)."""
    thread.join(WAIT_SECONDS)
    job = read_job(folder, token)
    return job if job is not None and job["state"] in (JobState.DONE, JobState.FAILED) else None


def _run(importer: Importer, engine: Engine, path: Path, workdir: Path, data: Path,
         mapping: ColumnMapping | None, actor: Principal, now: datetime, base: dict[str, Any]) -> None:
    processed = 0
    lock = threading.Lock()
    finished = threading.Event()

    def beat() -> None:  # rows may take a while between progress calls: the heartbeat does not wait for them
        while not finished.wait(HEARTBEAT_SECONDS):
            with lock:
                if not finished.is_set():
                    _write(path, {**base, "state": JobState.RUNNING, "processed": processed, "heartbeat": time.time()})

    def progress(n: int) -> None:
        nonlocal processed
        processed += n

    heart = threading.Thread(target=beat, name="import-heartbeat", daemon=True)
    heart.start()
    try:
        report = importer(engine, data, mapping, actor, now, dry_run=base["dry_run"], progress=progress)
        final = {**base, "state": JobState.DONE, "processed": report.total, "report": report.to_dict()}
    except MappingError as exc:
        final = {**base, "state": JobState.FAILED, "errors": {"file": [str(exc)]}}
    except (InvalidTransition, NotFound) as exc:
        final = {**base, "state": JobState.FAILED, "errors": {"file": [exc.message]}}
    except Exception:
        log.exception("import %s failed", path.stem)
        final = {**base, "state": JobState.FAILED, "errors": {"file": ["导入失败：系统内部错误，已导入的行不受影响；请联系管理员"]}}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    with lock:
        finished.set()
        final["finished"] = time.time()
        _write(path, final)
    heart.join()


__all__ = ["ERROR_MEDIA", "MAX_UPLOAD_BYTES", "STALE_SECONDS", "TOKEN_RE", "WAIT_SECONDS", "UploadTooLarge",
           "job_path", "jobs_dir", "keep_report", "problem_list", "read_job", "save_upload", "start_import"]
