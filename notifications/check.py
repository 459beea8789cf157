"""The start-up check of the catalog (``catalog.check_catalog``): templates exist, fixtures render.

Collects every problem before failing, so one run shows everything an agency's override broke.
"""

from __future__ import annotations

from pathlib import Path

from notifications.catalog import CATALOG
from notifications.environment import DEFAULTS_DIR
from notifications.errors import CatalogError, NoticeError
from notifications.fixtures import all_reply_contexts, fixture_context
from settings import Settings, get_settings


def _missing_files() -> list[str]:
    problems = []
    for spec in CATALOG.values():
        for fmt, name in spec.templates.items():
            if not (DEFAULTS_DIR / name).is_file():
                problems.append(f"{spec.code}: {fmt} template {name} is missing")
    return problems


def run_check(*, include_pdf: bool = False, override_dir: Path | None = None,
              settings: Settings | None = None) -> None:
    """Raise CatalogError listing every missing template and every fixture that fails to render."""
    from notifications.render import render_many

    s = settings or get_settings()
    if override_dir is not None:
        s = s.model_copy(update={"templates_override_dir": override_dir})
    problems = _missing_files()
    for code, spec in CATALOG.items():
        formats = tuple(f for f in spec.formats if include_pdf or f != "pdf")
        try:
            render_many(code, fixture_context(code), formats, settings=s)
        except NoticeError as exc:
            problems.append(str(exc))
    for category, reason, ctx in all_reply_contexts():
        try:
            render_many("disclosure.reply", ctx, ("html", "txt"), settings=s)
        except NoticeError as exc:
            problems.append(f"reply {category}.{reason}: {exc}")
    if problems:
        raise CatalogError(problems)
