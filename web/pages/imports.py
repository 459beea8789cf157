"""The import-upload page flow the 12345 import (``/workorders/import``) and the go-live import (``/admin/golive``)
share: the upload form, the file checked and saved, the import started as a job (web.import_jobs), its result
shown at once when it ends within a few seconds and otherwise on its own page (which follows its progress),
and the problem list downloadable as .xlsx or .csv. Each page supplies its particulars as an ``ImportPage``;
the templates extend ``_import_page.html``."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import Response

from states.vocab import JobState
from web.auth import CurrentUser
from web.import_jobs import (
    TOKEN_RE,
    Importer,
    JobReport,
    UploadTooLarge,
    finished,
    jobs_dir,
    read_job,
    save_upload,
    start_import,
)
from web.pages.common import now
from web.pages.forms import errors_by_field
from web.pages.render import redirect, render
from web.pages.session import PageError, StaffForm, app_engine, app_settings, principal
from web.uploads import sent_filename, single_file
from workflow.cases.attachments import check_filename
from workflow.errors import DomainValidation
from workflow.hotline.batch import Reported, write_report
from workflow.hotline.mapping import MappingError, load_mapping

SHOWN_ERRORS = 200  # problems listed on the page; the download has them all
ERROR_MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv; charset=utf-8"}


class PageReport(JobReport, Reported, Protocol):
    """What the result page reads of an import's report (workflow.hotline.batch.ImportReport,
    workflow.golive.run.GoLiveReport)."""

    def summary_zh(self) -> str: ...


@dataclass(frozen=True)
class ImportPage:
    """One import page: where it lives, which files it takes, how its result reads."""

    url: str  # the form posts here; a job's page is ``{url}/{token}``, its problems ``{url}/{token}/errors.xlsx``
    template: str  # extends _import_page.html
    importer: Importer
    load_report: Callable[[dict[str, Any]], PageReport]  # the report a job kept, read back (``from_dict``)
    counts: Callable[[PageReport], list[tuple[str, int]]]  # the result's figures, labelled
    suffixes: tuple[str, ...]  # the file types it takes
    wrong_file: str  # what the person is told for any other file
    workdir_prefix: str
    errors_filename: str  # the problem list's download name, without the suffix
    subfolder: str = ""  # where the agency's jobs of this import are kept, below web.import_jobs.jobs_dir
    takes_mapping: bool = False  # an optional column mapping (YAML) comes with the file
    extra: Mapping[str, Any] = field(default_factory=dict)  # more for the template (e.g. the columns explained)


def page(request: Request, imp: ImportPage, *, report: PageReport | None = None, job: dict[str, Any] | None = None,
         token: str = "", errors: dict[str, list[str]] | None = None, status: int = 200) -> Response:
    """The form; a running (or interrupted) job's progress; or a finished import's result with the form again."""
    ctx: dict[str, Any] = {**imp.extra, "import_url": imp.url, "report": None, "job": job, "token": token,
                           "errors": errors or {}}
    if report is not None:
        ctx.update(report=report.to_dict(max_errors=SHOWN_ERRORS), summary=report.summary_zh(), job=None,
                   counts=imp.counts(report), filename=(job or {}).get("filename", ""))
    return render(request, imp.template, ctx, status=status)


def _folder(request: Request, imp: ImportPage, agency_id: int) -> Path:
    folder = jobs_dir(app_settings(request).var_dir, agency_id)
    return folder / imp.subfolder if imp.subfolder else folder


def upload(request: Request, imp: ImportPage, form: StaffForm, user: CurrentUser) -> Response:
    """Check every row, write the good ones through the workflow, report the bad ones (kept for the download)."""
    dry_run = form.get("dry_run") in ("on", "1", "true")
    try:  # one file per field, under a name that is text (the case uploads' rule)
        file, mapping = single_file(form, "file"), single_file(form, "mapping") if imp.takes_mapping else None
        name = sent_filename(file) if file is not None and file.filename else ""
        if name:
            check_filename(name)
        if mapping is not None and mapping.filename:
            check_filename(sent_filename(mapping), "mapping")
    except DomainValidation as exc:
        return page(request, imp, errors=errors_by_field(exc), status=422)
    if file is None or not name:
        return page(request, imp, errors={"file": ["请选择要导入的文件"]}, status=422)
    suffix = Path(name).suffix.lower()
    if suffix not in imp.suffixes:
        return page(request, imp, errors={"file": [imp.wrong_file]}, status=422)
    workdir = Path(tempfile.mkdtemp(prefix=imp.workdir_prefix))  # the job deletes it when it ends
    field_name = "file"
    try:
        data = save_upload(file, workdir / f"upload{suffix}")
        cmap = None
        if mapping is not None and mapping.filename:
            field_name = "mapping"
            cmap = load_mapping(save_upload(mapping, workdir / "mapping.yaml"))
    except (UploadTooLarge, MappingError) as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        return page(request, imp, errors={field_name: [str(exc)]}, status=422)
    folder = _folder(request, imp, user.agency_id)
    token, thread = start_import(imp.importer, app_engine(request), folder, workdir, data, cmap, principal(user),
                                 now(request), filename=name, dry_run=dry_run)
    job = finished(folder, token, thread)
    if job is not None:
        return job_page(request, imp, token, job)
    return redirect(request, f"{imp.url}/{token}")


def job_page(request: Request, imp: ImportPage, token: str, job: dict[str, Any]) -> Response:
    """A finished import's result, a failed one's problem at the file field, or how far a running one is."""
    if job["state"] == JobState.FAILED:
        return page(request, imp, errors=job["errors"], status=422)
    if job["state"] != JobState.DONE:
        return page(request, imp, job=job, token=token)
    report = imp.load_report(job["report"])
    return page(request, imp, report=report, job=job, token=token if report.errors else "")


def _job(request: Request, imp: ImportPage, token: str, user: CurrentUser) -> dict[str, Any] | None:
    return read_job(_folder(request, imp, user.agency_id), token) if TOKEN_RE.fullmatch(token) else None


def job(request: Request, imp: ImportPage, token: str, user: CurrentUser) -> Response:
    """An import's progress (the page refreshes itself while it runs), then its result."""
    state = _job(request, imp, token, user)
    if state is None:
        raise PageError(404, "没有这次导入的记录（可能已过期）")
    return job_page(request, imp, token, state)


