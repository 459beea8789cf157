"""``banli check`` (is the instance healthy?) and ``banli files check`` (every stored file present and intact)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlalchemy.engine.url import make_url

from cli.common import engine_and_settings, now
from cli.main import CliError
from settings import get_settings
from workflow.ops.health import CHECKS, run_checks


def _names(text: str | None) -> list[str]:
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise CliError(f"没有这项检查：{', '.join(unknown)}（可选：{', '.join(CHECKS)}）")
    return names


def require_database_file() -> None:
    """A SQLite path that does not exist is reported, not silently created as an empty database."""
    settings = get_settings()
    if settings.is_sqlite:
        path = make_url(settings.database_url).database
        if path and path != ":memory:":
            from pathlib import Path

            if not Path(path).exists():
                raise CliError(f"数据库文件不存在：{path}（BANLI_DATABASE_URL）", exit_code=1)


def _check(args: argparse.Namespace) -> int:
    require_database_file()
    engine, settings, _ = engine_and_settings(bootstrap=False)
    try:
        report = run_checks(engine, settings, now(), quick=args.quick, only=_names(args.only) or None,
                            skip=_names(args.skip))
    finally:
        engine.dispose()
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else report.text())
    return report.exit_code(strict=args.strict)


def _files_check(args: argparse.Namespace) -> int:
    require_database_file()
    engine, settings, _ = engine_and_settings(bootstrap=False)
    try:
        report = run_checks(engine, settings, now(), quick=args.quick, only=["files"])
    finally:
        engine.dispose()
    check = report.checks[0]
    if args.json:
        print(json.dumps(report.to_dict()["checks"][0], ensure_ascii=False, indent=2))
        return report.exit_code()
    print(f"{check.title}：{check.message}")
    d = check.details
    for item in d.get("items", []):
        print(f"  - {item}")
    shown = len(d.get("items", []))
    problems = int(d.get("missing", 0)) + int(d.get("corrupt", 0))
    if problems > shown:
        print(f"  …… 另有 {problems - shown} 个（banli files check --json 列出前 {shown} 个，完整名单见 banli check）")
    return report.exit_code()


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="健康检查：数据库结构与完整性、存储文件、发信、调度程序、节假日日历",
                       description="退出码 0 表示健康（可能有“注意”项），1 表示有检查失败。")
    p.add_argument("--quick", action="store_true",
                   help="快速检查（用于服务启动前）：文件只核对存在与大小，SQLite 用 quick_check")
    p.add_argument("--only", help=f"只做这些检查，逗号分隔（{','.join(CHECKS)}）")
    p.add_argument("--skip", help="跳过这些检查，逗号分隔（如启动前跳过 scheduler,outbox）")
    p.add_argument("--json", action="store_true", help="输出 JSON（与 /api/admin/health 相同）")
    p.add_argument("--strict", action="store_true", help="“注意”项也算失败（退出码 1）")
    p.set_defaults(handler=_check)

    files = sub.add_parser("files", help="存储文件")
    fsub = files.add_subparsers(dest="files_command", metavar="COMMAND")
    fsub.required = True
    fc = fsub.add_parser("check", help="报告缺失或损坏（校验值不符）的存储文件；有问题时退出码 1")
    fc.add_argument("--quick", action="store_true", help="只核对存在与大小，不计算校验值")
    fc.add_argument("--json", action="store_true")
    fc.set_defaults(handler=_files_check)
