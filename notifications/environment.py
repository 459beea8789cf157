"""The one Jinja environment for notices: per-agency overrides first, StrictUndefined, HTML autoescape.

Template names are agency-qualified, ``@<agency_code>/body/disclosure.reply.html``: the loader looks in
``<templates_override_dir>/<agency_code>/`` first, then in the defaults under ``notifications/templates/``.
``{% include %}``/``{% extends %}`` inside an agency-qualified template stay in that agency's search path
(``join_path``), so an agency may override a single reply paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from notifications.filters import FILTERS
from notifications.remedy import remedy_clause
from states.decisions import CATEGORY_LABELS, Category, lookup

DEFAULTS_DIR = Path(__file__).parent / "templates"
_AGENCY_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class NoneValue(Exception):
    """A template printed a value that is None: a blank in a legal document is refused."""


def agency_name(code: str, name: str) -> str:
    """The agency-qualified template name ``@code/name``."""
    if not _AGENCY_CODE.match(code) or code.startswith("."):
        raise ValueError(f"invalid agency code for templates: {code!r}")
    return f"@{code}/{name}"


def split_name(template: str) -> tuple[str | None, str]:
    """``@code/rest`` → (code, rest); a bare name → (None, name)."""
    if template.startswith("@"):
        code, _, rest = template[1:].partition("/")
        return code, rest
    return None, template


class AgencyLoader(BaseLoader):
    """Resolves ``@code/name`` through ChoiceLoader([override/code, defaults]); bare names from defaults."""

    def __init__(self, defaults: Path, override_root: Path | None) -> None:
        self.defaults = FileSystemLoader(str(defaults))
        self.override_root = override_root
        self._choices: dict[str, BaseLoader] = {}

    def _loader(self, code: str | None) -> BaseLoader:
        if code is None or self.override_root is None:
            return self.defaults
        if code not in self._choices:
            if not _AGENCY_CODE.match(code) or code.startswith("."):
                raise TemplateNotFound(code)
            self._choices[code] = ChoiceLoader(
                [FileSystemLoader(str(self.override_root / code)), self.defaults])
        return self._choices[code]

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        code, name = split_name(template)
        return self._loader(code).get_source(environment, name)

    def find_file(self, template: str) -> Path:
        """The file a (possibly agency-qualified) name resolves to — used for the binary DOCX templates."""
        code, name = split_name(template)
        if code is not None and self.override_root is not None and _AGENCY_CODE.match(code):
            candidate = self.override_root / code / name
            if candidate.is_file():
                return candidate
        candidate = DEFAULTS_DIR / name
        if candidate.is_file():
            return candidate
        raise TemplateNotFound(template)


class NoticeEnvironment(Environment):
    """Keeps includes inside the including template's agency search path."""

    def join_path(self, template: str, parent: str) -> str:
        code, _ = split_name(parent)
        if code is not None and not template.startswith("@"):
            return f"@{code}/{template}"
        return template


def _finalize(value: Any) -> Any:
    if value is None:
        raise NoneValue("a template expression evaluated to None")
    return value


@pass_context
def _remedy(ctx: Context, category: str | None = None, reason: str | None = None,
            document: str = "本答复") -> str:
    r = lookup(category, reason) if category and reason else None
    agency = ctx.get("agency")
    if not isinstance(agency, Mapping):
        raise KeyError("agency")
    return remedy_clause(r, agency, document=document)


def _decision(category: str, reason: str) -> dict[str, Any]:
    r = lookup(category, reason)
    if r is None:
        raise ValueError(f"unknown decision {category}.{reason}")
    return {"category": str(r.category), "category_label": CATEGORY_LABELS[Category(r.category)],
            "reason": r.code, "label": r.label, "article": r.article,
            "reconsideration_first": r.reconsideration_first}


@lru_cache(maxsize=8)
def get_environment(override_dir: Path | None = None) -> NoticeEnvironment:
    """The shared environment (one per override directory; in production there is exactly one)."""
    env = NoticeEnvironment(
        loader=AgencyLoader(DEFAULTS_DIR, override_dir),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml"), default_for_string=False),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(remedy=_remedy, decision=_decision)
    return env


@lru_cache(maxsize=8)
def docx_environment(override_dir: Path | None = None) -> Environment:
    """An overlay for docxtpl: it sets ``autoescape`` on the env it is given, so it gets its own."""
    return get_environment(override_dir).overlay(autoescape=True)


@lru_cache(maxsize=256)
def subject_template(source: str, override_dir: Path | None = None) -> Any:
    """The compiled subject line template (from the catalog), cached."""
    return get_environment(override_dir).from_string(source)
