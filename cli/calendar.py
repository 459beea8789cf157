"""``banli calendar add-workdays|import|show|stale``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import select

from cli.common import engine_and_settings, now
from cli.main import CliError
from db.engine import read_session
from db.models import Agency
from states.calendar_notice import NoticeError, parse_notice
from workflow.calendar.service import (
    agency_calendar,
    calendar_version,
    count_stale_clocks,
    fixed_holidays,
    import_notice,
    load_calendar,
    show_year,
)

MAX_DAYS = 3660


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"日期格式错误：{text!r}（应为 YYYY-MM-DD）") from exc


def _add_workdays(args: argparse.Namespace) -> int:
    start = _parse_date(args.start)
    try:
        n = int(args.days)
    except ValueError as exc:
        raise CliError(f"工作日数应为整数：{args.days!r}") from exc
    if n < 0 or n > MAX_DAYS:
        raise CliError(f"工作日数应在 0 到 {MAX_DAYS} 之间：{n}")
    engine, _, _ = engine_and_settings()
    with read_session(engine) as s:
        if args.agency:
            ag = s.exec(select(Agency).where(Agency.code == args.agency)).first()
            if ag is None:
                raise CliError(f"机关代码不存在：{args.agency}")
            cal = agency_calendar(s, ag)
        else:
            cal = load_calendar(s)
    res = cal.add_workdays(start, n)
    print(res.due.isoformat())
    if args.explain:
        for line in res.explanation.lines_zh():
            print(line)
    if res.provisional:
        years = ", ".join(str(y) for y in res.missing_years)
        print(f"provisional: no holiday notice for {years}; weekends and fixed-date statutory holidays only "
              f"({cal.provisional_line(res.missing_years)})", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"无法读取文件 {path}：{exc}") from exc
    try:
        data = parse_notice(text, str(path))
    except NoticeError as exc:
        print(f"错误：节假日通知未导入（未写入任何数据）：{path}", file=sys.stderr)
        for p in exc.problems:
            where = f"第 {p.line} 行：" if p.line else ""
            print(f"  {where}{p.message}", file=sys.stderr)
        return 2
    engine, _, _ = engine_and_settings()
    res = import_notice(engine, data, actor_label=args.by, now=now())
    replaced = f"，替换了原第 {res.replaced_notice_id} 号通知" if res.replaced_notice_id else ""
    print(f"已导入 {data.year} 年（{data.scope}）{data.document}：放假 {res.holidays} 天，调休上班 {res.workdays} 天"
          f"{replaced}；日历版本 {res.version}")
    if res.stale_clocks:
        print(f"有 {res.stale_clocks} 个未办结时限是按旧日历计算的，将由调度程序重新计算")
    return 0


def _show(args: argparse.Namespace) -> int:
    engine, _, _ = engine_and_settings()
    with read_session(engine) as s:
        scopes = tuple(args.scope) if args.scope else None
        entries, covered = show_year(s, args.year, scopes)
        fixed = fixed_holidays(s)
    kinds = {"holiday": "放假", "workday": "调休上班"}
    if not covered:
        edition = fixed.edition(args.year) if fixed is not None else None
        assumed = "周末和下列法定日期" if edition is not None else "周末"
        print(f"注意：{args.year} 年尚无全国节假日安排数据，期限暂按{assumed}推算，均为暂定（provisional）")
        if edition is not None and fixed is not None:
            for sd in fixed.days_in(args.year):
                print(f"{sd.day}\t放假（暂定）\t{sd.name}\t{sd.scope}\t{edition.document}\t{fixed.source}")
    for e in entries:
        print(f"{e.day}\t{kinds.get(e.kind, e.kind)}\t{e.name}\t{e.scope}\t{e.document}\t{e.source}")
    return 0


def _stale(args: argparse.Namespace) -> int:
    engine, _, _ = engine_and_settings()
    with read_session(engine) as s:
        print(f"日历版本 {calendar_version(s)}；按旧版本计算的未办结时限：{count_stale_clocks(s)}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("calendar", help="工作日日历")
    cs = p.add_subparsers(dest="calendar_command", metavar="SUBCOMMAND")
    cs.required = True
    a = cs.add_parser("add-workdays", help="起算日后第 N 个工作日（起算日不计入）")
    a.add_argument("start")
    a.add_argument("days")
    a.add_argument("--explain", action="store_true", help="列出跳过的休息日和计入的调休上班日")
    a.add_argument("--agency", help="机关代码（含地方节假日）")
    a.set_defaults(handler=_add_workdays)
    i = cs.add_parser("import", help="导入节假日通知（YAML 或 JSON）")
    i.add_argument("file")
    i.add_argument("--by", default="管理员", help="导入人")
    i.set_defaults(handler=_import)
    s = cs.add_parser("show", help="列出某年的放假和调休上班日及其来源")
    s.add_argument("year", type=int)
    s.add_argument("--scope", action="append")
    s.set_defaults(handler=_show)
    st = cs.add_parser("stale", help="按旧日历版本计算的未办结时限数量")
    st.set_defaults(handler=_stale)
