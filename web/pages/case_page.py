"""The shared case page of every kind that has no page of its own (``CaseKind.page``): /cases/<kind>/<id> shows the
case (workflow.cases.view) and one form per allowed action, generated from the action's payload model, fires it
through the case engine, and takes uploads and serves the case's files — from the kind's descriptor alone.
Disclosure applications (/cases/disclosure/…, routed before this) and 12345 orders (/workorders/…) keep their own."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from web.auth import CurrentUser
from web.pages.actions import ActionForm, expected_version
from web.pages.case_actions import fire_from_page, upload_from_page, when_from_form
from web.pages.common import agency_of, case_file_response, now, officer_options
from web.pages.forms import FieldSpec, errors_by_field, model_fields, payload_from_form, typed_values
from web.pages.labels import FIELD_LABELS
from web.pages.render import redirect, render
from web.pages.session import PageError, PageUser, StaffForm, app_engine, app_settings, principal
from web.pages.timeline import clock_moved
from workflow.cases import engine as case_engine
from workflow.cases.attachments import attach_file
from workflow.cases.form_choices import NO_CHOICES, FormChoices
from workflow.cases.kind import CaseKind, CasePage
from workflow.cases.view import case_view
from workflow.kinds import installed
from workflow.timesource import fmt_local

router = APIRouter(prefix="/cases", include_in_schema=False)
# what a timeline line may show besides the kind's own fields (ids, hashes and codes are left out)
TIMELINE_SKIP = {"assignee_id", "file_id", "sha256", "size", "category", "deadline_version", "level", "clock",
                 "breached_at", "backfill"}


def _kind(name: str) -> tuple[CaseKind, CasePage]:
    kind = installed().get(name)
    if kind is None or kind.page is None:
        raise PageError(404, "页面不存在")
    return kind, kind.page


def action_fields(page: CasePage, model: type[BaseModel], choices: FormChoices = NO_CHOICES) -> list[FieldSpec]:
    """The inputs of one action: exactly the fields of its payload model, labelled by the kind (an officer is
    chosen from ``choices``, the agency's officers read with the page; reading a posted form needs none)."""
    overrides: dict[str, FieldSpec] = {}
    if "assignee_id" in model.model_fields:
        overrides["assignee_id"] = FieldSpec("assignee_id", "", "select", True,
                                             tuple(officer_options(choices.officers)))
    return [replace(f, label=page.field_labels.get(f.name) or f.label or FIELD_LABELS.get(f.name, f.name))
            for f in model_fields(model, overrides=overrides)]


def _lines(page: CasePage, payload: dict[str, Any], tz: str) -> list[str]:
    """A timeline entry's readable lines: the fields the kind (or the shared labels) name, values as written."""
    labels = {**FIELD_LABELS, **page.field_labels}
    out = [line for line in (clock_moved(payload, tz),) if line]
    for key, value in payload.items():
        if key in TIMELINE_SKIP or value in (None, "", [], {}) or isinstance(value, dict | list) or key not in labels:
            continue
        out.append(f"{labels[key]}：{'是' if value is True else '否' if value is False else str(value)[:300]}")
    return out


def detail_page(request: Request, user: CurrentUser, kind_name: str, case_id: int, *, open_action: str = "",
                values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None,
                status: int = 200, upload_errors: dict[str, list[str]] | None = None) -> Response:
    kind, page = _kind(kind_name)
    cv = case_view(app_engine(request), kind, case_id, principal(user), now=now(request))  # 404 / 403 by the policy
    d = cv.view
    tz = d.timezone  # the case's agency (a supervisor may look at another agency's)
    forms = [ActionForm(a.action, a.label, action_fields(page, page.forms[a.action], cv.choices),
                        page.confirm.get(a.action, "")) for a in d.allowed_actions if a.action in page.forms]
    return render(request, page.template, {
        "d": d, "base": kind.url(case_id), "forms": forms, "open_action": open_action, "values": values or {},
        "errors": errors or {}, "timeline": [(e, _lines(page, e.payload, tz)) for e in d.events],
        "wall": lambda v: fmt_local(datetime.fromisoformat(v), tz) if v else "",
        "upload_categories": [(k, label) for k, (label, _) in page.uploads.items()],
        "upload_errors": upload_errors or {}}, status=status)


@router.get("/{kind_name}/{case_id}")
def detail(request: Request, kind_name: str, case_id: int, user: PageUser) -> Response:
    return detail_page(request, user, kind_name, case_id)


@router.post("/{kind_name}/{case_id}/actions/{action}")
def act(request: Request, kind_name: str, case_id: int, action: str, form: StaffForm, user: PageUser) -> Response:
    kind, page = _kind(kind_name)
    if action not in page.forms:
        raise PageError(404, "没有这个操作")
    tz = agency_of(request, user)[1].timezone  # only one's own agency's cases can be acted on
    fields = action_fields(page, page.forms[action])  # no choices: the page that shows an error reads them again
    res = fire_from_page(
        lambda: case_engine.act(app_engine(request), kind, case_id, action, payload_from_form(fields, form, tz=tz),
                                principal(user), now(request), expected_version(form), **when_from_form(form, tz)),
        partial(detail_page, request, user, kind_name, case_id), action, typed_values(form), errors_by_field)
    if isinstance(res, Response):
        return res
    msg = f"已完成：{kind.labels.get(action, action)}"
    if not res.visible:  # e.g. given to someone else
        return redirect(request, "/", ("ok", msg))
    return redirect(request, kind.url(case_id), ("ok", msg))


@router.post("/{kind_name}/{case_id}/files")
def upload(request: Request, kind_name: str, case_id: int, form: StaffForm, user: PageUser) -> Response:
    """Attach a document (typed by content, size-limited) in one of the kind's categories."""
    kind, page = _kind(kind_name)
    if not page.uploads:
        raise PageError(404, "没有这个操作")
    return upload_from_page(request, form, partial(detail_page, request, user, kind_name, case_id), kind.url(case_id),
                            lambda data, filename, category: attach_file(
                                app_engine(request), kind.table, kind.name, kind.noun, dict(page.uploads), case_id,
                                data=data, filename=filename, category=category, actor=principal(user),
                                now=now(request), settings=app_settings(request)))


@router.get("/{kind_name}/{case_id}/files/{file_id}")
def download(request: Request, kind_name: str, case_id: int, file_id: int, user: PageUser, inline: int = 0) -> Response:
    """A file of the case for staff who see it in full (inline preview for PDFs and images)."""
    kind, _ = _kind(kind_name)
    return case_file_response(request, user, kind.name, case_id, file_id, inline=bool(inline))
