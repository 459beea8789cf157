"""12345 intake for the desk: register one order by hand, import a platform export (.xlsx / .jsonl, optional
column mapping) with the import report and its error file, and download the replies for the platform."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from states.roles import Role
from states.vocab import JobState
from web.auth import CurrentUser
from web.import_jobs import TOKEN_RE, UploadTooLarge, finished, jobs_dir, read_job, save_upload, start_import
from web.pages.common import agency_of, local_input, now, today
from web.pages.forms import typed_values
from web.pages.hotline.forms import intake_fields, intake_values
from web.pages.render import redirect, render
from web.pages.session import PageError, StaffForm, app_engine, app_settings, principal, require
from workflow.errors import DomainValidation, InvalidTransition
from workflow.hotline import actions as wf
from workflow.hotline.batch import ImportReport, import_file, write_report
from workflow.hotline.mapping import MappingError, load_mapping
from workflow.hotline.queries import ExportWindowError, export_replies, export_window

router = APIRouter(prefix="/workorders", include_in_schema=False)
CanIntake = require(Role.FRONT_DESK, Role.LEADER)
SHOWN_ERRORS = 200
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def _intake_page(request: Request, values: dict[str, str], errors: dict[str, list[str]], status: int = 200
                 ) -> Response:
    specs = intake_fields()
    return render(request, "workorders/new.html", {"f": {s.name: s for s in specs}, "values": values,
                                                   "errors": errors}, status=status)


@router.get("/new")
def new_form(request: Request, user: CurrentUser = CanIntake) -> Response:
    _, cfg = agency_of(request, user)
    return _intake_page(request, {"urgency": "normal", "received_at": local_input(now(request), cfg.timezone)}, {})


@router.post("/new")
def new(request: Request, form: StaffForm, user: CurrentUser = CanIntake) -> Response:
    """Register one order as the platform dispatched it (idempotent on its number, like the API)."""
    _, cfg = agency_of(request, user)
    values = typed_values(form)
    try:
        record = wf.record_from_input(intake_values(intake_fields(), form, cfg.timezone))
        r = wf.intake(app_engine(request), record, principal(user), now(request), source="api")
    except DomainValidation as exc:  # the import's own messages (already specific Chinese), at their fields
        errors: dict[str, list[str]] = {}
        for e in exc.fields:
            errors.setdefault(str(e["field"]) or "__all__", []).append(str(e["message"]))
        return _intake_page(request, values, errors, status=422)
    except InvalidTransition as exc:
        return _intake_page(request, values, {"__all__": [exc.message]}, status=403)
    no = record["order_no"]
    msg = (f"已登记工单 {no}" if r.created else f"工单 {no} 已存在，已按本次填写更新" if r.updated
           else f"工单 {no} 已存在，内容未变化")
    return redirect(request, f"/workorders/{r.id}", ("ok" if r.created else "info", msg))


def _reports_dir(request: Request, agency_id: int) -> Path:
    return jobs_dir(app_settings(request).var_dir, agency_id)


@router.get("/import")
def import_form(request: Request, user: CurrentUser = CanIntake) -> Response:
    return render(request, "workorders/import.html", {"report": None, "job": None, "token": "", "errors": {}})


def _form_again(request: Request, errors: dict[str, list[str]]) -> Response:
    return render(request, "workorders/import.html", {"report": None, "job": None, "token": "", "errors": errors},
                  status=422)


@router.post("/import")
def import_(request: Request, form: StaffForm, user: CurrentUser = CanIntake) -> Response:
    """Check every row, write the good ones, report the bad ones (kept for the error-file download).

    The import runs as a job (web.import_jobs): its result is shown here when it ends within a few
    seconds, otherwise on its own page, which follows its progress."""
    file, mapping = form.get("file"), form.get("mapping")
    dry_run = form.get("dry_run") in ("on", "1", "true")
    if not isinstance(file, UploadFile) or not file.filename:
        return _form_again(request, {"file": ["请选择要导入的文件"]})
    suffix = Path(file.filename).suffix.lower()
    if suffix not in (".xlsx", ".jsonl"):
        return _form_again(request, {"file": ["只接受平台导出的 .xlsx 或 .jsonl 文件"]})
    workdir = Path(tempfile.mkdtemp(prefix="banli-import-"))  # the job deletes it when it ends
    field = "file"
    try:
        data = save_upload(file, workdir / f"upload{suffix}")
        cmap = None
        if isinstance(mapping, UploadFile) and mapping.filename:
            field = "mapping"
            cmap = load_mapping(save_upload(mapping, workdir / "mapping.yaml"))
    except (UploadTooLarge, MappingError) as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        return _form_again(request, {field: [str(exc)]})
    folder = _reports_dir(request, user.agency_id)
    token, thread = start_import(import_file, app_engine(request), folder, workdir, data, cmap, principal(user),
                                 now(request), filename=file.filename, dry_run=dry_run)
    job = finished(folder, token, thread)
    if job is not None:
        return _job_page(request, token, job)
    return redirect(request, f"/workorders/import/{token}")


def _job_page(request: Request, token: str, job: dict[str, Any]) -> Response:
    """A finished import's result, a failed one's problem at the file field, or how far a running one is."""
    if job["state"] == JobState.FAILED:
        return _form_again(request, job["errors"])
    if job["state"] != JobState.DONE:
        return render(request, "workorders/import.html", {"report": None, "job": job, "token": token, "errors": {}})
    report = ImportReport.from_dict(job["report"])
    return render(request, "workorders/import.html", {
        "report": report.to_dict(max_errors=SHOWN_ERRORS), "summary": report.summary_zh(), "job": None,
        "token": token if report.errors else "", "counts": import_summary(report.to_dict(max_errors=0)),
        "filename": job.get("filename", ""), "errors": {}})


@router.get("/import/{token}")
def import_job(request: Request, token: str, user: CurrentUser = CanIntake) -> Response:
    """An import's progress (the page refreshes itself while it runs), then its result."""
    job = read_job(_reports_dir(request, user.agency_id), token) if TOKEN_RE.fullmatch(token) else None
    if job is None:
        raise PageError(404, "没有这次导入的记录（可能已过期）")
    return _job_page(request, token, job)


