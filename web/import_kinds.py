"""The imports that run as jobs (web.import_jobs), each defined once for its page and its API alike: the workflow
function that imports the rows, how a kept report is read back, where the agency's jobs of it are kept and what its
problem list is called — so a job started on the page can be followed and its problems downloaded through the API,
and the other way round.

- ``HOTLINE_IMPORT``: a 12345 platform export (.xlsx / .jsonl, optional column mapping), ``/workorders/import`` and
  ``/api/workorders/import``.
- ``GOLIVE_IMPORT``: the go-live import of disclosure applications (.xlsx / .csv, fixed columns), ``/admin/golive``
  and ``/api/golive/import`` (and ``banli disclosure import``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from fastapi.responses import Response

from web.import_jobs import Importer, JobReport, jobs_dir, problem_list
from workflow.accounts.principal import Principal
from workflow.golive.run import GoLiveReport
from workflow.golive.run import import_file as golive_import
from workflow.golive.template import template_bytes
from workflow.hotline.batch import ImportReport, Reported
from workflow.hotline.batch import import_file as hotline_import
from workflow.hotline.mapping import ColumnMapping
from workflow.runtime import Engine


class KeptReport(JobReport, Reported, Protocol):
    """What is read back of a finished import's report (workflow.hotline.batch.ImportReport,
    workflow.golive.run.GoLiveReport)."""

    def summary_zh(self) -> str: ...


@dataclass(frozen=True)
class ImportKind:
    importer: Importer
    load_report: Callable[[dict[str, Any]], KeptReport]  # the report a job kept, read back (``from_dict``)
    subfolder: str  # where the agency's jobs of this import are kept, below web.import_jobs.jobs_dir ("": there)
    errors_filename: str  # the problem list's download name, without the suffix
    takes_mapping: bool = False  # an optional column mapping (YAML, field ``mapping``) comes with the file

    @property
    def upload_fields(self) -> tuple[str, ...]:
        """The form's file fields, each taking one file (web.uploads)."""
        return ("file", "mapping") if self.takes_mapping else ("file",)

    def folder(self, var_dir: Path, agency_id: int | None) -> Path:
        folder = jobs_dir(var_dir, agency_id)
        return folder / self.subfolder if self.subfolder else folder

    def problems(self, var_dir: Path, agency_id: int | None, token: str, fmt: str) -> bytes | None:
        """Every problem of a finished import of the agency, as .xlsx or .csv; None when there is none such."""
        return problem_list(self.folder(var_dir, agency_id), token, fmt, self.load_report)


def _golive(engine: Engine, data: Path, mapping: ColumnMapping | None, actor: Principal, when: datetime, *,
            dry_run: bool, progress: Any = None) -> GoLiveReport:
    """The jobs call importers with a column mapping; the go-live import has its own fixed columns."""
    return golive_import(engine, data, actor, when, dry_run=dry_run, progress=progress)


HOTLINE_IMPORT = ImportKind(hotline_import, ImportReport.from_dict, "", "import-errors", takes_mapping=True)
GOLIVE_IMPORT = ImportKind(_golive, GoLiveReport.from_dict, "golive", "golive-errors")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def golive_template() -> Response:
    """The go-live import's template (上线导入模板.xlsx): the data sheet's headers, examples, what each column means,
    the decision codes (workflow.golive.template)."""
    return Response(template_bytes(), media_type=XLSX, headers={
        "Content-Disposition": "attachment; filename*=UTF-8''%E4%B8%8A%E7%BA%BF%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx",
        "X-Content-Type-Options": "nosniff"})
