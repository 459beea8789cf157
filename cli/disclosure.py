"""``banli disclosure import FILE [--agency CODE] [--dry-run]`` (the go-live import) and ``banli disclosure template``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import now
from cli.imports import Prepared, import_parser, run_import, user_principal
from workflow.golive.run import import_file
from workflow.golive.source import ImportFileError
from workflow.golive.template import write_template


def _import(args: argparse.Namespace) -> int:
    def prepare(engine: Any, agency_id: int, path: Path) -> Prepared:
        actor = user_principal(engine, agency_id, args.user)
        return lambda progress: import_file(engine, path, actor, now(), dry_run=args.dry_run, progress=progress)

    return run_import(args, "申请", prepare, (ImportFileError,))


def _template(args: argparse.Namespace) -> int:
    out = write_template(Path(args.out))
    print(f"已生成导入模板：{out}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("disclosure", help="依申请公开：上线导入历史申请")
    ds = p.add_subparsers(dest="disclosure_command", metavar="SUBCOMMAND")
    ds.required = True
    import_parser(ds, "导入本机关已办结和未办结的申请（.xlsx 或 .csv，见导入模板）；有问题的行写入报告，其余照常导入", _import,
                  dry_run_help="逐行检查（与实际导入相同的校验），不写入数据库",
                  user_help="以哪个用户的名义导入（默认为本机关的第一位负责人或管理员）")
    t = ds.add_parser("template", help="生成导入模板（.xlsx：表头、示例、填写说明、代码表）")
    t.add_argument("out")
    t.set_defaults(handler=_template)
