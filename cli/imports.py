"""What the import commands share: the file and the agency named on the command line, the person the import runs
as, the progress bar, and the report printed at the end (with the exit code: 1 when a row had a problem)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select
from tqdm import tqdm

from cli.common import engine_and_settings
from cli.main import CliError
from db.engine import read_session
from db.models import Agency, User
from states.roles import Role
from workflow.accounts.principal import Principal
from workflow.accounts.roles import holders, roles_of
from workflow.agencies.registry import by_code, first_agency
from workflow.errors import InvalidTransition, NotFound
from workflow.hotline.batch import write_report

SHOWN_ERRORS = 20
Progress = Callable[[int], None]
Prepared = Callable[[Progress], Any]  # runs the import (reporting rows done), returns its report


def import_parser(sub: Any, help_text: str, handler: Callable[[argparse.Namespace], int], *, dry_run_help: str,
                  user_help: str) -> argparse.ArgumentParser:
    """The ``import FILE`` sub-command with the options ``run_import`` reads (a command may add its own)."""
    p: argparse.ArgumentParser = sub.add_parser("import", help=help_text)
    p.add_argument("file")
    p.add_argument("--agency", help="机关代码（默认为系统的默认机关）")
    p.add_argument("--dry-run", action="store_true", help=dry_run_help)
    p.add_argument("--user", help=user_help)
    p.add_argument("--report", help="把逐行问题写入此文件（.csv 或 .xlsx）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(handler=handler)
    return p


def run_import(args: argparse.Namespace, noun: str, prepare: Callable[[Any, int, Path], Prepared],
               file_errors: tuple[type[Exception], ...]) -> int:
    """``banli … import FILE``: check the file, find the agency (``--agency``), let ``prepare(engine, agency_id,
    path)`` settle who imports and how (a problem there is reported before the progress bar starts), run the
    import under a progress bar of ``noun`` rows (``--quiet``: none), print the report (``--report``: every
    problem to a file). ``file_errors`` and a refused step are printed as errors, without a traceback."""
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"文件不存在：{path}")
    engine, settings, _ = engine_and_settings()
    agency = agency_by_code(engine, args.agency, settings.default_agency_code)
    assert agency.id is not None
    try:
        run = prepare(engine, agency.id, path)
        with tqdm(desc=f"导入{noun}", unit="行", file=sys.stderr, disable=args.quiet) as bar:
            report = run(bar.update)
    except file_errors as exc:
        raise CliError(str(exc)) from exc
    except (InvalidTransition, NotFound) as exc:
        raise CliError(exc.message) from exc
    return print_report(report, args.report)


def agency_by_code(engine: Any, code: str | None, default_code: str) -> Agency:
    """The agency named by ``--agency`` (default: the configured default agency, else the first one)."""
    with read_session(engine) as s:
        try:
            if code is not None:
                return by_code(s, code)
            try:
                return by_code(s, default_code)
            except NotFound:
                return first_agency(s)
        except NotFound as exc:
            raise CliError(f"机关代码不存在：{code or default_code}") from exc


def user_principal(engine: Any, agency_id: int, username: str | None) -> Principal:
    """Who runs an import: the user named, else the agency's first active leader or administrator."""
    with read_session(engine) as s:
        user = _user(s, agency_id, username)
        assert user.id is not None
        return Principal(user.id, user.agency_id, roles_of(s, user.id, user.agency_id), user.display_name)


def _user(s: Session, agency_id: int, username: str | None) -> User:
    if username:
        user = s.exec(select(User).where(User.agency_id == agency_id, col(User.active).is_(True),
                                         User.username == username)).first()
        if user is None:
            raise CliError(f"本机关没有用户 {username}")
        return user
    first = holders(s, agency_id, Role.LEADER, Role.ADMIN)
    if first:
        return first[0]
    raise CliError("本机关没有负责人或管理员账户：请用 --user 指定执行导入的用户")


def print_report(report: Any, report_path: str | None) -> int:
    """Print an import's summary and first problems; write every problem to ``report_path`` if given."""
    print(report.summary_zh())
    for e in report.errors[:SHOWN_ERRORS]:
        print(f"  第{e.row}行 {e.column or '—'}：{e.problem_zh}")
    if len(report.errors) > SHOWN_ERRORS:
        print(f"  …… 另有 {len(report.errors) - SHOWN_ERRORS} 个问题" + ("，见报告文件" if report_path else
                                                                        "（用 --report 文件名 保存全部问题）"))
    if report_path:
        out = write_report(report, report_path)
        print(f"问题报告已写入：{out}（{len(report.errors)} 条）")
    return 0 if not report.errors else 1
