"""Admin: the agency's name and settings (AgencyConfig) in human terms — every setting explained where it is
edited; document numbers chosen from patterns with a live preview; the 12345 profile by its Chinese name with its
source; the time from a list; choices as checkboxes and lists, never JSON or codes."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from states.annual_report import ROWS
from states.doc_numbers import LAYOUTS, WIDTHS
from states.roles import ROLE_LABELS, Role
from web.auth import CurrentUser
from web.pages.admin.setup import number_choices, numbers_from_form
from web.pages.common import agency_of
from web.pages.forms import ALL, FieldSpec, errors_by_field, model_fields
from web.pages.render import redirect, render
from web.pages.session import StaffForm, app_clock, app_engine, form_str, principal, require
from workflow.agencies.admin import save_agency_settings
from workflow.agencies.checks import DAY_BOUNDS, TEXT_MAX, TEXT_MAX_DEFAULT
from workflow.agencies.config import NUMBER_FIELDS, AgencyConfig
from workflow.agencies.labels import SETTING_LABELS as LABELS
from workflow.agencies.setup import NUMBER_LABELS, TIMEZONES, profile_choices
from workflow.agencies.views import local_calendar_scopes
from workflow.errors import DomainValidation
from workflow.hotline.profile_view import profile_rows
from workflow.kinds import clock_kinds

router = APIRouter(prefix="/agency", include_in_schema=False)
IsAdmin = require(Role.ADMIN)

OPTIONS = {"consultation_pause_starts": (("dispatch", "发出征求意见书之日"), ("receipt", "对方收到之日")),
           "timezone": tuple(TIMEZONES.items()),
           "mail_attachments": (("pdf", "PDF（便于打印，推荐）"), ("docx", "Word 文档（可编辑）")),
           "backfill_roles": tuple((str(r), ROLE_LABELS[r]) for r in (Role.FRONT_DESK, Role.OFFICER, Role.LEADER))}
MULTI = ("mail_attachments", "backfill_roles", "calendar_scopes")
SPECIAL = (*NUMBER_FIELDS, "report_row_overrides", "reminder_ladders_wd", "hotline_overrides")
ALREADY_PUBLIC = "disclose.already_public"  # the one row rules.md §3.3 leaves to the agency (UNCONFIRMED)
_NUMBERS = re.compile(r"\d+")


def fields(request: Request) -> list[FieldSpec]:
    out = []
    scopes = tuple(local_calendar_scopes(app_engine(request)))
    for f in model_fields(AgencyConfig, skip=SPECIAL):
        _section, label, help_ = LABELS.get(f.name, ("其他", f.name, ""))
        opts = OPTIONS.get(f.name, f.options)
        kind = f.kind
        if f.name in MULTI:
            kind, opts = "multi", scopes if f.name == "calendar_scopes" else opts
        elif f.name in OPTIONS:
            kind = "select"
        if f.name == "hotline_profile":
            kind, opts = "select", tuple((p.code, p.name) for p in profile_choices())
        if f.name == "calendar_scopes" and not scopes:
            help_ = "尚未导入地方节假日安排；导入后（“节假日安排”页面）可在这里选择。"
        lo, hi = DAY_BOUNDS[f.name][:2] if f.name in DAY_BOUNDS else (f.minimum, f.maximum)
        maxlength = f.maxlength or (TEXT_MAX.get(f.name, TEXT_MAX_DEFAULT) if kind in ("text", "textarea") else None)
        out.append(FieldSpec(f.name, label, kind, False, opts, help_, lo, hi, maxlength,
                             {"data-basis-target": "profile-basis"} if f.name == "hotline_profile" else {}))
    return out


def _placed(request: Request, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each message at the input that edits its setting (a clock kind's reminders at its own box); a setting this
    page does not edit (12345 adjustments, made through the API) is named in the message above the form."""
    inputs = {"name", "report_row_overrides", *NUMBER_FIELDS, *(f.name for f in fields(request)),
              *(f"ladder_{k}" for k, v in clock_kinds().items() if v.reminders)}
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        target = key.replace("reminder_ladders_wd.", "ladder_", 1)
        if target in inputs or target == ALL:
            out.setdefault(target, []).extend(messages)
        else:
            label = LABELS.get(key.split(".")[0], ("", "设置", ""))[1]
            out.setdefault(ALL, []).extend(f"{label}：{m}" for m in messages)
    return out


def _sections(request: Request) -> list[tuple[str, list[FieldSpec]]]:
    by: dict[str, list[FieldSpec]] = {}
    for f in fields(request):
        by.setdefault(LABELS.get(f.name, ("其他", "", ""))[0], []).append(f)
    return list(by.items())


