"""The deadline sweeps: idempotent passes over the stored clocks, safe with several instances.

Each sweep is a plain function ``(engine, now, *, instance, settings, batch_size, time_budget_s, stop)
-> SweepReport`` (tests, ``banli worker --once`` and the scheduler call it directly):

=============  ==========================================================  ============================
job            what                                                        module
=============  ==========================================================  ============================
recompute      stale open clocks after a calendar import                   ``workflow.sweeps.recompute``
lapses         correction / fee / consultation lapses through ``act``      ``workflow.sweeps.lapses``
escalation     breach time, 催办 / 督办 to leaders, case overdue level      ``workflow.sweeps.escalation``
reminders      5/3/1/0 working days before due, to the officer             ``workflow.sweeps.reminders``
digest         leaders' daily digest at ``digest_time`` on working days    ``workflow.sweeps.digest``
outbox         deliver due notices (``notifications.outbox.deliver_due``)  here
=============  ==========================================================  ============================

``ORDER`` is the order of a full pass: a recompute can move deadlines, a lapse can resume a reply
clock, escalation and reminders read the result, the digest summarises it, the outbox sends it all.
Catch-up after downtime needs nothing special: sweeps read stored due dates, not timers.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine

from notifications.outbox import DeliveryStats, deliver_due
from settings import Settings
from workflow.sweeps.base import Budget, RunOptions, Sweep, SweepReport, sweep
from workflow.sweeps.digest import digest
from workflow.sweeps.escalation import escalate
from workflow.sweeps.lapses import lapse
from workflow.sweeps.recompute import recompute_stale
from workflow.sweeps.reminders import remind

T = TypeVar("T")


@sweep("outbox")
def deliver(engine: Engine, now: datetime, report: SweepReport, budget: Budget, opts: RunOptions) -> None:
    """Drain due outbox rows (claims with leases; a crashed sender's rows are re-sent after the lease)."""

    def drain() -> DeliveryStats:
        return deliver_due(engine, now, instance=opts.instance, batch_size=min(opts.batch_size, 100),
                           time_budget_s=max(1.0, budget.seconds - budget.elapsed()), settings=opts.settings)

    stats = _off_loop(drain)
    for key in ("claimed", "sent", "retried", "dead", "printed", "no_email", "files"):
        report.add(key, int(getattr(stats, key)))
    report.batches += stats.batches
    report.remaining, report.lag_seconds = stats.remaining, stats.lag_seconds


def _off_loop(fn: Callable[[], T]) -> T:
    """Run ``fn`` here, or in a short-lived thread when this thread already runs an event loop
    (``deliver_due`` runs its own loop; the scheduler calls sweeps from worker threads, but a caller
    inside async code must not break it)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with ThreadPoolExecutor(1, thread_name_prefix="sweep") as pool:
        return pool.submit(fn).result()


SWEEPS: dict[str, Sweep] = {
    "recompute": recompute_stale,
    "lapses": lapse,
    "escalation": escalate,
    "reminders": remind,
    "digest": digest,
    "outbox": deliver,
}
ORDER: tuple[str, ...] = ("recompute", "lapses", "escalation", "reminders", "digest", "outbox")


def run_all(engine: Engine, now: datetime, *, instance: str = "local", settings: Settings | None = None,
            batch_size: int = 500, time_budget_s: float = 600.0, only: tuple[str, ...] | None = None,
            stop: threading.Event | None = None) -> list[SweepReport]:
    """Every sweep once, in ``ORDER`` (``banli worker --once``); a failing sweep does not stop the others."""
    reports = []
    for name in ORDER:
        if only and name not in only:
            continue
        try:
            reports.append(SWEEPS[name](engine, now, instance=instance,
                                        settings=settings,
                                        batch_size=batch_size, time_budget_s=time_budget_s, stop=stop))
        except Exception as exc:  # recorded in sweep_status by the sweep itself
            reports.append(SweepReport(name, error=f"{type(exc).__name__}: {exc}"))
    return reports


__all__ = ["ORDER", "SWEEPS", "SweepReport", "deliver", "digest", "escalate", "lapse", "recompute_stale", "remind",
           "run_all"]
