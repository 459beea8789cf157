"""机关设置向导 (/setup): the first administrator login leads here until the agency's notice settings are complete —
true name and code, seal text, address and phone, reconsideration organ and court (proposed from the hierarchy),
working hours, 12345 profile and document numbers chosen from patterns with a live preview."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from states.doc_numbers import LAYOUTS, NUMBER_MAX, WIDTHS, NumberPattern, format_example, parse, problem
from states.roles import Role
from web.auth import CurrentUser
from web.pages.common import now
from web.pages.forms import errors_by_field
from web.pages.render import redirect, render
from web.pages.session import StaffForm, app_engine, form_str, principal, require
from workflow.agencies.config import NUMBER_FIELDS, AgencyConfig
from workflow.agencies.setup import (
    NUMBER_LABELS,
    TIMEZONES,
    SetupIn,
    apply_setup,
    profile_choices,
    setup_view,
)
from workflow.errors import Conflict, DomainValidation

router = APIRouter(prefix="/setup", include_in_schema=False)
IsAdmin = require(Role.ADMIN)
TEXT_FIELDS = ("name", "code", "seal_text", "office_name", "address", "postal_code", "phone", "email", "office_hours",
               "reconsideration_organ", "litigation_court")


def number_choices(fmt: str, default: str) -> dict[str, Any]:
    """The three choices behind a stored number pattern (the default's when it was written by hand)."""
    p = parse(fmt) or parse(default) or NumberPattern("", "bracket", 4)
    return {"prefix": p.prefix, "layout": p.layout, "width": p.width, "example": p.example(),
            "custom": "" if parse(fmt) else format_example(fmt) or fmt[:NUMBER_MAX]}


def numbers_from_form(form: FormData, errors: dict[str, list[str]]) -> dict[str, str]:
    """Each document number's pattern from its 字头, 样式 and 序号位数."""
    out = {}
    for f in NUMBER_FIELDS:
        if not any(f"{f}_{part}" in form for part in ("prefix", "layout", "width")):
            continue  # not on the form that was posted: the pattern in force stays
        prefix, layout = form_str(form, f"{f}_prefix"), form_str(form, f"{f}_layout")
        width_text = form_str(form, f"{f}_width")
        width = int(width_text) if width_text.isdigit() else -1
        bad = problem(prefix, layout, width)
        if bad:
            errors.setdefault(f, []).append(bad[1])
            continue
        out[f] = NumberPattern(prefix, layout, width).to_format()
    return out


def _page(request: Request, user: CurrentUser, values: dict[str, Any], errors: dict[str, list[str]],
          status: int = 200) -> Response:
    view = setup_view(app_engine(request), user.agency_id)
    defaults = AgencyConfig()
    numbers = {f: number_choices(str(values.get(f) or getattr(defaults, f)), getattr(defaults, f))
               for f in NUMBER_FIELDS}
    for f in NUMBER_FIELDS:  # what was typed survives a refused save
        for part in ("prefix", "layout", "width"):
            if f"{f}_{part}" in values:
                numbers[f][part] = values[f"{f}_{part}"]
    return render(request, "admin/setup.html", {
        "values": values, "errors": errors, "proposal": view.proposal, "missing": view.missing,
        "numbers": numbers, "number_labels": NUMBER_LABELS, "layouts": [(k, v[0]) for k, v in LAYOUTS.items()],
        "widths": list(WIDTHS.items()), "timezones": list(TIMEZONES.items()), "profiles": profile_choices()},
        status=status)


@router.get("")
def setup(request: Request, user: CurrentUser = IsAdmin) -> Response:
    return _page(request, user, setup_view(app_engine(request), user.agency_id).values, {})


@router.post("")
def save(request: Request, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    values: dict[str, Any] = {k: form_str(form, k) for k in (*TEXT_FIELDS, "timezone", "hotline_profile")}
    for part in ("morning", "afternoon"):
        values[part] = (form_str(form, f"{part}_from"), form_str(form, f"{part}_to"))
    for f in NUMBER_FIELDS:
        for part in ("prefix", "layout", "width"):
            values[f"{f}_{part}"] = form_str(form, f"{f}_{part}")
    errors: dict[str, list[str]] = {}
    numbers = numbers_from_form(form, errors)
    if errors:
        return _page(request, user, values, errors, status=422)
    try:
        data = SetupIn(**{k: values[k] for k in TEXT_FIELDS},
                       morning=values["morning"] if all(values["morning"]) else None,
                       afternoon=values["afternoon"] if all(values["afternoon"]) else None,
                       timezone=values["timezone"] or None, hotline_profile=values["hotline_profile"] or None,
                       **numbers)
    except ValidationError as exc:
        return _page(request, user, values, errors_by_field(exc), status=422)
    try:
        apply_setup(app_engine(request), user.agency_id, data, actor=principal(user), now=now(request))
    except DomainValidation as exc:
        for e in exc.fields:
            errors.setdefault(str(e["field"]), []).append(str(e["message"]))
        return _page(request, user, values, errors, status=422)
    except Conflict as exc:
        return _page(request, user, values, {"code": [exc.message]}, status=422)
    return redirect(request, "/admin/agency", ("ok", "机关设置已完成。等待这些设置的文书已排队发出；其他设置可在本页随时修改。"))
