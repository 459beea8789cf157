"""The in-process scheduler: fixed in-memory jobs, sweeps off the event loop, lifespan on/off."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlmodel import func, select

from db.engine import read_session
from db.models import SweepStatus
from web.app import create_app
from workflow.sweeps import scheduler as sched_mod
from workflow.timesource import FixedTime, local_dt


def test_jobs_run_in_worker_threads_with_safe_defaults(sqlite_db, monkeypatch) -> None:
    seen: dict[str, str] = {}
    real = dict(sched_mod.SWEEPS)

    def spy(name):
        def run(*a, **kw):
            seen[name] = threading.current_thread().name
            return real[name](*a, **kw)
        return run

    for name in real:
        monkeypatch.setitem(sched_mod.SWEEPS, name, spy(name))
    clock = FixedTime(local_dt(2026, 11, 9, 10))

    async def main() -> tuple[list, dict]:
        loop_thread = threading.current_thread().name
        s = sched_mod.start_scheduler(sqlite_db.settings, sqlite_db.engine, clock, instance="unit")
        jobs, stores = s.get_jobs(), dict(s._jobstores)
        end = time.monotonic() + 30
        while len(seen) < len(real) and time.monotonic() < end:
            await asyncio.sleep(0.1)
        s.shutdown(wait=False)
        assert s.stop_event.is_set()
        assert loop_thread not in seen.values()
        return jobs, stores

    with ThreadPoolExecutor(1) as pool:  # a fresh thread: earlier tests may leave a loop on this one
        jobs, stores = pool.submit(asyncio.run, main()).result()
    assert set(seen) == set(real)
    assert sorted(j.id for j in jobs) == sorted(sched_mod.JOBS)
    for j in jobs:
        assert j.coalesce is True and j.max_instances == 1 and j.misfire_grace_time >= 600
        assert j.trigger.interval.total_seconds() == sched_mod.JOBS[j.id][0]
    from apscheduler.jobstores.memory import MemoryJobStore

    assert list(stores) == ["default"] and isinstance(stores["default"], MemoryJobStore)  # never a shared store
    with read_session(sqlite_db.engine) as s:
        rows = s.exec(select(SweepStatus)).all()
    assert {r.job for r in rows} == set(real) and {r.last_instance for r in rows} == {"unit"}


def test_app_lifespan_runs_the_scheduler_unless_turned_off(sqlite_db, monkeypatch) -> None:
    calls: list[str] = []

    class Fake:
        def shutdown(self, wait: bool = True) -> None:
            calls.append(f"shutdown(wait={wait})")

    def fake_start(settings, engine, clock):
        calls.append("start")
        return Fake()

    monkeypatch.setattr(sched_mod, "start_scheduler", fake_start)
    clock = FixedTime(local_dt(2026, 11, 9, 10))
    on = sqlite_db.settings.model_copy(update={"scheduler": "on"})
    with TestClient(create_app(on, sqlite_db.engine, clock)) as c:
        assert c.get("/healthz").status_code == 200
    assert calls == ["start", "shutdown(wait=False)"]
    calls.clear()
    off = sqlite_db.settings.model_copy(update={"scheduler": "off"})  # BANLI_SCHEDULER=off
    with TestClient(create_app(off, sqlite_db.engine, clock)) as c:
        assert c.get("/healthz").status_code == 200
    assert calls == []


def test_real_scheduler_in_the_app_lifespan_records_its_runs(sqlite_db) -> None:
    clock = FixedTime(local_dt(2026, 11, 9, 10))
    on = sqlite_db.settings.model_copy(update={"scheduler": "on", "scheduler_instance": "web-1"})
    with TestClient(create_app(on, sqlite_db.engine, clock)):
        end = time.monotonic() + 30
        while time.monotonic() < end:
            with read_session(sqlite_db.engine) as s:
                if s.exec(select(func.count()).select_from(SweepStatus)).one() >= 6:
                    break
            time.sleep(0.2)
    with read_session(sqlite_db.engine) as s:
        assert {r.last_instance for r in s.exec(select(SweepStatus)).all()} == {"web-1"}
