"""12345 intake for the desk: register one order by hand, import a platform export (.xlsx / .jsonl, optional
column mapping) with the import report and its error file, and download the replies for the platform."""

from __future__ import annotations

import io
import json
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from db.engine import read_session
from states.roles import Role
from web.auth import CurrentUser
from web.pages.common import agency_of, local_input, now
from web.pages.forms import errors_by_field, typed_values
from web.pages.render import redirect, render
from web.pages.session import PageError, StaffForm, app_engine, app_settings, principal, require
from web.pages.workorder_forms import intake_fields, intake_values
from workflow import hotline as wf
from workflow.errors import DomainValidation, InvalidTransition, NotFound
from workflow.hotline_batch import ImportReport, import_file, write_report
from workflow.hotline_export import write_export
from workflow.hotline_import import RowError
from workflow.hotline_mapping import MappingError, load_mapping
from workflow.hotline_queries import ExportWindowError, export_rows, export_window

router = APIRouter(prefix="/workorders", include_in_schema=False)
CanIntake = require(Role.FRONT_DESK, Role.LEADER)
MAX_IMPORT_BYTES = 200 * 1024 * 1024  # as the API
SHOWN_ERRORS = 200
KEEP_REPORTS_DAYS = 7
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
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
    return app_settings(request).var_dir / "import-reports" / str(agency_id)


@router.get("/import")
def import_form(request: Request, user: CurrentUser = CanIntake) -> Response:
    return render(request, "workorders/import.html", {"report": None, "token": "", "errors": {}})


def _save(upload: UploadFile, path: Path) -> Path:
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out, length=1024 * 1024)
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise DomainValidation.one("file", "too_large", "上传的文件过大（最大200MB）")
    return path


@router.post("/import")
def import_(request: Request, form: StaffForm, user: CurrentUser = CanIntake) -> Response:
    """Check every row, write the good ones, report the bad ones (kept for the error-file download)."""
    file, mapping = form.get("file"), form.get("mapping")
    dry_run = form.get("dry_run") in ("on", "1", "true")
    if not isinstance(file, UploadFile) or not file.filename:
        return render(request, "workorders/import.html", {"report": None, "token": "",
                                                           "errors": {"file": ["请选择要导入的文件"]}}, status=422)
    suffix = Path(file.filename).suffix.lower()
    if suffix not in (".xlsx", ".jsonl"):
        return render(request, "workorders/import.html", {"report": None, "token": "", "errors": {
            "file": ["只接受平台导出的 .xlsx 或 .jsonl 文件"]}}, status=422)
    try:
        with tempfile.TemporaryDirectory(prefix="banli-import-") as tmp:
            data = _save(file, Path(tmp) / f"upload{suffix}")
            cmap = None
            if isinstance(mapping, UploadFile) and mapping.filename:
                try:
                    cmap = load_mapping(_save(mapping, Path(tmp) / "mapping.yaml"))
                except MappingError as exc:
                    raise DomainValidation.one("mapping", "invalid_mapping", str(exc)) from exc
            try:
                report = import_file(app_engine(request), data, cmap, principal(user), now(request), dry_run=dry_run)
            except MappingError as exc:
                raise DomainValidation.one("file", "invalid_file", str(exc)) from exc
    except DomainValidation as exc:
        return render(request, "workorders/import.html", {"report": None, "token": "",
                                                           "errors": errors_by_field(exc)}, status=422)
    except (InvalidTransition, NotFound) as exc:
        raise PageError(403, exc.message) from exc
    token = ""
    if report.errors:
        token = secrets.token_urlsafe(18)
        folder = _reports_dir(request, user.agency_id)
        folder.mkdir(parents=True, exist_ok=True)
        _prune(folder, time.time())  # file ages against the file system's clock (mtime), not the app clock
        (folder / f"{token}.json").write_text(json.dumps(report.to_dict(), ensure_ascii=False), encoding="utf-8")
    return render(request, "workorders/import.html", {
        "report": report.to_dict(max_errors=SHOWN_ERRORS), "summary": report.summary_zh(), "token": token,
        "counts": import_summary(report.to_dict(max_errors=0)), "filename": file.filename, "errors": {}})


def _prune(folder: Path, now_ts: float) -> None:
    """Problem lists are kept for KEEP_REPORTS_DAYS days (long enough to download and fix the file)."""
    for old in folder.glob("*.json"):
        if now_ts - old.stat().st_mtime > KEEP_REPORTS_DAYS * 86400:
            old.unlink(missing_ok=True)


@router.get("/import/{token}/errors.{fmt}")
def import_errors(request: Request, token: str, fmt: str, user: CurrentUser = CanIntake) -> Response:
    """The import's per-row problems as .xlsx or .csv (UTF-8 with BOM): row, column, problem, code."""
    path = _reports_dir(request, user.agency_id) / f"{token}.json"
    if fmt not in ("xlsx", "csv") or not TOKEN_RE.fullmatch(token) or not path.exists():
        raise PageError(404, "导入问题清单不存在或已过期")
    saved = json.loads(path.read_text(encoding="utf-8"))
    report = ImportReport(errors=[RowError(e["row"], e["column"], e["problem"], e["code"]) for e in saved["errors"]])
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
    if not since:
        return render(request, "workorders/export.html", {"values": values, "errors": {}})
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
    with read_session(app_engine(request)) as s:
        n = write_export(export_rows(s, user.agency_id, start, end), "jsonl" if fmt == "jsonl" else "xlsx", buf)
    return Response(buf.getvalue(), media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="workorder-replies-{start:%Y%m%d}.{fmt}"',
        "X-Row-Count": str(n), "X-Content-Type-Options": "nosniff"})


def import_summary(report: dict[str, Any]) -> list[tuple[str, int]]:
    return [("文件总行数", report["total"]), ("新增", report["created"]), ("更新", report["updated"]),
            ("未变化", report["unchanged"]), ("有问题的行", report["error_rows"])]
