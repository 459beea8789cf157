"""Front desk: register a disclosure application (条例第二十九条、第三十一条) and print the receipt (登记回执)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from states.identity import ID_TYPES
from states.roles import Role
from states.wording import CHANNELS
from web.auth import CurrentUser
from web.pages.common import agency_of, local_input, now, officers
from web.pages.forms import (
    FieldSpec,
    add_id_problem,
    errors_by_field,
    model_fields,
    payload_from_form,
    typed_values,
)
from web.pages.labels import FIELD_LABELS, HELP
from web.pages.render import read_flash, redirect, render
from web.pages.session import PageError, StaffForm, app_engine, principal, require
from workflow.disclosure import actions as wf
from workflow.disclosure.front_desk import receipt as read_receipt
from workflow.disclosure.payloads import NEEDS_CONFIRMATION, RegisterIn
from workflow.errors import DomainValidation, InvalidTransition, NotFound
from workflow.portal.urls import portal_lookup_url

router = APIRouter(prefix="/frontdesk", include_in_schema=False)
CanRegister = require(Role.FRONT_DESK, Role.LEADER)


def register_fields(assignees: tuple[tuple[str, str], ...] = ()) -> list[FieldSpec]:
    """The registration form's inputs; ``assignees``: the officer select's options (the page shows them, reading a
    posted form needs none)."""
    overrides = {
        "id_type": FieldSpec("id_type", FIELD_LABELS["id_type"], "select", True, tuple(ID_TYPES.items())),
        "id_number": FieldSpec("id_number", FIELD_LABELS["id_number"], "text", True, help=HELP["id_number"],
                               maxlength=64, attrs={"autocomplete": "off", "spellcheck": "false"}),
        "assignee_id": FieldSpec("assignee_id", FIELD_LABELS["RegisterIn.assignee_id"], "select", False,
                                 assignees),
    }
    return model_fields(RegisterIn, overrides=overrides)


def _page(request: Request, user: CurrentUser, values: dict[str, str], errors: dict[str, list[str]],
          status: int = 200) -> Response:
    specs = register_fields(tuple(officers(request, user.agency_id)))
    return render(request, "frontdesk/register.html", {
        "f": {s.name: s for s in specs}, "values": values, "errors": errors,
        "needs_confirmation": [CHANNELS[c] for c in sorted(NEEDS_CONFIRMATION)]}, status=status)


@router.get("/register")
def register_form(request: Request, user: CurrentUser = CanRegister) -> Response:
    _, cfg = agency_of(request, user)
    values = {"applicant_type": "natural", "applicant_category": "natural", "id_type": "resident_id",
              "channel": "in_person", "received_at": local_input(now(request), cfg.timezone)}
    return _page(request, user, values, {})


@router.post("/register")
def register(request: Request, form: StaffForm, user: CurrentUser = CanRegister) -> Response:
    _, cfg = agency_of(request, user)
    specs = register_fields()
    values = typed_values(form)
    try:
        data = RegisterIn.model_validate(payload_from_form(specs, form, tz=cfg.timezone))
        r = wf.register(app_engine(request), data, principal(user), now(request))
    except (ValidationError, DomainValidation) as exc:
        errors = errors_by_field(exc)
        add_id_problem(values, errors)
        return _page(request, user, values, errors, status=422)
    except InvalidTransition as exc:
        return _page(request, user, values, {"__all__": [exc.message]}, status=403)
    return redirect(request, f"/frontdesk/receipt/{r.id}", ("ok", f"已登记，受理编号 {r.tracking_no}"),
                    extra={"receipt": {"id": r.id, "code": r.query_code}})


@router.get("/receipt/{case_id}")
def receipt(request: Request, case_id: int, user: CurrentUser = CanRegister) -> Response:
    """The 登记回执; the query code is shown only on the first view right after registration."""
    agency, cfg = agency_of(request, user)
    try:
        row = read_receipt(app_engine(request), case_id, agency_id=user.agency_id, tz=cfg.timezone)
    except NotFound as exc:
        raise PageError(404, "申请不存在") from exc
    flash = read_flash(request).get("receipt") or {}
    code = flash.get("code") if flash.get("id") == case_id else None
    ctx: dict[str, Any] = {
        "row": row, "agency": agency, "cfg": cfg, "code": code,
        "channel_label": CHANNELS.get(row.channel, row.channel),
        "reply_due": row.reply_due, "provisional": row.provisional, "rolled": row.rolled,
        "lookup_url": (cfg.lookup_url or portal_lookup_url(agency.code)
                       or str(request.base_url).rstrip("/") + "/chaxun"),
        "printed_at": now(request), "late_days": row.late_days,
    }
    return render(request, "frontdesk/receipt.html", ctx)
