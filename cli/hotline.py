"""``banli hotline import FILE …`` and ``banli hotline export --since … --format xlsx|jsonl --out FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlmodel import col, select
from tqdm import tqdm

from cli.common import engine_and_settings, now
from cli.main import CliError
from db.engine import read_session
from db.models import Agency, User
from states.roles import Role, parse_roles
from workflow.accounts.principal import Principal, system
from workflow.errors import InvalidTransition, NotFound
from workflow.hotline.batch import import_file, write_report
from workflow.hotline.export import write_export
from workflow.hotline.mapping import MappingError, load_mapping
from workflow.hotline.queries import ExportWindowError, export_rows, export_window

SHOWN_ERRORS = 20


def _agency(engine: Any, code: str | None, default_code: str) -> Agency:
    with read_session(engine) as s:
        agency = s.exec(select(Agency).where(Agency.code == (code or default_code))).first()
        if agency is None and code is None:
            agency = s.exec(select(Agency).order_by(Agency.id)).first()  # type: ignore[arg-type]
    if agency is None or agency.id is None:
        raise CliError(f"机关代码不存在：{code or default_code}")
    return agency


def user_principal(engine: Any, agency_id: int, username: str | None) -> Principal:
    """Who runs an import: the user named, else the agency's first active leader or administrator."""
    user = _user(engine, agency_id, username)
    assert user.id is not None
    return Principal(user.id, user.agency_id, parse_roles(user.roles), user.display_name)


def _user(engine: Any, agency_id: int, username: str | None) -> User:
    with read_session(engine) as s:
        q = select(User).where(User.agency_id == agency_id, col(User.active).is_(True))
        if username:
            user = s.exec(q.where(User.username == username)).first()
            if user is None:
                raise CliError(f"本机关没有用户 {username}")
            return user
        for user in s.exec(q.order_by(col(User.id))).all():
            if user.role_set & {Role.LEADER, Role.ADMIN}:
                return user
    raise CliError("本机关没有负责人或管理员账户：请用 --user 指定执行导入的用户")


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"文件不存在：{path}")
    engine, settings, _ = engine_and_settings()
    agency = _agency(engine, args.agency, settings.default_agency_code)
    assert agency.id is not None
    # Orders with past steps (签收、反馈、办结 before go-live) need a person who may bring history in (--user).
    actor: Principal = (user_principal(engine, agency.id, args.user) if args.user
                        else system(agency.id, "批量导入（命令行）"))
    try:
        mapping = load_mapping(args.mapping) if args.mapping else load_mapping()
        with tqdm(desc="导入工单", unit="行", file=sys.stderr, disable=args.quiet) as bar:
            report = import_file(engine, path, mapping, actor, now(), dry_run=args.dry_run, progress=bar.update)
    except MappingError as exc:
        raise CliError(str(exc)) from exc
    except (InvalidTransition, NotFound) as exc:
        raise CliError(exc.message) from exc
    print(report.summary_zh())
    for e in report.errors[:SHOWN_ERRORS]:
        print(f"  第{e.row}行 {e.column or '—'}：{e.problem_zh}")
    if len(report.errors) > SHOWN_ERRORS:
        print(f"  …… 另有 {len(report.errors) - SHOWN_ERRORS} 个问题" + ("，见报告文件" if args.report else
                                                                        "（用 --report 文件名 保存全部问题）"))
    if args.report:
        out = write_report(report, args.report)
        print(f"问题报告已写入：{out}（{len(report.errors)} 条）")
    return 0 if not report.errors else 1


def _export(args: argparse.Namespace) -> int:
    try:
        since, until = export_window(args.since, args.until, load_mapping())
    except ExportWindowError as exc:
        raise CliError(f"--{exc.field}：{exc.message}") from exc
    engine, settings, _ = engine_and_settings()
    agency = _agency(engine, args.agency, settings.default_agency_code)
    assert agency.id is not None
    out = Path(args.out)
    with read_session(engine) as s, out.open("wb") as fh:
        n = write_export(export_rows(s, agency.id, since, until), args.format, fh)
    print(f"已导出 {n} 条办理结果：{out}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("hotline", help="12345工单：批量导入、导出办理结果")
    hs = p.add_subparsers(dest="hotline_command", metavar="SUBCOMMAND")
    hs.required = True
    i = hs.add_parser("import", help="导入平台导出的工单（.xlsx 或 .jsonl）；有问题的行写入报告，其余照常导入")
    i.add_argument("file")
    i.add_argument("--mapping", help="列映射 YAML（默认 workflow/hotline/data/mappings/default.yaml）")
    i.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入数据库")
    i.add_argument("--report", help="把逐行问题写入此文件（.csv 或 .xlsx）")
    i.add_argument("--agency", help="机关代码（默认为系统的默认机关）")
    i.add_argument("--user", help="以哪个用户的名义导入（导入带签收、反馈、办结记录的历史工单时须为负责人或管理员）")
    i.add_argument("--quiet", action="store_true", help="不显示进度条")
    i.set_defaults(handler=_import)
    e = hs.add_parser("export", help="导出办理结果（答复），供上传热线平台")
    e.add_argument("--since", required=True, help="起始时间，如 2026-03-01")
    e.add_argument("--until", help="截止日期（含当天；写明时刻则不含该时刻），默认至今")
    e.add_argument("--format", choices=("xlsx", "jsonl"), default="xlsx")
    e.add_argument("--out", required=True, help="输出文件")
    e.add_argument("--agency", help="机关代码（默认为系统的默认机关）")
    e.set_defaults(handler=_export)
