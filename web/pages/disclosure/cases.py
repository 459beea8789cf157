"""Cases for staff: lists ("我的案件", drill-downs), the case page, its action forms and its documents."""

from __future__ import annotations

import math
from functools import partial
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from states.disclosure import ACTION_LABELS
from states.roles import Role
from states.vocab import CaseKindName
from web.auth import CurrentUser
from web.pages.actions import (
    DANGEROUS,
    ActionForm,
    action_fields,
    action_payload,
    decision_picker,
    expected_version,
)
from web.pages.case_actions import fire_from_page, upload_from_page, when_from_form
from web.pages.common import agency_of, case_file_response, now, officer_options, today
from web.pages.forms import errors_by_field, typed_values
from web.pages.labels import FIELD_LABELS
from web.pages.render import redirect, render
from web.pages.session import PageError, PageUser, StaffForm, app_engine, app_settings, principal
from web.pages.timeline import event_label, event_lines, file_kind
from workflow.agencies.config import AgencyConfig
from workflow.agencies.info import AgencyInfo, agency_info
from workflow.cases.attachments import CATEGORIES as UPLOAD_CATEGORIES
from workflow.cases.attachments import attach_to_disclosure
from workflow.cases.engine import list_scope
from workflow.cases.list_page import CaseQuery, case_list_page
from workflow.cases.listing import all_states, list_kinds
from workflow.disclosure import actions as wf
from workflow.disclosure.case_page import case_page
from workflow.disclosure.payloads import PAYLOADS
from workflow.errors import Forbidden, NotFound

router = APIRouter(prefix="/cases", include_in_schema=False)
PER_PAGE = 25


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _list(request: Request, user: CurrentUser, *, mine: bool) -> Response:
    q = request.query_params
    try:  # the one policy (states.policy): who lists cases, of which agency, all of them or only their own
        agency_id, only = list_scope(principal(user), _int(q.get("agency")))
    except Forbidden as exc:
        raise PageError(403, exc.message) from exc
    except NotFound as exc:
        raise PageError(404, exc.message) from exc
    agency, cfg = _list_agency(request, user, agency_id)
    narrow = mine or only is not None
    kinds = list_kinds()  # every registered kind with a list (its descriptor's CaseList)
    kind = q.get("kind") if q.get("kind") in kinds else None
    query = CaseQuery(assignee_id=user.id if narrow else _int(q.get("assignee")), unit_id=_int(q.get("unit")),
                      state=q.get("state") or None, open_only=q.get("open", "1" if mine else "") == "1",
                      overdue=q.get("overdue") == "1", due=q.get("due", ""), received_month=q.get("month") or None,
                      q=q.get("q", "")[:100], kind=kind, unassigned=not narrow and q.get("assignee") == "none",
                      no_unit=q.get("unit") == "none")
    page = max(1, _int(q.get("page")) or 1)
    listed = case_list_page(app_engine(request), agency.id, agency, query, now=now(request),
                            today=today(request, cfg.timezone), tz=cfg.timezone, page=page, per_page=PER_PAGE,
                            with_officers=not narrow)
    total = listed.total
    keep = {k: v for k, v in q.items() if k != "page" and v}
    return render(request, "cases/list.html", {
        "rows": listed.rows, "total": total, "page": page, "pages": max(1, math.ceil(total / PER_PAGE)),
        "base_query": urlencode(keep), "q": dict(q), "mine": mine, "narrow": narrow, "states": all_states(),
        "kinds": kinds,
        "officers": officer_options(listed.officers),
        "other_agency": agency.name if agency.id != user.agency_id else "",
        "title": ("我的案件" if mine else "案件查询") + (f"（{kinds[kind]}）" if kind else "")})


