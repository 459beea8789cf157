"""12345 work orders for staff: the list (server-side filters and paging), the order page with its forms,
and the order's files. The pages call ``workflow.hotline.actions`` like the API does."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from states.hotline import ACTION_LABELS, CATEGORY_LABELS, STATE_LABELS, URGENCY_LABELS
from states.roles import Role
from states.vocab import ApprovalStatus, CaseKindName
from web.auth import CurrentUser
from web.pages.actions import ActionForm, expected_version
from web.pages.case_actions import fire_from_page, upload_from_page, when_from_form
from web.pages.common import agency_of, case_file_response, now, officer_options, today
from web.pages.hotline.forms import (
    DANGEROUS,
    action_errors,
    action_fields,
    action_payload,
    convert_defaults,
    typed,
)
from web.pages.hotline.view import cycle_rows, event_lines, file_kind, wall
from web.pages.render import redirect, render
from web.pages.session import PageError, PageUser, StaffForm, app_engine, app_settings, principal
from workflow.hotline import actions as wf
from workflow.hotline.files import CATEGORIES, attach_to_workorder
from workflow.hotline.order_pages import order_list_page, order_page
from workflow.hotline.payloads import PAYLOADS
from workflow.hotline.profile_view import profile_name
from workflow.hotline.queries import ListFilter

router = APIRouter(prefix="/workorders", include_in_schema=False)
PER_PAGE = 25
WIDE_ROLES = (Role.FRONT_DESK, Role.LEADER, Role.SUPERVISOR)
STAFF_ROLES = (Role.OFFICER, *WIDE_ROLES)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@router.get("")
def list_page(request: Request, user: PageUser) -> Response:
    if not user.has(*STAFF_ROLES):
        raise PageError(403, "您的角色无权查看12345工单")
    q = request.query_params
    agency, cfg = agency_of(request, user)
    n = now(request)
    narrow = not user.has(*WIDE_ROLES)
    f = ListFilter(state=[q["state"]] if q.get("state") else None,
                   category=[q["category"]] if q.get("category") else None, urgency=q.get("urgency") or None,
                   overdue=True if q.get("overdue") == "1" else None, open_only=q.get("open") == "1",
                   assignee_id=user.id if narrow else _int(q.get("assignee")), unit_id=_int(q.get("unit")),
                   text=q.get("text", "").strip()[:100] or None, caller=q.get("caller", "").strip()[:40] or None)
    listed = order_list_page(app_engine(request), principal(user), f, agency, now=n, today=today(request, cfg.timezone),
                             tz=cfg.timezone, limit=PER_PAGE, cursor=q.get("cursor") or None,
                             officers_of=None if narrow else user.agency_id)
    items = []
    for o in listed.orders:
        items.append({**o.item, "due_class": o.urgency, "due_text": wall(o.due_at, cfg.timezone),
                      "received_text": wall(o.item["received_at"], cfg.timezone), "assignee": o.assignee,
                      "pending": o.pending})
    keep = {k: v for k, v in q.items() if k != "cursor" and v}
    return render(request, "workorders/list.html", {
        "items": items, "total": listed.total, "next_cursor": listed.next_cursor, "base_query": urlencode(keep),
        "first_page": not q.get("cursor"), "q": dict(q), "narrow": narrow, "states": STATE_LABELS,
        "categories": CATEGORY_LABELS, "urgencies": URGENCY_LABELS, "officers": officer_options(listed.officers),
        "may_register": user.has(Role.FRONT_DESK, Role.LEADER)})


def detail_page(request: Request, user: CurrentUser, order_id: int, *, open_action: str = "",
                values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None,
                status: int = 200, upload_errors: dict[str, list[str]] | None = None) -> Response:
    op = order_page(app_engine(request), order_id, principal(user), now=now(request))  # the policy: 404 / 403
    d, files = op.detail, op.files
    tz = d["timezone"]  # the order's agency (a supervisor may look at another agency's)
    for c in d["clocks"]:
        c["due_text"] = wall(datetime.fromisoformat(c["due_at"]) if c["due_at"] else None, tz)
        c["overdue"] = c["urgency"] == "overdue"
    choices = [(str(f["id"]), f["filename"]) for f in files if f["category"] in CATEGORIES]
    forms = [ActionForm(a["action"], a["label"], action_fields(a["action"], choices, op.choices),
                        DANGEROUS.get(a["action"], "")) for a in d["allowed_actions"]]
    for e in d["events"]:
        e["lines"] = event_lines(e["payload"], tz)
    pending = [a for a in d["approvals"] if a["status"] == ApprovalStatus.PENDING]
    return render(request, "workorders/detail.html", {
        "d": d, "forms": forms, "open_action": open_action, "values": values or {}, "errors": errors or {},
        "convert_defaults": convert_defaults(d), "profile_name": profile_name(d["profile_code"]), "cycles": cycle_rows(d["cycles"]), "files": files,
        "file_kind": file_kind, "wall": lambda v: wall(v, tz), "pending": pending, "pending_documents": op.pending_documents,
        "held_documents": op.held_documents,
        "may_upload": d["may_upload"], "upload_errors": upload_errors or {},
        "upload_categories": [(k, label) for k, (label, _) in CATEGORIES.items()]}, status=status)


@router.get("/{order_id}")
def detail(request: Request, order_id: int, user: PageUser) -> Response:
    return detail_page(request, user, order_id)


@router.post("/{order_id}/actions/{action}")
def act(request: Request, order_id: int, action: str, form: StaffForm, user: PageUser) -> Response:
    if action not in PAYLOADS:
        raise PageError(404, "没有这个操作")
    # the engine loads, locks and checks the order itself; the form is read without its choices (the page that
    # shows an error reads them again)
    tz = agency_of(request, user)[1].timezone  # only one's own agency's orders can be acted on
    fields = action_fields(action)
    res = fire_from_page(
        lambda: wf.act(app_engine(request), order_id, action, action_payload(fields, form, tz), principal(user),
                       now(request), expected_version(form), **when_from_form(form, tz)),
        partial(detail_page, request, user, order_id), action, typed(form, fields),
        lambda exc: action_errors(exc, fields))
    if isinstance(res, Response):
        return res
    msg = f"已完成：{ACTION_LABELS.get(action, action)}"
    disclosure = res.result.get("disclosure")
    if isinstance(disclosure, dict):
        msg += f"（已登记依申请公开申请 {disclosure.get('tracking_no')}，查询码 {disclosure.get('query_code')}）"
    if not res.visible:  # e.g. the order was given to someone else
        return redirect(request, "/workorders", ("ok", msg))
    return redirect(request, f"/workorders/{order_id}", ("ok", msg))


@router.post("/{order_id}/files")
def upload(request: Request, order_id: int, form: StaffForm, user: PageUser) -> Response:
    """Attach a document (typed by content, size-limited), e.g. to send with the reply."""
    return upload_from_page(request, form, partial(detail_page, request, user, order_id),
                            f"/workorders/{order_id}", lambda data, filename, category: attach_to_workorder(
                                app_engine(request), order_id, data=data, filename=filename, category=category,
                                actor=principal(user), now=now(request), settings=app_settings(request)))


@router.get("/{order_id}/files/{file_id}")
def download(request: Request, order_id: int, file_id: int, user: PageUser, inline: int = 0) -> Response:
    """A file of the order (the reply sheet, attachments) for staff who may see the order."""
    return case_file_response(request, user, CaseKindName.WORKORDER, order_id, file_id, inline=bool(inline))
