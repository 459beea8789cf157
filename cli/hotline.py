"""``banli hotline import FILE …`` and ``banli hotline export --since … --format xlsx|jsonl --out FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from cli.common import engine_and_settings, now
from cli.imports import agency_by_code, print_report, user_principal
from cli.main import CliError
from db.engine import read_session
from workflow.accounts.principal import Principal, system
from workflow.errors import InvalidTransition, NotFound
from workflow.hotline.batch import import_file
from workflow.hotline.export import write_export
from workflow.hotline.mapping import MappingError, load_mapping
from workflow.hotline.queries import ExportWindowError, export_rows, export_window


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"文件不存在：{path}")
    engine, settings, _ = engine_and_settings()
    agency = agency_by_code(engine, args.agency, settings.default_agency_code)
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
    return print_report(report, args.report)


def _export(args: argparse.Namespace) -> int:
    try:
        since, until = export_window(args.since, args.until, load_mapping())
    except ExportWindowError as exc:
        raise CliError(f"--{exc.field}：{exc.message}") from exc
    engine, settings, _ = engine_and_settings()
    agency = agency_by_code(engine, args.agency, settings.default_agency_code)
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
