"""``banli worker`` — the scheduler without the web server; ``banli worker --once`` — every sweep once.

``banli worker`` runs until SIGTERM/SIGINT (running sweeps finish their current batch). Run as many
as you like against one PostgreSQL database: the sweeps split the work themselves. ``--once`` runs
recompute → lapses → escalation → reminders → digest → outbox, prints a summary and exits (for cron
and tests); ``--now`` replays a given instant (tests, or re-running a missed day by hand).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import datetime
from typing import Any

from cli.common import engine_and_settings, now, serving_lock
from cli.main import CliError
from settings import get_settings
from workflow.ops.logs import configure_logging
from workflow.sweeps.run import ORDER


def _parse_now(text: str | None) -> datetime:
    if not text:
        return now()
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"时间格式错误：{text!r}（应为 ISO 8601，如 2026-11-09T09:00:00+08:00）") from exc
    if value.tzinfo is None:
        raise CliError("--now 须带时区（如 +08:00）")
    return value


def _once(args: argparse.Namespace) -> int:
    from workflow.sweeps.run import run_all
    from workflow.sweeps.scheduler import default_instance

    engine, settings, _ = engine_and_settings(bootstrap=True)
    instance = args.instance or settings.scheduler_instance or default_instance()
    only = tuple(args.only.split(",")) if args.only else None
    unknown = [j for j in only or () if j not in ORDER]
    if unknown:
        raise CliError(f"没有这个任务：{', '.join(unknown)}（可选：{', '.join(ORDER)}）")
    reports = run_all(engine, _parse_now(args.now), instance=instance, settings=settings,
                      batch_size=args.batch_size or settings.sweep_batch_size, time_budget_s=args.time_budget,
                      only=only)
    print(f"调度任务已执行一次（实例 {instance}）：")
    for r in reports:
        print("  " + r.summary())
    engine.dispose()
    return 1 if any(r.error for r in reports) else 0


def _forever(args: argparse.Namespace) -> int:
    if args.now:
        raise CliError("--now 只能与 --once 一起使用")
    from workflow.sweeps.scheduler import start_scheduler
    from workflow.timesource import SystemTime

    engine, settings, _ = engine_and_settings(bootstrap=True)
    configure_logging(settings.log_format, settings.log_level)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        sched = start_scheduler(settings, engine, SystemTime(), instance=args.instance)
        print(f"调度程序已启动（实例 {args.instance or settings.scheduler_instance or '默认'}），"
              "按 Ctrl+C 或发送 SIGTERM 停止", flush=True)
        await stop.wait()
        sched.shutdown(wait=False)  # running sweeps stop after their current batch

    asyncio.run(main())
    engine.dispose()
    print("调度程序已停止", flush=True)
    return 0


def _worker(args: argparse.Namespace) -> int:
    with serving_lock(get_settings()):  # banli restore refuses while a worker runs
        return _once(args) if args.once else _forever(args)


def register(sub: Any) -> None:
    p = sub.add_parser("worker", help="只运行调度程序（提醒、催办督办、逾期处理、每日汇总、发信）")
    p.add_argument("--once", action="store_true", help="每个任务执行一次后退出（用于 cron 与测试）")
    p.add_argument("--instance", help="实例名（默认 主机名:进程号）")
    p.add_argument("--only", help=f"只执行这些任务，逗号分隔（{','.join(ORDER)}）")
    p.add_argument("--now", help="按此时刻执行（ISO 8601，带时区；仅 --once）")
    p.add_argument("--batch-size", type=int, help="每个事务处理的行数")
    p.add_argument("--time-budget", type=float, default=600.0, help="每个任务的时间预算（秒，仅 --once）")
    p.set_defaults(handler=_worker)
