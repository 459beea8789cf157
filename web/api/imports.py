"""What the API's file imports share — the 12345 import (``/api/workorders/import``) and the go-live import
(``/api/golive/import``) —, each import as web.import_kinds defines it for its page too:

- the upload checked as every upload is (web.uploads: one file per field, a name that is text; 422 at the field)
  and saved (web.import_jobs.save_upload: 413 over the size limit), with a column mapping where the import takes
  one; the import run in the request, or as a job with ``background=true`` (202 and a status URL);
- the report of an import run in the request kept like a job's (web.import_jobs.keep_report), so that ``job`` names
  it too; a job's status (running, done with the report, failed with the problem, interrupted);
- every problem of a finished import as .xlsx or .csv (``{status_url}/errors.xlsx``): the answer lists at most
  ``MAX_REPORTED_ERRORS`` of them (``errors_truncated`` counts the rest), the problem list has them all — the same
  file the import pages offer.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from settings import Settings
from states.vocab import JobState
from web.api.schemas import ApiOut, file_answer
from web.errors import ApiError
from web.import_jobs import (
    ERROR_MEDIA,
    TOKEN_RE,
    UploadTooLarge,
    keep_report,
    read_job,
    save_upload,
    start_import,
)
from web.import_kinds import ImportKind
from web.uploads import check_files, sent_filename
from workflow.accounts.principal import Principal
from workflow.hotline.mapping import MappingError, load_mapping
from workflow.runtime import Engine

MAX_REPORTED_ERRORS = 1000  # problems listed in an answer; the problem list has them all
ProblemFormat = Literal["xlsx", "csv"]
PROBLEM_LIST = file_answer("全部问题（行号、列、问题，中文）：xlsx 或 csv（UTF-8，带 BOM，可用 Excel 打开）",
                           *ERROR_MEDIA.values())
JOB_DESCRIPTION = "导入任务编号：用于查询进度（…/import/{job}）和下载全部问题（…/import/{job}/errors.xlsx 或 .csv）"


class ImportErrorOut(ApiOut):
    row: int = Field(description="行号")
    column: str = Field(description="列")
    problem: str = Field(description="问题（中文）")
    code: str = Field(description="问题代码")


class ImportReportBase(ApiOut):
    """What every import's report says of its problems (each import adds its counts)."""

    error_rows: int = Field(description="有问题的行数（这些行未导入）")
    dry_run: bool = Field(description="试运行（逐行检查，未写入数据库）")
    errors: list[ImportErrorOut] = Field(description=f"问题（按行号，最多列出 {MAX_REPORTED_ERRORS} 条）")
    errors_truncated: int = Field(description="未列出的问题条数（全部问题见 …/import/{job}/errors.xlsx）")


class ImportStatusBase(ApiOut):
    """后台导入：导入中、已完成（附结果）、失败（附原因）或中断 (each import adds its ``report``)"""

    job: str
    state: JobState = Field(description="running 导入中 / done 已完成 / failed 失败 / interrupted 中断（请重新上传同一文件）")
    processed: int = Field(description="已处理的行数")
    filename: str
    dry_run: bool
    errors: dict[str, list[str]] | None = Field(None, description="失败原因，按字段（仅 failed）")


class ImportStartedOut(ApiOut):
    job: str = Field(description=JOB_DESCRIPTION)
    state: JobState
    status_url: str = Field(description="查询进度和结果的地址")


def _save(upload: UploadFile, directory: Path, default_suffix: str) -> Path:
    suffix = Path(sent_filename(upload)).suffix.lower() or default_suffix
    try:
        return save_upload(upload, directory / f"upload{suffix}")
    except UploadTooLarge as exc:
        raise ApiError(413, "too_large", str(exc)) from exc


