"""12345 forms: the intake form and the action forms, generated from pydantic models like the disclosure forms.

Action inputs are exactly the fields of ``workflow.hotline.payloads.PAYLOADS[action]``; a few get a
better widget (the officer and unit selects, the order's files as checkboxes, the 条例第二十九条 details
of a conversion to a disclosure application from ``ApplicantIn``/``RequestIn``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import FormData

from states.hotline import Category, Urgency
from states.identity import ID_TYPES
from web.pages.common import officer_options
from web.pages.forms import ALL, FieldSpec, errors_by_field, model_fields, payload_from_form
from web.pages.labels import FIELD_LABELS
from workflow.cases.form_choices import NO_CHOICES, FormChoices
from workflow.disclosure.payloads import ApplicantIn, RequestIn
from workflow.errors import DomainValidation
from workflow.hotline.payloads import PAYLOADS
from workflow.inputs import Clean

DANGEROUS = {
    "accept_return": "确认记录平台同意退单？工单将转出本单位并关闭。",
    "approve_termination": "确认记录平台同意终止办理？工单将关闭。",
    "convert_to_disclosure": "确认转为依申请公开申请？工单将关闭并登记一件新的申请。",
    "merge": "确认并单？本工单将关闭。",
    "close": "确认办结该工单？",
    "reply": "确认反馈办理结果？反馈后办理时限即停止计算。",
}
# 条例第二十九条 details a conversion needs; name, phone and description default to the caller and the demand.
CONVERT_SKIP = ("assisted",)


class WorkOrderIntake(Clean):
    """The hand-registration form's shape (the platform's fields); values are checked by
    ``workflow.hotline.actions.record_from_input`` — the same checks as the API and the import."""

    model_config = ConfigDict(extra="forbid")
    order_no: str = Field(max_length=64)
    received_at: datetime
    category: Category
    urgency: Urgency = Urgency.NORMAL
    caller_name: str = Field("", max_length=100)
    caller_phone: str = Field("", max_length=40)
    title: str = Field("", max_length=300)
    content: str = Field(max_length=8000)
    location: str = Field("", max_length=300)
    category_code: str = Field("", max_length=32)
    platform_due_at: datetime | None = None
    lead_unit: str = Field("", max_length=200)
    assisting_units: list[str] = Field(default_factory=list)
    designated: bool = False


def intake_fields() -> list[FieldSpec]:
    return model_fields(WorkOrderIntake)


def intake_values(specs: list[FieldSpec], form: FormData, tz: str) -> dict[str, Any]:
    """The posted form as an API-style body for ``record_from_input`` (lists joined as the import reads them)."""
    data = {s.name: "" for s in specs} | payload_from_form(specs, form, tz=tz)  # blanks named: errors find their field
    if isinstance(data.get("assisting_units"), list):
        data["assisting_units"] = "、".join(data["assisting_units"])
    return data


def _prefixed(model: type[BaseModel], prefix: str, skip: tuple[str, ...] = ()) -> list[FieldSpec]:
    overrides = {"id_type": FieldSpec("id_type", FIELD_LABELS["id_type"], "select", True, tuple(ID_TYPES.items()))}
    return [replace(s, name=f"{prefix}.{s.name}") for s in model_fields(model, skip=skip, overrides=overrides)]


def convert_fields() -> list[FieldSpec]:
    """The applicant and request sub-forms of ``convert_to_disclosure`` (names ``applicant.x``, ``request.x``)."""
    return _prefixed(ApplicantIn, "applicant", CONVERT_SKIP) + _prefixed(RequestIn, "request")


def convert_defaults(d: dict[str, Any]) -> dict[str, str]:
    return {"applicant.applicant_type": "natural", "applicant.applicant_category": "natural",
            "applicant.id_type": "resident_id", "applicant.applicant_name": d["caller"]["name"],
            "applicant.phone": d["caller"]["phone"], "request.description": d["content"][:4000]}


def action_fields(action: str, files: list[tuple[str, str]] | None = None,
                  choices: FormChoices = NO_CHOICES) -> list[FieldSpec]:
    """The inputs of one action: the fields of its payload model, plus the conversion's sub-forms (``files`` and
    ``choices`` fill the checkboxes and selects the page shows; reading a posted form needs neither)."""
    model = PAYLOADS[action]
    overrides: dict[str, FieldSpec] = {}
    if "assignee_id" in model.model_fields:
        overrides["assignee_id"] = FieldSpec("assignee_id", FIELD_LABELS["assignee_id"], "select", True,
                                             tuple(officer_options(choices.officers)))
    if "unit_id" in model.model_fields:
        overrides["unit_id"] = FieldSpec("unit_id", FIELD_LABELS["unit_id"], "select", False,
                                         tuple((str(uid), name) for uid, name in choices.units),
                                         help="留空为承办人所在科室")
    if "attachment_ids" in model.model_fields:
        base = model_fields(model)
        spec = next(s for s in base if s.name == "attachment_ids")
        overrides["attachment_ids"] = replace(spec, kind="multi", options=tuple(files or ()))
    specs = model_fields(model, overrides=overrides)
    return specs + convert_fields() if action == "convert_to_disclosure" else specs


def action_payload(fields: list[FieldSpec], form: FormData, tz: str) -> dict[str, Any]:
    """A work-order action's payload from the form: checkbox lists, and the applicant/request groups of
    a conversion to a disclosure application (``applicant.name`` → ``{"applicant": {"name": …}}``)."""
    plain = [f for f in fields if "." not in f.name]
    data = payload_from_form(plain, form, tz=tz)
    for f in plain:
        if f.kind == "multi":
            data[f.name] = [v for v in form.getlist(f.name) if isinstance(v, str) and v.strip()]
    nested = [f for f in fields if "." in f.name]
    for group in ("applicant", "request"):
        specs = [f for f in nested if f.name.startswith(group + ".")]
        if specs:
            values = payload_from_form(specs, form, tz=tz)
            data[group] = {k.split(".", 1)[1]: v for k, v in values.items()}
    return data


def typed(form: FormData, fields: list[FieldSpec]) -> dict[str, Any]:
    """What was typed, to show again after an error (several values for checkbox lists)."""
    out: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    for f in fields:
        if f.kind == "multi":
            out[f.name] = [v for v in form.getlist(f.name) if isinstance(v, str)]
    return out


def action_errors(exc: ValidationError | DomainValidation, fields: list[FieldSpec]) -> dict[str, list[str]]:
    """Per-input messages; a model-level problem of the conversion's applicant (e.g. the ID check digit) is
    already at the input it concerns (``applicant.id_number``, workflow.input_errors.field_errors)."""
    return place_errors(errors_by_field(exc), fields)


def place_errors(errors: dict[str, list[str]], fields: list[FieldSpec]) -> dict[str, list[str]]:
    """Errors at the inputs that exist: a conversion's ``id_number`` goes to ``applicant.id_number``;
    anything without an input is shown above the form."""
    names = {f.name for f in fields}
    out: dict[str, list[str]] = {}
    for name, msgs in errors.items():
        target = name
        if name not in names and name != ALL:
            target = next((f"{g}.{name}" for g in ("applicant", "request") if f"{g}.{name}" in names), ALL)
        out.setdefault(target, []).extend(m for m in msgs if m not in out.get(target, []))
    return out
