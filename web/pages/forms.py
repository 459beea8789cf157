"""HTML forms generated from the workflow's pydantic input models, and their errors mapped back to fields.

A model field becomes an input by its type: Literal/StrEnum → select with Chinese labels, bool →
checkbox, int → number, date → date, datetime → datetime-local (read in the agency's time zone),
list[str] → textarea with one item per line, multi-line str (``workflow.inputs.is_multiline``) → textarea. Labels live in ``labels.py``.
"""

from __future__ import annotations

import enum
import types
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo

import annotated_types
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from states.wording import FORM_ERRORS
from web.pages.labels import FIELD_LABELS, HELP, OPTION_LABELS
from workflow.disclosure.payloads import early_id_problem
from workflow.errors import DomainValidation
from workflow.input_errors import field_errors
from workflow.inputs import is_multiline

ALL = "__all__"  # errors that belong to no single field


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text | textarea | select | checkbox | number | date | datetime | lines | hidden
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()
    help: str = ""
    minimum: int | None = None
    maximum: int | None = None
    maxlength: int | None = None
    attrs: dict[str, str] = field(default_factory=dict)


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return tp, False


def _label(model: type[BaseModel], name: str) -> str:
    return FIELD_LABELS.get(f"{model.__name__}.{name}") or FIELD_LABELS.get(name, name)


def _options(model: type[BaseModel], name: str, values: list[str]) -> tuple[tuple[str, str], ...]:
    labels = OPTION_LABELS.get(f"{model.__name__}.{name}") or OPTION_LABELS.get(name, {})
    return tuple((v, labels.get(v, v)) for v in values)


def model_fields(model: type[BaseModel], *, skip: tuple[str, ...] = (),
                 overrides: dict[str, FieldSpec] | None = None) -> list[FieldSpec]:
    """One FieldSpec per field of ``model`` (in declaration order), unless skipped or overridden."""
    out: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        if overrides and name in overrides:
            out.append(overrides[name])
            continue
        tp, optional = _unwrap_optional(info.annotation)
        required = info.is_required() and not optional
        label, help_ = _label(model, name), HELP.get(f"{model.__name__}.{name}") or HELP.get(name, "")
        lo = hi = maxlen = None
        for m in info.metadata:
            if isinstance(m, annotated_types.Ge):
                lo = int(m.ge)  # type: ignore[call-overload]
            elif isinstance(m, annotated_types.Le):
                hi = int(m.le)  # type: ignore[call-overload]
            elif isinstance(m, annotated_types.MaxLen):
                maxlen = m.max_length
        if get_origin(tp) is Literal:
            spec = FieldSpec(name, label, "select", required, _options(model, name, [str(a) for a in get_args(tp)]),
                             help_)
        elif isinstance(tp, type) and issubclass(tp, enum.Enum):
            spec = FieldSpec(name, label, "select", required, _options(model, name, [str(m.value) for m in tp]), help_)
        elif tp is bool:
            spec = FieldSpec(name, label, "checkbox", False, help=help_)
        elif tp is int:
            spec = FieldSpec(name, label, "number", required, help=help_, minimum=lo, maximum=hi)
        elif tp is date:
            spec = FieldSpec(name, label, "date", required, help=help_)
        elif tp is datetime:
            spec = FieldSpec(name, label, "datetime", required, help=help_)
        elif get_origin(tp) is list:
            spec = FieldSpec(name, label, "lines", required, help=help_ or "每行一项")
        elif get_origin(tp) is dict:
            continue  # structured detail: rendered by a dedicated widget (the decision picker)
        else:
            kind = "textarea" if is_multiline(info) else "text"  # the same rule as the validation
            spec = FieldSpec(name, label, kind, required, help=help_, maxlength=maxlen)
        out.append(spec)
    return out


def local_to_aware(text: str, tz: str) -> str:
    """'2026-03-02T09:30' typed in a datetime-local input → an aware ISO instant in the agency's zone."""
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return text  # pydantic reports the format problem
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo(tz))
    return dt.isoformat()


def payload_from_form(specs: list[FieldSpec], form: FormData, *, tz: str) -> dict[str, Any]:
    """The payload dict for the model: empty optional inputs are left out so model defaults apply."""
    data: dict[str, Any] = {}
    for spec in specs:
        raw = form.get(spec.name)
        text = raw.strip() if isinstance(raw, str) else ""
        if spec.kind == "checkbox":
            data[spec.name] = text in ("on", "true", "1", "yes")
        elif spec.kind == "lines":
            data[spec.name] = [ln.strip() for ln in text.splitlines() if ln.strip()]
        elif text == "":
            continue
        elif spec.kind == "datetime":
            data[spec.name] = local_to_aware(text, tz)
        else:
            data[spec.name] = text
    return data


def typed_values(form: FormData) -> dict[str, str]:
    """What the user typed, to put back into the form after an error."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}




def errors_by_field(exc: ValidationError | DomainValidation | list[dict[str, Any]]) -> dict[str, list[str]]:
    """Per-field Chinese messages; a model-level problem is at the field it concerns (workflow.input_errors.field_errors),
    or above the form (``__all__``). ``exc`` may be the field errors themselves (``{"field", "code", "message"}``)."""
    items = (exc if isinstance(exc, list) else exc.fields if isinstance(exc, DomainValidation)
             else field_errors(exc.errors()))
    out: dict[str, list[str]] = {}
    for e in items:
        name = str(e.get("field", ""))
        code = str(e.get("code", ""))
        parts = name.split(".")
        if parts and parts[-1].isdigit():  # items.0 → items
            name = ".".join(parts[:-1])
        if not name:
            name = ALL
        message = FORM_ERRORS.get(code, str(e.get("message", "输入有误")))
        out.setdefault(name, [])
        if message not in out[name]:
            out[name].append(message)
    return out


def add_id_problem(values: dict[str, str], errors: dict[str, list[str]]) -> None:
    """pydantic skips the model-level checks while a field is missing: still say at once if the ID is wrong."""
    problem = early_id_problem(values)
    if problem and "id_number" not in errors:
        errors["id_number"] = [problem["message"]]