def _values(agency_name: str, cfg: AgencyConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"name": agency_name}
    for k, v in cfg.model_dump(mode="json").items():
        if isinstance(v, bool):
            out[k] = "on" if v else ""
        elif k in MULTI:
            out[k] = list(v)
        elif isinstance(v, list):
            out[k] = "\n".join(str(x) for x in v)
        elif not isinstance(v, dict):
            out[k] = str(v)
    out["already_public_row"] = cfg.report_row_overrides.get(ALREADY_PUBLIC, "")
    for kind, ladder in cfg.reminder_ladders_wd.items():
        out[f"ladder_{kind}"] = "、".join(str(x) for x in ladder)
    return out


def _row_options() -> list[tuple[str, str]]:
    return [(r.key, r.label) for r in ROWS["2021"] if r.key.startswith("3.") and r.key != "3.7"]


def _page(request: Request, values: dict[str, Any], errors: dict[str, list[str]], cfg: AgencyConfig,
          status: int = 200) -> Response:
    defaults = AgencyConfig()
    numbers = {f: number_choices(str(getattr(cfg, f)), getattr(defaults, f)) for f in NUMBER_FIELDS}
    for f in NUMBER_FIELDS:
        for part in ("prefix", "layout", "width"):
            if f"{f}_{part}" in values:
                numbers[f][part] = values[f"{f}_{part}"]
    profiles = profile_choices()
    return render(request, "admin/agency.html", {
        "sections": _sections(request), "values": values, "errors": errors, "numbers": numbers,
        "number_labels": NUMBER_LABELS, "layouts": [(k, v[0]) for k, v in LAYOUTS.items()],
        "widths": list(WIDTHS.items()), "row_options": _row_options(),
        "ladder_kinds": [(k, v.label) for k, v in clock_kinds().items() if v.reminders],
        "profile_basis": next((p.basis for p in profiles if p.code == cfg.hotline_profile), ""),
        "profile_bases": {p.code: p.basis for p in profiles},
        "overrides": _overrides_text(cfg.hotline_overrides),
        # every value of the profile with its source and how sure that is (administrators only)
        "profile_name": profile_rows(cfg)[0], "profile_rows": profile_rows(cfg)[1]}, status=status)


def _overrides_text(overrides: dict[str, Any]) -> list[str]:
    """The agency's adjustments to its 12345 profile, one readable line each."""
    lines = []
    for key, value in sorted(overrides.items()):
        lines.append(f"{key}：{value}" if not isinstance(value, dict) else f"{key}：{len(value)}项调整")
    return lines


@router.get("")
def agency(request: Request, user: CurrentUser = IsAdmin) -> Response:
    ag, cfg = agency_of(request, user)
    return _page(request, _values(ag.name, cfg), {}, cfg)


def _ladders(form: FormData, errors: dict[str, list[str]]) -> dict[str, list[int]]:
    out = {}
    for kind, spec in clock_kinds().items():
        text = form_str(form, f"ladder_{kind}")
        if not spec.reminders or not text:
            continue
        if re.search(r"[^\d、,，\s]", text):
            errors[f"ladder_{kind}"] = ["只能填写数字，用顿号或逗号隔开，例如 5、1、0"]
            continue
        out[kind] = [int(n) for n in _NUMBERS.findall(text)]
    return out


@router.post("")
def save(request: Request, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    _, current = agency_of(request, user)
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in fields(request):
        text = form_str(form, f.name)
        if f.kind not in ("checkbox", "multi") and f.name not in form:
            data[f.name] = getattr(current, f.name)  # not on the posted form: the value in force stays
        elif f.kind == "checkbox":
            data[f.name] = f.name in form
        elif f.kind == "multi":
            data[f.name] = values[f.name] = [v for v in form.getlist(f.name) if isinstance(v, str)]
        elif f.kind == "lines":
            data[f.name] = [ln.strip() for ln in text.splitlines() if ln.strip()]
        elif f.kind in ("number", "select") and not text:
            continue
        else:
            data[f.name] = text
    data.update(numbers_from_form(form, errors))
    data["reminder_ladders_wd"] = _ladders(form, errors)
    rows = dict(current.report_row_overrides)
    row = form_str(form, "already_public_row")
    if row:
        rows[ALREADY_PUBLIC] = row
    else:
        rows.pop(ALREADY_PUBLIC, None)
    data["report_row_overrides"] = rows
    data["hotline_overrides"] = current.hotline_overrides  # adjusted through the API; kept as they are
    try:
        cfg = AgencyConfig.model_validate(data)
    except ValidationError as exc:
        errors.update(errors_by_field(exc))
        cfg = current
    if errors:
        return _page(request, values, _placed(request, errors), current, status=422)
    try:
        save_agency_settings(app_engine(request), user.agency_id, name=form_str(form, "name"), cfg=cfg,
                             actor=principal(user), now=app_clock(request).now())
    except DomainValidation as exc:
        return _page(request, values, _placed(request, errors_by_field(exc)), current, status=422)
    return redirect(request, "/admin/agency", ("ok", "机关设置已保存"))
