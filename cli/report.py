"""``banli report``: the annual-report tables (JSON/HTML/XLSX/DOCX) and leaders' statistics."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel

from cli.main import CliError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from states.annual_report import FORMATS
    from workflow.reports.render import OUTPUT_FORMATS

    parser = sub.add_parser("report", help="统计报表（政府信息公开工作年度报告等）")
    reports = parser.add_subparsers(dest="report_command", metavar="REPORT")
    reports.required = True

    annual = reports.add_parser("annual", help="政府信息公开工作年度报告统计表（表二、表三、表四）")
    annual.add_argument("year", type=int, help="报告年度，例如 2026")
    annual.add_argument("--format", dest="output", choices=OUTPUT_FORMATS, default="json", help="输出格式")
    annual.add_argument("--out", type=Path, help="输出文件（json/html 省略时写到标准输出）")
    annual.add_argument("--agency", metavar="CODE", help="机关代码；省略时汇总全部机关")
    annual.add_argument("--report-format", choices=FORMATS, default="2021", help="年度报告格式版本")
    annual.add_argument("--cross-check", action="store_true", help="另按事件记录复核第一至第四项")
    annual.set_defaults(handler=_annual)

    stats = reports.add_parser("stats", help="办理统计（JSON）：依申请公开、12345工单或两者")
    stats.add_argument("year", type=int, nargs="?", help="统计年度（或用 --from/--to）")
    stats.add_argument("--from", dest="start", type=date.fromisoformat, help="起始日期 YYYY-MM-DD")
    stats.add_argument("--to", dest="end", type=date.fromisoformat, help="截止日期 YYYY-MM-DD（含）")
    stats.add_argument("--agency", metavar="CODE", help="机关代码；省略时汇总全部机关")
    stats.add_argument("--kind", choices=["disclosure", "hotline", "all"], default="disclosure",
                       help="disclosure：依申请公开（默认）；hotline：12345工单；all：两者及承办人、科室名称（同 /api/reports/stats）")
    stats.add_argument("--out", type=Path, help="输出文件（省略时写到标准输出）")
    stats.set_defaults(handler=_stats)


def _engine() -> Engine:
    from db.engine import make_engine
    from settings import get_settings

    return make_engine(get_settings().database_url)


def _agency_id(session: Session, code: str | None) -> int | None:
    if code is None:
        return None
    agency = SQLModel.metadata.tables["agency"]
    found = session.execute(select(agency.c.id).where(agency.c.code == code)).scalar_one_or_none()
    if found is None:
        raise CliError(f"没有代码为 {code!r} 的机关")
    return int(found)


def _write(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)


def _annual(args: argparse.Namespace) -> int:
    import db.models  # noqa: F401
    from db.engine import read_session
    from settings import get_settings
    from workflow.reports.annual import annual_report
    from workflow.reports.events import crosscheck_table3
    from workflow.reports.render import render

    if args.output in ("xlsx", "docx") and args.out is None:
        raise CliError(f"--format {args.output} 需要用 --out 指定输出文件")
    if not 2019 <= args.year <= 2100:
        raise CliError(f"年度 {args.year} 不在可统计范围内")
    engine = _engine()
    try:
        with read_session(engine) as session:
            agency_id = _agency_id(session, args.agency)
            report = annual_report(session, agency_id, args.year, args.report_format)
            if args.cross_check:
                extra = crosscheck_table3(session, agency_id, report.table3, args.year, tz=get_settings().timezone)
                report = dataclasses.replace(report, extra_checks=tuple(extra))
    finally:
        engine.dispose()
    _write(render(report, args.output), args.out)
    failed = [c for c in report.checks if not c.ok]
    for c in failed:
        print(f"校验不通过：{c.name_zh}［{c.column}］{c.lhs} ≠ {c.rhs}", file=sys.stderr)
    if args.out is not None:
        print(f"已生成 {args.out}（校验 {len(report.checks) - len(failed)}/{len(report.checks)} 项通过）",
              file=sys.stderr)
    return 0


def _stats(args: argparse.Namespace) -> int:
    import db.models  # noqa: F401
    from db.engine import read_session
    from workflow.reports.annual import Period, disclosure_stats
    from workflow.reports.files import leader_stats
    from workflow.reports.hotline import hotline_stats

    if args.year is not None and (args.start or args.end):
        raise CliError("年度与 --from/--to 只能选一种")
    if args.year is None:
        if not (args.start and args.end):
            raise CliError("请给出年度，或同时给出 --from 与 --to")
        try:
            period = Period(args.start, args.end)
        except ValueError as exc:
            raise CliError(str(exc)) from exc
    else:
        period = Period.year(args.year)
    engine = _engine()
    try:
        with read_session(engine) as session:
            agency_id = _agency_id(session, args.agency)
            if args.kind == "hotline":
                data = hotline_stats(session, agency_id, period)
            elif args.kind == "all":
                data = leader_stats(session, agency_id, period.start, period.end)
            else:
                data = disclosure_stats(session, agency_id, period)
    finally:
        engine.dispose()
    _write((json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode(), args.out)
    return 0
