"""``banli disclosure import FILE [--agency CODE] [--dry-run]`` (the go-live import) and ``banli disclosure template``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from cli.common import engine_and_settings, now
from cli.imports import agency_by_code, print_report, user_principal
from cli.main import CliError
from workflow.errors import InvalidTransition, NotFound
from workflow.golive.run import import_file
from workflow.golive.source import ImportFileError
from workflow.golive.template import write_template


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"文件不存在：{path}")
    engine, settings, _ = engine_and_settings()
    agency = agency_by_code(engine, args.agency, settings.default_agency_code)
    assert agency.id is not None
    actor = user_principal(engine, agency.id, args.user)
    try:
        with tqdm(desc="导入申请", unit="行", file=sys.stderr, disable=args.quiet) as bar:
            report = import_file(engine, path, actor, now(), dry_run=args.dry_run, progress=bar.update)
    except ImportFileError as exc:
        raise CliError(str(exc)) from exc
    except (InvalidTransition, NotFound) as exc:
        raise CliError(exc.message) from exc
    return print_report(report, args.report)


def _template(args: argparse.Namespace) -> int:
    out = write_template(Path(args.out))
    print(f"已生成导入模板：{out}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("disclosure", help="依申请公开：上线导入历史申请")
    ds = p.add_subparsers(dest="disclosure_command", metavar="SUBCOMMAND")
    ds.required = True
    i = ds.add_parser("import", help="导入本机关已办结和未办结的申请（.xlsx 或 .csv，见导入模板）；有问题的行写入报告，其余照常导入")
    i.add_argument("file")
    i.add_argument("--agency", help="机关代码（默认为系统的默认机关）")
    i.add_argument("--dry-run", action="store_true", help="逐行检查（与实际导入相同的校验），不写入数据库")
    i.add_argument("--user", help="以哪个用户的名义导入（默认为本机关的第一位负责人或管理员）")
    i.add_argument("--report", help="把逐行问题写入此文件（.csv 或 .xlsx）")
    i.add_argument("--quiet", action="store_true", help="不显示进度条")
    i.set_defaults(handler=_import)
    t = ds.add_parser("template", help="生成导入模板（.xlsx：表头、示例、填写说明、代码表）")
    t.add_argument("out")
    t.set_defaults(handler=_template)
