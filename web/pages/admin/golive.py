"""Admin: 上线导入 — bring the agency's history of disclosure applications in from its paper 台账 (.xlsx/.csv), with
the template to download, the column mapping on the page, the result and the bad rows (downloadable). The
import runs as a job (web.import_jobs), like the 12345 import: a small file's result is shown at once, a larger
one is followed on its own page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from states.roles import Role
from web.auth import CurrentUser
from web.import_kinds import GOLIVE_IMPORT, golive_template
from web.pages import imports
from web.pages.session import require
from workflow.golive.columns import COLUMNS

router = APIRouter(prefix="/golive", include_in_schema=False)
CanImport = require(Role.ADMIN, Role.LEADER)  # states.policy.may_import_history decides; this keeps others out


def _counts(report: Any) -> list[tuple[str, int]]:
    return [("文件总行数", report.total), ("导入", report.created), ("其中已办结", report.concluded),
            ("其中未办结", report.open), ("此前已导入", report.existing), ("有问题的行", report.error_rows)]


GOLIVE = imports.ImportPage(
    url="/admin/golive", template="admin/golive.html", kind=GOLIVE_IMPORT, counts=_counts,
    suffixes=(".xlsx", ".csv"), wrong_file="只接受按导入模板填写的 .xlsx 或 .csv 文件", workdir_prefix="banli-golive-",
    extra={"columns": COLUMNS})


@router.get("/template.xlsx")
def template(request: Request, user: CurrentUser = CanImport) -> Response:
    """The import template: the data sheet's headers, examples, what each column means, the decision codes."""
    return golive_template()


imports.add_routes(router, "", GOLIVE, CanImport)  # after the template: /golive/{token} takes any name