async def run_import(kind: ImportKind, url: str, request: Request, engine: Engine, now: datetime, actor: Principal,
                     settings: Settings, *, file: UploadFile, mapping: UploadFile | None = None, dry_run: bool,
                     background: bool, default_suffix: str) -> Any:
    """Check every row, write the good ones through the workflow, report the bad ones: the report (at most
    ``MAX_REPORTED_ERRORS`` problems listed, ``job`` naming the kept report), or with ``background`` the started
    job (202; ``url`` is where jobs are followed: ``{url}/{job}``). First the upload, as every upload is checked
    (web.uploads): one file per field (``kind.upload_fields``: a second part is refused, not dropped) under a name
    that is text — 422 at the field. A file that cannot be read at all: 422 ``invalid_file``."""
    check_files(await request.form(), *kind.upload_fields)  # the form FastAPI read: ``file`` and ``mapping`` its parts
    if mapping is not None and not kind.takes_mapping:
        raise TypeError("this import takes no column mapping")
    return await run_in_threadpool(_run, kind, url, engine, now, actor, settings, file, mapping, dry_run=dry_run,
                                   background=background, default_suffix=default_suffix)


def _run(kind: ImportKind, url: str, engine: Engine, now: datetime, actor: Principal, settings: Settings,
         file: UploadFile, mapping: UploadFile | None, *, dry_run: bool, background: bool, default_suffix: str) -> Any:
    filename = sent_filename(file)
    workdir = Path(tempfile.mkdtemp(prefix="banli-import-"))
    handed_over = False  # to the background job, which deletes it when it ends
    folder = kind.folder(settings.var_dir, actor.agency_id)
    try:
        data = _save(file, workdir, default_suffix)
        try:
            cmap = load_mapping(_save(mapping, workdir, ".yaml")) if mapping is not None else None
            if background:
                token, _ = start_import(kind.importer, engine, folder, workdir, data, cmap, actor, now,
                                        filename=filename, dry_run=dry_run)
                handed_over = True
                return JSONResponse({"job": token, "state": JobState.RUNNING, "status_url": f"{url}/{token}"},
                                    status_code=202)
            report = kind.importer(engine, data, cmap, actor, now, dry_run=dry_run)
        except MappingError as exc:
            raise ApiError(422, "invalid_file", str(exc)) from exc
    finally:
        if not handed_over:
            shutil.rmtree(workdir, ignore_errors=True)
    token = keep_report(folder, report, filename=filename, dry_run=dry_run)
    return {**report.to_dict(max_errors=MAX_REPORTED_ERRORS), "job": token}


def job_status(kind: ImportKind, token: str, actor: Principal, settings: Settings) -> dict[str, Any]:
    """``running`` (rows processed so far), ``done`` (the report), ``failed`` (the problem by field) or
    ``interrupted`` (the process stopped: upload the same file again — nothing is imported twice); 404 when there is
    no such job of the agency (or it was pruned)."""
    folder = kind.folder(settings.var_dir, actor.agency_id)
    job = read_job(folder, token) if TOKEN_RE.fullmatch(token) else None
    if job is None:
        raise ApiError(404, "not_found", "没有这次导入的记录（可能已过期）")
    out: dict[str, Any] = {"job": token, "state": job["state"], "processed": job.get("processed", 0),
                           "filename": job.get("filename", ""), "dry_run": job.get("dry_run", False)}
    if job["state"] == JobState.DONE:
        out["report"] = kind.load_report(job["report"]).to_dict(max_errors=MAX_REPORTED_ERRORS)
    elif job["state"] == JobState.FAILED:
        out["errors"] = job["errors"]
    return out


def problem_file(kind: ImportKind, token: str, fmt: ProblemFormat, actor: Principal, settings: Settings) -> Response:
    """Every problem of a finished import of the agency (the import pages' download); 404 otherwise."""
    content = kind.problems(settings.var_dir, actor.agency_id, token, fmt)
    if content is None:
        raise ApiError(404, "not_found", "导入问题清单不存在或已过期（导入尚未完成，或已超过保存期限）")
    return Response(content, media_type=ERROR_MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="{kind.errors_filename}.{fmt}"',
        "X-Content-Type-Options": "nosniff"})
