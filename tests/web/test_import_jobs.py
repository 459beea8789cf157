"""The background import job: heartbeat while rows are read, states written atomically, failures recorded."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from web import import_jobs
from web.import_jobs import read_job, start_import
from workflow.errors import NotFound
from workflow.hotline.batch import ImportReport
from workflow.hotline.mapping import MappingError


def _start(tmp_path: Path, importer: Any) -> tuple[Path, str, threading.Thread, Path]:
    folder, work = tmp_path / "jobs", tmp_path / "work"
    work.mkdir()
    (work / "upload.xlsx").write_bytes(b"x")
    token, thread = start_import(importer, None, folder, work, work / "upload.xlsx", None, None, None,  # type: ignore[arg-type]
                                 filename="工单.xlsx", dry_run=False)
    return folder, token, thread, work


def test_heartbeat_and_progress_while_running_then_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_jobs, "HEARTBEAT_SECONDS", 0.05)
    go = threading.Event()

    def importer(engine: Any, data: Path, mapping: Any, actor: Any, now: Any, *, dry_run: bool, progress: Any) -> Any:
        progress(500)
        assert go.wait(10)
        return ImportReport(total=700, created=690, dry_run=dry_run)

    folder, token, thread, work = _start(tmp_path, importer)
    first = read_job(folder, token)
    assert first is not None and first["state"] == "running"
    time.sleep(0.3)
    later = read_job(folder, token)
    assert later is not None and later["state"] == "running" and later["processed"] == 500
    assert later["heartbeat"] > first["heartbeat"]
    # the same job, read as if its process had died a minute ago
    assert read_job(folder, token, now_ts=later["heartbeat"] + import_jobs.STALE_SECONDS + 1)["state"] == "interrupted"
    go.set()
    thread.join(10)
    done = read_job(folder, token)
    assert done is not None and done["state"] == "done" and done["report"]["created"] == 690
    assert not work.exists()  # the upload is deleted when the job ends
    assert list(folder.glob(".*.tmp")) == []


@pytest.mark.parametrize(("exc", "message"), [
    (MappingError("表头缺少“工单编号”列"), "表头缺少“工单编号”列"),
    (NotFound("机关"), "机关"),
    (RuntimeError("boom"), "导入失败：系统内部错误"),
])
def test_a_failed_job_records_its_problem_for_the_file_field(tmp_path: Path, exc: Exception, message: str) -> None:
    def importer(*args: Any, **kw: Any) -> Any:
        raise exc

    folder, token, thread, work = _start(tmp_path, importer)
    thread.join(10)
    job = read_job(folder, token)
    assert job is not None and job["state"] == "failed" and message in job["errors"]["file"][0]
    assert not work.exists()


def test_a_problem_list_saved_before_jobs_reads_as_a_finished_import(tmp_path: Path) -> None:
    report = ImportReport(total=3, created=2, errors=[]).to_dict()
    (tmp_path / ("a" * 24 + ".json")).write_text(json.dumps(report), encoding="utf-8")
    job = read_job(tmp_path, "a" * 24)
    assert job is not None and job["state"] == "done" and job["report"]["created"] == 2
    assert read_job(tmp_path, "b" * 24) is None
