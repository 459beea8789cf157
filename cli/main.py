"""The ``banli`` command line: each ``cli/<topic>.py`` module registers its sub-commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

# Modules that contribute sub-commands; each defines ``register(subparsers)``.
COMMAND_MODULES = (
    "cli.serve",
    "cli.database",
    "cli.users",
    "cli.agencies",
    "cli.setup",
    "cli.calendar",
    "cli.hotline",
    "cli.disclosure",
    "cli.report",
    "cli.stats",
    "cli.worker",
    "cli.settings_doc",
    "cli.health",
    "cli.backup",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="banli", description="办理 — 依申请公开与12345工单办理系统")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # not built yet
            raise
        mod.register(sub)
    return parser


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except CliError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code


class CliError(Exception):
    """A user-facing error: printed without a traceback."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