def _list_agency(request: Request, user: CurrentUser, agency_id: int | None) -> tuple[AgencyInfo, AgencyConfig]:
    """The agency whose cases are listed (``list_scope`` chose it): the user's own, or one a supervisor may read."""
    if agency_id is None or agency_id == user.agency_id:
        return agency_of(request, user)
    try:
        return agency_info(app_engine(request), agency_id)
    except NotFound as exc:
        raise PageError(404, "机关不存在") from exc


@router.get("/mine")
def mine(request: Request, user: PageUser) -> Response:
    return _list(request, user, mine=True)


@router.get("")
def all_cases(request: Request, user: PageUser) -> Response:
    return _list(request, user, mine=False)


def _detail_page(request: Request, user: CurrentUser, case_id: int, *, open_action: str = "",
                 values: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None,
                 status: int = 200, upload_errors: dict[str, list[str]] | None = None) -> Response:
    cp = case_page(app_engine(request), case_id, principal(user), now=now(request))  # the policy: 404 / 403
    d = cp.detail
    forms = [ActionForm(a["action"], a["label"], action_fields(a["action"], cp.choices), DANGEROUS.get(a["action"], ""))
             for a in d["allowed_actions"]]
    return render(request, "cases/detail.html", {
        "d": d, "forms": forms, "open_action": open_action, "values": values or {}, "errors": errors or {},
        "picker": decision_picker(), "labels": FIELD_LABELS, "event_lines": event_lines, "event_label": event_label,
        "file_kind": file_kind, "pending_documents": cp.pending_documents,
        "held_documents": cp.held_documents,
        "may_upload": d["may_upload"],
        "upload_categories": [(k, label) for k, (label, _) in UPLOAD_CATEGORIES.items()],
        "upload_errors": upload_errors or {}}, status=status)


@router.get("/disclosure/{case_id}")
def detail(request: Request, case_id: int, user: PageUser) -> Response:
    return _detail_page(request, user, case_id)


@router.post("/disclosure/{case_id}/actions/{action}")
def act(request: Request, case_id: int, action: str, form: StaffForm, user: PageUser) -> Response:
    if action not in PAYLOADS:
        raise PageError(404, "没有这个操作")
    _, cfg = agency_of(request, user)  # the case itself is loaded, locked and checked once, by the engine
    fields = action_fields(action)  # no choices: the page that shows an error reads them again
    res = fire_from_page(
        lambda: wf.act(app_engine(request), case_id, action, action_payload(action, fields, form, cfg.timezone),
                       principal(user), now(request), expected_version(form), **when_from_form(form, cfg.timezone)),
        partial(_detail_page, request, user, case_id), action, typed_values(form), errors_by_field)
    if isinstance(res, Response):
        return res
    msg = f"已完成：{ACTION_LABELS.get(action, action)}"
    if res.result.get("doc_no"):
        msg += f"（文号 {res.result['doc_no']}）"
    if not res.visible:  # e.g. reassigned away from this officer
        return redirect(request, "/cases/mine" if Role.OFFICER in user.roles else "/", ("ok", msg))
    return redirect(request, f"/cases/disclosure/{case_id}", ("ok", msg))


@router.post("/disclosure/{case_id}/files")
def upload(request: Request, case_id: int, form: StaffForm, user: PageUser) -> Response:
    """Attach a scan or document (type checked by content, size-limited) through the workflow."""
    return upload_from_page(request, form, partial(_detail_page, request, user, case_id),
                            f"/cases/disclosure/{case_id}", lambda data, filename, category: attach_to_disclosure(
                                app_engine(request), case_id, data=data, filename=filename, category=category,
                                actor=principal(user), now=now(request), settings=app_settings(request)))


@router.get("/disclosure/{case_id}/files/{file_id}")
def download(request: Request, case_id: int, file_id: int, user: PageUser, inline: int = 0) -> Response:
    """A document of the case for staff who may see the case (inline preview for PDFs and images)."""
    return case_file_response(request, user, CaseKindName.DISCLOSURE, case_id, file_id, inline=bool(inline))
