"""The base of every input model: text, integers and dates checked once, at the field (``states.inputs``).

``Clean`` runs one validator over every field of every model built on it (the disclosure payloads, the 12345
action payloads, the API bodies): a single-line text with a control character, an integer the databases cannot
store or a date outside the sane range is a 422 naming the field, in the API and on the pages alike. A text
field is multi-line when it is marked ``MultiLine`` or allows ``LONG_TEXT`` characters or more (the pages show
those as a textarea, ``web.pages.forms``); mark a long field ``SingleLine`` to keep it on one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

import annotated_types
from pydantic import BaseModel, StringConstraints, ValidationInfo, field_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from states.inputs import (
    DATE_MESSAGE,
    INT_MESSAGE,
    LONG_TEXT,
    MULTI_LINE_MESSAGE,
    SINGLE_LINE_MESSAGE,
    UNICODE_MESSAGE,
    date_in_range,
    has_control,
    has_surrogate,
    int_in_range,
    multiline,
)


class _Lines:
    """Metadata marker: how a text field treats line breaks."""

    def __init__(self, multi: bool) -> None:
        self.multi = multi

    def __repr__(self) -> str:
        return "MultiLine" if self.multi else "SingleLine"


class _Digits:
    """Metadata marker: an integer here is text written as a number (a phone number), never stored as one."""


MULTI, SINGLE, DIGITS = _Lines(True), _Lines(False), _Digits()
MultiLine = Annotated[str, MULTI]
SingleLine = Annotated[str, SINGLE]


def is_multiline(info: FieldInfo) -> bool:
    """Whether a text field keeps line breaks: its marker, else its length (``LONG_TEXT`` or more)."""
    longest = 0
    for m in info.metadata:
        if isinstance(m, _Lines):
            return m.multi
        if isinstance(m, annotated_types.MaxLen | StringConstraints):
            longest = m.max_length or 0
    return longest >= LONG_TEXT


def clean_value(value: Any, *, multi: bool, bounded: bool = True) -> Any:
    """``value`` checked (and multi-line text normalised); PydanticCustomError at the field otherwise.

    List items are single lines (one item per line on the pages); the values of a free-form mapping are
    normalised as multi-line text (the model that reads them later applies its own rules, at its fields)."""
    if isinstance(value, str):
        if has_surrogate(value):
            raise PydanticCustomError("string_unicode", UNICODE_MESSAGE)
        if multi:
            out = multiline(value)
            if out is None:
                raise PydanticCustomError("control_characters", MULTI_LINE_MESSAGE)
            return out
        if has_control(value):
            raise PydanticCustomError("control_characters", SINGLE_LINE_MESSAGE)
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if bounded and not int_in_range(value):
            raise PydanticCustomError("out_of_range", INT_MESSAGE)
        return value
    if isinstance(value, date):  # datetimes too
        if not date_in_range(value):
            raise PydanticCustomError("date_out_of_range", DATE_MESSAGE)
        return value
    if isinstance(value, list | tuple):
        return type(value)(_inside(i, v, multi=False, bounded=bounded) for i, v in enumerate(value))
    if isinstance(value, Mapping):  # its integers are checked by the model that reads the mapping, at their field
        return {clean_value(k, multi=False): _inside(k, v, multi=True, bounded=False) for k, v in value.items()}
    return value


def _inside(step: Any, value: Any, *, multi: bool, bounded: bool) -> Any:
    """``clean_value`` of an item of a list or mapping: an error says where, in its context's ``path`` (the API
    names ``payload.applicant.id_number``, not ``payload``: web.errors.field_errors)."""
    try:
        return clean_value(value, multi=multi, bounded=bounded)
    except PydanticCustomError as exc:
        ctx = dict(exc.context or {})
        ctx["path"] = [step, *ctx.get("path", ())]
        raise PydanticCustomError(exc.type, exc.message_template, ctx) from None


# (model, field) → (multi-line, bounded): what ``Clean._edge`` reads from the field's metadata, once per field.
_RULES: dict[tuple[type, str | None], tuple[bool, bool]] = {}


class Clean(BaseModel):
    """Base of input models: every field goes through ``clean_value``."""

    @field_validator("*", mode="after")
    @classmethod
    def _edge(cls, value: Any, info: ValidationInfo) -> Any:
        rule = _RULES.get((cls, info.field_name))
        if rule is None:
            field = cls.model_fields.get(info.field_name or "")
            rule = _RULES[(cls, info.field_name)] = (
                (False, True) if field is None else (is_multiline(field), DIGITS not in field.metadata))
        return clean_value(value, multi=rule[0], bounded=rule[1])
