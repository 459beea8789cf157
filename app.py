"""Composition root: the ``banli`` command line and the web application factory."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``banli`` console script."""
    from cli.main import run

    return run(sys.argv[1:] if argv is None else argv)
