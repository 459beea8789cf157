"""APScheduler 3.x driving the sweeps: one scheduler per process, in-memory jobs, fixed job ids.

Traps avoided (docs/architecture.md, stack notes): never a shared job store (two processes sharing one
run every job twice); never one job per case (the deadline lives on the row, a sweep reads it); the
``coalesce``/``misfire_grace_time`` defaults drop runs after a stall, so jobs get a generous grace
period; ``AsyncIOScheduler.start()`` is called inside the running loop (the FastAPI lifespan, or
``banli worker``'s own loop). Each job is a plain function, which ``AsyncIOExecutor`` runs in the
loop's default thread pool, so a sweep never blocks the event loop. Several instances may run the same
jobs against one database: the sweeps claim their work rows themselves (SKIP LOCKED, unique keys,
``job_run`` slots). Catch-up after downtime is natural: sweeps read stored due dates, not timers.

Time: APScheduler fires on real time; each sweep gets ``now`` from the injected clock.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from settings import Settings
from workflow.sweeps.run import SWEEPS, SweepReport
from workflow.timesource import SystemTime, TimeSource

log = logging.getLogger(__name__)


# job id → (interval s, first run after start s, time budget s). The first runs follow the pass order.
JOBS: dict[str, tuple[float, float, float]] = {
    "recompute": (60, 1.0, 50),
    "lapses": (60, 1.5, 50),
    "escalation": (60, 2.0, 50),
    "reminders": (60, 2.5, 50),
    "digest": (60, 3.0, 50),
    "outbox": (15, 0.5, 12),
}
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1}


def default_instance() -> str:
    """host:pid — shown in sweep_status and outbox leases."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


class SweepScheduler(AsyncIOScheduler):  # type: ignore[misc]
    """An AsyncIOScheduler whose shutdown also asks running sweeps to stop after their current batch."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.stop_event = threading.Event()

    def shutdown(self, wait: bool = True) -> None:
        self.stop_event.set()
        super().shutdown(wait=wait)


def run_job(name: str, engine: Engine, clock: TimeSource, settings: Settings, instance: str,
            stop: threading.Event | None = None) -> SweepReport | None:
    """One scheduled run of one sweep (in a worker thread); errors are logged and kept in sweep_status."""
    budget = JOBS[name][2]
    try:
        report = SWEEPS[name](engine, clock.now(), instance=instance, settings=settings,
                              batch_size=settings.sweep_batch_size, time_budget_s=budget, stop=stop)
    except Exception:
        log.exception("sweep %s failed", name, extra={"sweep": name, "instance": instance, "outcome": "crashed"})
        return None
    # Structured fields for JSON logs; idle runs (every 15–60 s) only at DEBUG.
    fields = {"sweep": name, "instance": instance, "outcome": "error" if report.error else "ok",
              **report.as_dict()}
    log.log(logging.INFO if report.worked or report.error else logging.DEBUG, "%s", report.summary(), extra=fields)
    return report


def start_scheduler(settings: Settings, engine: Engine, clock: TimeSource, *, instance: str | None = None,
                    jobs: tuple[str, ...] | None = None) -> SweepScheduler:
    """Start the sweeps on the running event loop and return the scheduler (``.shutdown(wait=False)``)."""
    instance = instance or settings.scheduler_instance or default_instance()
    sched = SweepScheduler(timezone="UTC", job_defaults=dict(JOB_DEFAULTS))
    started = SystemTime().now()  # APScheduler's own timing is real time
    for name, (interval, first, _budget) in JOBS.items():
        if jobs is not None and name not in jobs:
            continue
        sched.add_job(run_job, IntervalTrigger(seconds=interval), id=name, name=f"sweep:{name}",
                      args=(name, engine, clock, settings, instance, sched.stop_event),
                      next_run_time=started + timedelta(seconds=first), replace_existing=True)
    sched.start()
    log.info("scheduler started as %s: %s", instance, ", ".join(j.id for j in sched.get_jobs()))
    return sched


__all__ = ["JOBS", "JOB_DEFAULTS", "SweepScheduler", "default_instance", "run_job", "start_scheduler"]