@router.get("/import/{token}/errors.{fmt}")
def import_errors(request: Request, token: str, fmt: str, user: CurrentUser = CanIntake) -> Response:
    """The import's per-row problems as .xlsx or .csv (UTF-8 with BOM): row, column, problem, code."""
    job = read_job(_reports_dir(request, user.agency_id), token) if TOKEN_RE.fullmatch(token) else None
    if fmt not in ("xlsx", "csv") or job is None or job["state"] != JobState.DONE:
        raise PageError(404, "导入问题清单不存在或已过期")
    report = ImportReport.from_dict(job["report"])
    with tempfile.TemporaryDirectory(prefix="banli-report-") as tmp:
        content = write_report(report, Path(tmp) / f"errors.{fmt}").read_bytes()
    return Response(content, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="import-errors.{fmt}"', "X-Content-Type-Options": "nosniff"})


@router.get("/export")
def export(request: Request, user: CurrentUser = CanIntake) -> Response:
    """Replies (and interim replies) recorded since a day, for upload to the hotline platform."""
    q = request.query_params
    since, until, fmt = q.get("since", ""), q.get("until", ""), q.get("format", "xlsx")
    values = {"since": since, "until": until, "format": fmt}
    if not since:  # the form, with today's replies as the default period (the platform takes them daily)
        _, cfg = agency_of(request, user)
        day = today(request, cfg.timezone).isoformat()
        return render(request, "workorders/export.html", {"values": {**values, "since": day, "until": day},
                                                          "errors": {}})
    errors: dict[str, list[str]] = {}
    try:
        start, end = export_window(since, until, load_mapping())
    except ExportWindowError as exc:
        errors[exc.field] = [exc.message]
    if fmt not in ("xlsx", "jsonl"):
        errors["format"] = ["请选择 xlsx 或 jsonl"]
    if errors:
        return render(request, "workorders/export.html", {"values": values, "errors": errors}, status=422)
    buf = io.BytesIO()
    n = export_replies(app_engine(request), user.agency_id, start, end, "jsonl" if fmt == "jsonl" else "xlsx", buf)
    return Response(buf.getvalue(), media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="workorder-replies-{start:%Y%m%d}.{fmt}"',
        "X-Row-Count": str(n), "X-Content-Type-Options": "nosniff"})


def import_summary(report: dict[str, Any]) -> list[tuple[str, int]]:
    return [("文件总行数", report["total"]), ("新增", report["created"]), ("更新", report["updated"]),
            ("未变化", report["unchanged"]), ("有问题的行", report["error_rows"])]
