"""Pydantic's validation errors as ``{"field", "code", "message"}`` with Chinese text — one translation for the API,
the pages, imports and the command line (``field_errors``)."""

from __future__ import annotations

import re
from typing import Any, get_args

from pydantic_core.core_schema import ErrorType

from states.wording import INPUT_ERROR_FALLBACK, INPUT_ERRORS
from workflow.disclosure.payloads import MODEL_ERROR_FIELDS

# pydantic's own error types (its English messages are never shown: INPUT_ERRORS, else INPUT_ERROR_FALLBACK); any
# other type is one of ours (PydanticCustomError), whose message is already Chinese.
PYDANTIC_ERROR_TYPES = frozenset(get_args(ErrorType))
# Where a location starts (FastAPI's request errors): not part of the field's name.
_LOC_ROOTS = ("body", "query", "path", "form", "header", "cookie")
# The member of a union pydantic adds to an error's location (``caller_phone.str``, ``assisting_units.list[str].0``,
# ``x.function-after[…]``, ``x.constrained-str``): not a name the client sent.
_UNION_TAG = re.compile(r"str|int|float|bool|date|datetime|[a-z]+(-[a-z]+)+|[a-z][a-z-]*\[.*\]", re.DOTALL)


def _message(typ: str, e: dict[str, Any], ctx: dict[str, Any]) -> str:
    tmpl = INPUT_ERRORS.get(typ)
    if tmpl is None:
        return INPUT_ERROR_FALLBACK if typ in PYDANTIC_ERROR_TYPES else str(e.get("msg", "")) or INPUT_ERROR_FALLBACK
    try:
        return tmpl.format(**ctx)
    except (KeyError, IndexError):
        return INPUT_ERROR_FALLBACK if typ in PYDANTIC_ERROR_TYPES else str(e.get("msg", "")) or INPUT_ERROR_FALLBACK


def field_errors(errors: list[dict[str, Any]] | Any) -> list[dict[str, Any]]:
    """Translate pydantic error dicts into ``{"field", "code", "message"}`` with Chinese text.

    The field is named as the client sent it: a model-level check's error goes to the field it concerns
    (``MODEL_ERROR_FIELDS``: ``id_number``, or ``applicant.id_number`` inside a conversion), union members are
    left out of the path, and of the errors one union gives a value (one per member) only the telling one is
    kept: the member the value was meant for (``int_from_float`` rather than ``string_type``), else the first."""
    out: list[dict[str, Any]] = []
    unions: dict[str, int] = {}  # the union's field → its error's place in ``out``
    for e in errors:
        raw = list(e.get("loc", ()))
        if raw and raw[0] in _LOC_ROOTS:
            raw = raw[1:]
        loc: list[str] = []
        union: str | None = None
        for p in raw:
            if isinstance(p, str) and loc and _UNION_TAG.fullmatch(p):
                union = union if union is not None else ".".join(loc)
                continue
            loc.append(str(p))
        typ = str(e.get("type", "invalid"))
        ctx = dict(e.get("ctx") or {})
        if typ == "value_error":  # a validator's ValueError: its text if ours (Chinese), not Python's or a library's
            msg = str(ctx.get("error", e.get("msg", ""))).removeprefix("Value error, ")
            ctx["msg"] = msg if any("\u4e00" <= ch <= "\u9fff" for ch in msg) else INPUT_ERROR_FALLBACK
        code = str(ctx.get("code", typ)) if typ == "value_error" else typ
        if typ in ("literal_error", "enum") and "expected" in ctx:
            ctx["expected"] = choices_text(str(ctx["expected"]))
        loc += [str(p) for p in ctx.pop("path", ())]  # where inside a list or mapping (workflow.inputs)
        concerned = MODEL_ERROR_FIELDS.get(code) if typ not in PYDANTIC_ERROR_TYPES else None
        if concerned and loc[-1:] != [concerned]:
            loc.append(concerned)
        item = {"field": ".".join(loc), "code": code, "message": _message(typ, e, ctx)}
        if union is None:
            out.append(item)
        elif union not in unions:
            unions[union] = len(out)
            out.append(item)
        elif out[unions[union]]["code"].endswith("_type") and not code.endswith("_type"):
            out[unions[union]] = item  # the first member only said "not my type"
    return out


def choices_text(expected: str) -> str:
    """pydantic's list of allowed values (``'collect', 'post' or 'online'``) as a Chinese list: collect、post、online."""
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", expected)
    items = quoted or [p for p in re.split(r", | or ", expected) if p]
    return "、".join(items)


def errors_line(errors: list[dict[str, Any]] | Any) -> str:
    """The errors on one line, each at its field (a command's message)."""
    return "；".join(f"{e['field']}：{e['message']}" if e["field"] else e["message"] for e in field_errors(errors))
