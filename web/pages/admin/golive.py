"""Admin: 上线导入 — bring the agency's history of disclosure applications in from its paper 台账 (.xlsx/.csv), with
the template to download, the column mapping on the page, the result and the bad rows (downloadable). The
import runs as a job (web.import_jobs), like the 12345 import: a small file's result is shown at once, a larger
one is followed on its own page."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from states.roles import Role
from states.vocab import JobState
from web.auth import CurrentUser
from web.import_jobs import TOKEN_RE, UploadTooLarge, finished, jobs_dir, read_job, save_upload, start_import
from web.pages.common import now
from web.pages.render import redirect, render
from web.pages.session import PageError, StaffForm, app_engine, app_settings, principal, require
from workflow.accounts.principal import Principal
from workflow.golive.columns import COLUMNS
from workflow.golive.run import GoLiveReport, import_file
from workflow.golive.template import template_bytes
from workflow.hotline.batch import write_report
from workflow.hotline.mapping import ColumnMapping

router = APIRouter(prefix="/golive", include_in_schema=False)
CanImport = require(Role.ADMIN, Role.LEADER)  # states.policy.may_import_history decides; this keeps others out
SHOWN_ERRORS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


def _importer(engine: Any, data: Path, mapping: ColumnMapping | None, actor: Principal, when: datetime, *,
              dry_run: bool, progress: Any) -> GoLiveReport:
    """web.import_jobs calls importers with a column mapping; this import has its own fixed columns."""
    return import_file(engine, data, actor, when, dry_run=dry_run, progress=progress)


def _folder(request: Request, agency_id: int) -> Path:
    return jobs_dir(app_settings(request).var_dir, agency_id) / "golive"


def _page(request: Request, *, report: GoLiveReport | None = None, job: dict[str, Any] | None = None,
          token: str = "", errors: dict[str, list[str]] | None = None, status: int = 200) -> Response:
    ctx: dict[str, Any] = {"columns": COLUMNS, "job": job, "token": token, "errors": errors or {}, "report": None}
    if report is not None:
        ctx.update(report=report.to_dict(max_errors=SHOWN_ERRORS), summary=report.summary_zh(),
                   filename=(job or {}).get("filename", ""),
                   counts=[("文件总行数", report.total), ("导入", report.created), ("其中已办结", report.concluded),
                           ("其中未办结", report.open), ("此前已导入", report.existing), ("有问题的行", report.error_rows)])
        ctx["job"] = None
    return render(request, "admin/golive.html", ctx, status=status)


@router.get("")
def form(request: Request, user: CurrentUser = CanImport) -> Response:
    return _page(request)


@router.get("/template.xlsx")
def template(request: Request, user: CurrentUser = CanImport) -> Response:
    """The import template: the data sheet's headers, examples, what each column means, the decision codes."""
    return Response(template_bytes(), media_type=XLSX, headers={
        "Content-Disposition": "attachment; filename*=UTF-8''%E4%B8%8A%E7%BA%BF%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx",
        "X-Content-Type-Options": "nosniff"})


@router.post("")
def upload(request: Request, form: StaffForm, user: CurrentUser = CanImport) -> Response:
    """Check every row, write the good ones through the workflow, report the bad ones."""
    file = form.get("file")
    dry_run = form.get("dry_run") in ("on", "1", "true")
    if not isinstance(file, UploadFile) or not file.filename:
        return _page(request, errors={"file": ["请选择要导入的文件"]}, status=422)
    suffix = Path(file.filename).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        return _page(request, errors={"file": ["只接受按导入模板填写的 .xlsx 或 .csv 文件"]}, status=422)
    workdir = Path(tempfile.mkdtemp(prefix="banli-golive-"))  # the job deletes it when it ends
    try:
        data = save_upload(file, workdir / f"upload{suffix}")
    except UploadTooLarge as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        return _page(request, errors={"file": [str(exc)]}, status=422)
    folder = _folder(request, user.agency_id)
    token, thread = start_import(_importer, app_engine(request), folder, workdir, data, None, principal(user),
                                 now(request), filename=file.filename, dry_run=dry_run)
    job = finished(folder, token, thread)
    if job is not None:
        return _job_page(request, token, job)
    return redirect(request, f"/admin/golive/{token}")


def _job_page(request: Request, token: str, job: dict[str, Any]) -> Response:
    if job["state"] == JobState.FAILED:
        return _page(request, errors=job["errors"], status=422)
    if job["state"] != JobState.DONE:
        return _page(request, job=job, token=token)
    report = GoLiveReport.from_dict(job["report"])
    return _page(request, report=report, job=job, token=token if report.errors else "")


@router.get("/{token}")
def job(request: Request, token: str, user: CurrentUser = CanImport) -> Response:
    """An import's progress (the page refreshes itself while it runs), then its result."""
    state = read_job(_folder(request, user.agency_id), token) if TOKEN_RE.fullmatch(token) else None
    if state is None:
        raise PageError(404, "没有这次导入的记录（可能已过期）")
    return _job_page(request, token, state)


@router.get("/{token}/errors.{fmt}")
def errors(request: Request, token: str, fmt: str, user: CurrentUser = CanImport) -> Response:
    """The bad rows as .xlsx or .csv (UTF-8 with BOM): row, column, problem, code."""
    state = read_job(_folder(request, user.agency_id), token) if TOKEN_RE.fullmatch(token) else None
    if fmt not in MEDIA or state is None or state["state"] != JobState.DONE:
        raise PageError(404, "导入问题清单不存在或已过期")
    report = GoLiveReport.from_dict(state["report"])
    with tempfile.TemporaryDirectory(prefix="banli-report-") as tmp:
        content = write_report(report, Path(tmp) / f"errors.{fmt}").read_bytes()
    return Response(content, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="golive-errors.{fmt}"', "X-Content-Type-Options": "nosniff"})
