"""The base of every input model: text, integers and dates checked once, at the field (``states.inputs``).

``Clean`` runs one validator over every field of every model built on it (the disclosure payloads, the 12345
action payloads, the API bodies): a single-line text with a control character, an integer the databases cannot
store, a date outside the sane range or a true/false given for a number (pydantic would read ``true`` as 1: an
``assignee_id`` of 1, a version 1) is a 422 naming the field, in the API and on the pages alike. A text
field is multi-line when it is marked ``MultiLine`` or allows ``LONG_TEXT`` characters or more (the pages show
those as a textarea, ``web.pages.forms``); mark a long field ``SingleLine`` to keep it on one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args, get_origin

import annotated_types
from pydantic import (
    BaseModel,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError

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
from states.wording import DAY_OR_INSTANT_MESSAGE, NAIVE_TIME_MESSAGE

BOOL_NOT_NUMBER = "应为整数，不能是 true 或 false"


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


def day_or_instant(value: Any) -> date | datetime:
    """A list filter's bound (``DayOrInstant``): a date alone (YYYY-MM-DD) is a day, anything else an instant that
    carries its offset — the server cannot know whose clock a time without one was read from (NAIVE_TIME_MESSAGE)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DAY.fullmatch(text):
                value = date.fromisoformat(text)
            elif _DAY.match(text):  # ISO 8601 only: pydantic would read 1764806400 as seconds since 1970
                value = _INSTANT.validate_python(text)
            else:
                raise ValueError(text)
        except ValueError:
            raise PydanticCustomError("invalid_datetime", DAY_OR_INSTANT_MESSAGE) from None
    if not isinstance(value, date):
        raise PydanticCustomError("invalid_datetime", DAY_OR_INSTANT_MESSAGE)
    if isinstance(value, datetime) and value.tzinfo is None:
        raise PydanticCustomError("timezone_aware", NAIVE_TIME_MESSAGE)
    if not date_in_range(value):
        raise PydanticCustomError("date_out_of_range", DATE_MESSAGE)
    return value


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT: TypeAdapter[datetime] = TypeAdapter(datetime)
DayOrInstant = Annotated[date | datetime, PlainValidator(day_or_instant, json_schema_input_type=str)]


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
    names ``payload.applicant.id_number``, not ``payload``: workflow.input_errors.field_errors)."""
    try:
        return clean_value(value, multi=multi, bounded=bounded)
    except PydanticCustomError as exc:
        ctx = dict(exc.context or {})
        ctx["path"] = [step, *ctx.get("path", ())]
        raise PydanticCustomError(exc.type, exc.message_template, ctx) from None


def takes_numbers_only(tp: Any) -> bool:
    """Whether a field of type ``tp`` takes numbers but not true/false (pydantic would read ``true`` as 1)."""
    leaves = set(_leaves(tp))
    return bool(leaves & {int, float}) and not leaves & {bool, Any, object}


def _leaves(tp: Any) -> Iterator[Any]:
    if get_origin(tp) is Literal:
        yield from (type(a) for a in get_args(tp))
        return
    args = get_args(tp)
    if not args:
        yield tp
    for a in args:
        yield from _leaves(a)


# (model, field) → (multi-line, bounded): what ``Clean._edge`` reads from the field's metadata, once per field.
_RULES: dict[tuple[type, str | None], tuple[bool, bool]] = {}
# model → the fields (as sent) that take numbers but not true/false, found once per model
_NUMBER_FIELDS: dict[type, tuple[str, ...]] = {}


def _number_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    names = _NUMBER_FIELDS.get(cls)
    if names is None:
        names = _NUMBER_FIELDS[cls] = tuple(f.alias or name for name, f in cls.model_fields.items()
                                            if takes_numbers_only(f.annotation))
    return names


def _bool_at(value: Any) -> tuple[int, ...] | None:
    """Where a true/false is in a field's input: ``()`` the value itself, ``(i,)`` a list's item, None nowhere."""
    if value is True or value is False:
        return ()
    if type(value) is list:
        for i, v in enumerate(value):
            if v is True or v is False:
                return (i,)
    return None


class Clean(BaseModel):
    """Base of input models: every field goes through ``clean_value``; a number field refuses true/false."""

    @model_validator(mode="before")
    @classmethod
    def _no_bool(cls, data: Any) -> Any:
        # once per model, not per field (the registration's 29 fields): only the number fields are looked at
        if isinstance(data, dict):
            bad = [InitErrorDetails(type=PydanticCustomError("int_type", BOOL_NOT_NUMBER), loc=(name, *at),
                                    input=data[name])
                   for name in _number_fields(cls) if (at := _bool_at(data.get(name))) is not None]
            if bad:
                raise ValidationError.from_exception_data(cls.__name__, bad)
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _edge(cls, value: Any, info: ValidationInfo) -> Any:
        rule = _RULES.get((cls, info.field_name))
        if rule is None:
            field = cls.model_fields.get(info.field_name or "")
            rule = _RULES[(cls, info.field_name)] = (
                (False, True) if field is None else (is_multiline(field), DIGITS not in field.metadata))
        return clean_value(value, multi=rule[0], bounded=rule[1])
