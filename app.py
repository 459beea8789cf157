"""Composition root: the ``banli`` command line and the web application factory."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``banli`` console script."""
    from cli.main import run

    return run(sys.argv[1:] if argv is None else argv)


def create_app():  # type: ignore[no-untyped-def]
    """ASGI factory for ``uvicorn --factory app:create_app`` (reads settings from the environment)."""
    from db.engine import make_engine
    from settings import get_settings
    from web.app import create_app as _create
    from web.concurrency import tune_process

    tune_process()
    settings = get_settings()
    return _create(settings, make_engine(settings.database_url))
