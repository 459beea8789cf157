"""``banli stats rebuild [--agency CODE]``: the maintained summaries (issue 21) recomputed from the cases."""

from __future__ import annotations

import argparse

from sqlmodel import select

from cli.main import CliError
from db.engine import make_engine, read_session
from db.models import Agency
from settings import get_settings
from workflow.tally.rebuild import rebuild


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("stats", help="统计汇总（负责人、监督员页面读取的计数）")
    cmds = parser.add_subparsers(dest="stats_command", metavar="COMMAND")
    cmds.required = True
    rebuild = cmds.add_parser("rebuild", help="按案件与期限记录重新计算统计汇总（可重复执行，结果相同）")
    rebuild.add_argument("--agency", metavar="CODE", help="机关代码；省略时重算全部机关")
    rebuild.set_defaults(handler=_rebuild)


def _rebuild(args: argparse.Namespace) -> int:
    engine = make_engine(get_settings().database_url)
    try:
        agency_id = None
        if args.agency:
            with read_session(engine) as s:
                agency_id = s.exec(select(Agency.id).where(Agency.code == args.agency)).first()
            if agency_id is None:
                raise CliError(f"没有代码为 {args.agency!r} 的机关")
        done = rebuild(engine, agency_id)
    finally:
        engine.dispose()
    scope = f"机关 {args.agency}" if args.agency else "全部机关"
    print(f"已重新计算{scope}的统计汇总：{done.cases} 件案件，{done.cells} 行汇总")
    return 0