def errors_file(request: Request, imp: ImportPage, token: str, fmt: str, user: CurrentUser) -> Response:
    """The import's per-row problems as .xlsx or .csv (UTF-8 with BOM): row, column, problem, code."""
    state = _job(request, imp, token, user)
    if fmt not in ERROR_MEDIA or state is None or state["state"] != JobState.DONE:
        raise PageError(404, "导入问题清单不存在或已过期")
    report = imp.load_report(state["report"])
    with tempfile.TemporaryDirectory(prefix="banli-report-") as tmp:
        content = write_report(report, Path(tmp) / f"errors.{fmt}").read_bytes()
    return Response(content, media_type=ERROR_MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="{imp.errors_filename}.{fmt}"',
        "X-Content-Type-Options": "nosniff"})


def add_routes(router: APIRouter, path: str, imp: ImportPage, allowed: Any) -> None:
    """The page's routes on ``router`` at ``path`` (``imp.url`` without the router's prefix), for the users the
    dependency ``allowed`` lets in: the form, the upload, a job's page and its problem list. A route of the
    router's own below ``path`` (e.g. a template download) must come first: ``{path}/{token}`` takes any name."""

    @router.get(path)
    def import_form(request: Request, user: CurrentUser = allowed) -> Response:
        return page(request, imp)

    @router.post(path)
    def import_upload(request: Request, form: StaffForm, user: CurrentUser = allowed) -> Response:
        """Check every row, write the good ones through the workflow, report the bad ones."""
        return upload(request, imp, form, user)

    @router.get(path + "/{token}")
    def import_job(request: Request, token: str, user: CurrentUser = allowed) -> Response:
        """An import's progress (the page refreshes itself while it runs), then its result."""
        return job(request, imp, token, user)

    @router.get(path + "/{token}/errors.{fmt}")
    def import_errors(request: Request, token: str, fmt: str, user: CurrentUser = allowed) -> Response:
        """The bad rows as .xlsx or .csv (UTF-8 with BOM): row, column, problem, code."""
        return errors_file(request, imp, token, fmt, user)
