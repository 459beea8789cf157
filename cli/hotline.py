"""``banli hotline import FILE …`` and ``banli hotline export --since … --format xlsx|jsonl --out FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import engine_and_settings, now
from cli.imports import Prepared, agency_by_code, import_parser, run_import, user_principal
from cli.main import CliError
from workflow.accounts.principal import Principal, system
from workflow.hotline.batch import import_file
from workflow.hotline.mapping import MappingError, load_mapping
from workflow.hotline.queries import ExportWindowError, export_replies, export_window


def _import(args: argparse.Namespace) -> int:
    def prepare(engine: Any, agency_id: int, path: Path) -> Prepared:
        # Orders with past steps (签收、反馈、办结 before go-live) need a person who may bring history in (--user).
        actor: Principal = (user_principal(engine, agency_id, args.user) if args.user
                            else system(agency_id, "批量导入（命令行）"))
        mapping = load_mapping(args.mapping) if args.mapping else load_mapping()
        return lambda progress: import_file(engine, path, mapping, actor, now(), dry_run=args.dry_run,
                                            progress=progress)

    return run_import(args, "工单", prepare, (MappingError,))


def _export(args: argparse.Namespace) -> int:
    try:
        since, until = export_window(args.since, args.until, load_mapping())
    except ExportWindowError as exc:
        raise CliError(f"--{exc.field}：{exc.message}") from exc
    engine, settings, _ = engine_and_settings()
    agency = agency_by_code(engine, args.agency, settings.default_agency_code)
    assert agency.id is not None
    out = Path(args.out)
    with out.open("wb") as fh:
        n = export_replies(engine, agency.id, since, until, args.format, fh)
    print(f"已导出 {n} 条办理结果：{out}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("hotline", help="12345工单：批量导入、导出办理结果")
    hs = p.add_subparsers(dest="hotline_command", metavar="SUBCOMMAND")
    hs.required = True
    i = import_parser(hs, "导入平台导出的工单（.xlsx 或 .jsonl）；有问题的行写入报告，其余照常导入", _import,
                      dry_run_help="只检查并统计，不写入数据库",
                      user_help="以哪个用户的名义导入（导入带签收、反馈、办结记录的历史工单时须为负责人或管理员）")
    i.add_argument("--mapping", help="列映射 YAML（默认 workflow/hotline/data/mappings/default.yaml）")
    e = hs.add_parser("export", help="导出办理结果（答复），供上传热线平台")
    e.add_argument("--since", required=True, help="起始时间，如 2026-03-01")
    e.add_argument("--until", help="截止日期（含当天；写明时刻则不含该时刻），默认至今")
    e.add_argument("--format", choices=("xlsx", "jsonl"), default="xlsx")
    e.add_argument("--out", required=True, help="输出文件")
    e.add_argument("--agency", help="机关代码（默认为系统的默认机关）")
    e.set_defaults(handler=_export)
