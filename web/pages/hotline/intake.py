"""12345 intake for the desk: register one order by hand, import a platform export (.xlsx / .jsonl, optional
column mapping) with the import report and its error file, and download the replies for the platform."""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from states.roles import Role
from web.auth import CurrentUser
from web.import_kinds import HOTLINE_IMPORT
from web.pages import imports
from web.pages.common import agency_of, local_input, now, today
from web.pages.forms import typed_values
from web.pages.hotline.forms import intake_fields, intake_values
from web.pages.render import redirect, render
from web.pages.session import StaffForm, app_engine, principal, require
from workflow.errors import Conflict, DomainValidation, InvalidTransition
from workflow.hotline import actions as wf
from workflow.hotline.mapping import load_mapping
from workflow.hotline.queries import ExportWindowError, export_replies, export_window

router = APIRouter(prefix="/workorders", include_in_schema=False)
CanIntake = require(Role.FRONT_DESK, Role.LEADER)
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "jsonl": "application/x-ndjson; charset=utf-8"}  # the replies' export


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
    except Conflict as exc:  # a changed repeat of a closed order: refused, the form kept
        return _intake_page(request, values, {"__all__": [exc.message]}, status=409)
    no = record["order_no"]
    msg = (f"已登记工单 {no}" if r.created else f"工单 {no} 已存在，已按本次填写更新" if r.updated
           else f"工单 {no} 已存在，内容未变化")
    return redirect(request, f"/workorders/{r.id}", ("ok" if r.created else "info", msg))


IMPORT = imports.ImportPage(
    url="/workorders/import", template="workorders/import.html", kind=HOTLINE_IMPORT,
    counts=lambda report: import_summary(report.to_dict(max_errors=0)),
    suffixes=(".xlsx", ".jsonl"), wrong_file="只接受平台导出的 .xlsx 或 .jsonl 文件", workdir_prefix="banli-import-")


imports.add_routes(router, "/import", IMPORT, CanIntake)


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
