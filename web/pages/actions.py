"""Action forms for a case: fields generated from each action's payload model, and the reply's decision picker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from states.decisions import CATEGORY_LABELS, DETAIL_LABELS, REPLY_CATEGORIES, SYSTEM_REASONS, reasons_for
from web.pages.common import officer_options
from web.pages.forms import FieldSpec, model_fields, payload_from_form
from web.pages.labels import FIELD_LABELS
from workflow.cases.form_choices import NO_CHOICES, FormChoices
from workflow.disclosure.payloads import PAYLOADS

DANGEROUS = {"withdraw": "确认登记申请人撤回申请？该操作将终止办理。",
             "lapse_correction": "确认按逾期未补正、视为放弃申请处理？",
             "lapse_fee": "确认按逾期未缴费、不再处理？", "discard_submission": "确认作废该网上申请？",
             "reply": "确认作出答复？答复后不能再修改答复类型。"}


@dataclass(frozen=True)
class ActionForm:
    action: str
    label: str
    fields: list[FieldSpec]
    confirm: str = ""


def action_fields(action: str, choices: FormChoices = NO_CHOICES) -> list[FieldSpec]:
    """The inputs of one action: exactly the fields of its payload model (reply: the picker adds ``detail``);
    ``choices`` fill the officer select the page shows (reading a posted form needs none)."""
    model = PAYLOADS[action]
    overrides: dict[str, FieldSpec] = {}
    if "assignee_id" in model.model_fields:
        label = FIELD_LABELS.get(f"{model.__name__}.assignee_id") or FIELD_LABELS["assignee_id"]
        overrides["assignee_id"] = FieldSpec("assignee_id", label, "select", True,
                                             tuple(officer_options(choices.officers)))
    if action == "reply":
        overrides["category"] = FieldSpec("category", FIELD_LABELS["category"], "select", True,
                                          tuple((str(c), CATEGORY_LABELS[c]) for c in REPLY_CATEGORIES))
        overrides["reason"] = FieldSpec("reason", FIELD_LABELS["ReplyIn.reason"], "select", True)
    return model_fields(model, overrides=overrides)


def decision_picker() -> dict[str, Any]:
    """Category → reasons (with article and the detail each needs), for the reply form."""
    groups: list[dict[str, Any]] = []
    required_by: dict[str, list[str]] = {}
    for c in REPLY_CATEGORIES:
        reasons = [r for r in reasons_for(c) if r.code not in SYSTEM_REASONS]
        groups.append({"category": str(c), "label": CATEGORY_LABELS[c], "reasons": [
            {"code": r.code, "label": r.label, "article": r.article, "required": list(r.required)} for r in reasons]})
        for r in reasons:
            for k in r.required:
                required_by.setdefault(k, []).append(f"{CATEGORY_LABELS[c]}·{r.label}")
    keys = sorted(required_by)
    return {"groups": groups, "detail_fields": [(k, DETAIL_LABELS.get(k, k)) for k in keys],
            "required_by": required_by}


def action_payload(action: str, fields: list[FieldSpec], form: FormData, tz: str) -> dict[str, Any]:
    data = payload_from_form(fields, form, tz=tz)
    if action == "reply":
        detail = {}
        for key, value in form.items():
            if key.startswith("detail.") and isinstance(value, str) and value.strip():
                detail[key.removeprefix("detail.")] = value.strip()
        data["detail"] = detail
    return data


def expected_version(form: FormData) -> int | None:
    raw = form.get("expected_version")
    try:
        return int(raw) if isinstance(raw, str) and raw.strip() else None
    except ValueError:
        return None
