"""Benchmark: the deadline sweeps over 100,000 open cases on PostgreSQL, and two workers over 10,000 reminders.

Part 1 — one database with ``--cases`` open applications (reply clocks bulk-inserted with Core; due
dates spread over the next 30 working days, 2 % overdue by 1–10 working days; 200 officers, 2 leaders).
Timed, in one process: the reminders + escalation sweeps

- ``catch-up pass`` on Monday 2026-11-09 10:00: the first pass over the whole backlog (every clock at a
  rung gets its reminder, every overdue clock its breach time and levels: the most work a pass can do);
- ``steady pass`` one minute later: nothing new — the cost of deciding, paid every minute;
- ``next-day pass`` Tuesday 10:00: the rungs reached and levels due overnight.

Baseline (same process, same data): the naive way — load every open clock and compute working days
left per row in Python — only the decision, nothing written.

Part 2 — a fresh database with ``--reminders`` clocks due 0–5 working days ahead and a real SMTP
server (aiosmtpd): one ``banli worker --once`` process (baseline), then two in parallel on a fresh
copy of the same backlog; every Message-ID counted.

Usage (from the repository root):

    PYTHONPATH=. /work/main/.venv/bin/python bench/scheduler_bench.py [--cases 100000] [--reminders 10000]
        [--append docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import machine, publish, scratch_postgres  # noqa: E402

from db.engine import make_engine, read_session  # noqa: E402
from db.models import Clock, Outbox  # noqa: E402
from settings import Settings  # noqa: E402
from tests.fixtures.backlog import add_cases, add_leaders, add_officers  # noqa: E402
from workflow.agencies.bootstrap import ensure_database  # noqa: E402
from workflow.calendar.service import load_calendar  # noqa: E402
from workflow.sweeps.run import escalate, remind  # noqa: E402
from workflow.timesource import local_dt  # noqa: E402

PG_ADMIN = os.environ.get("BANLI_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MONDAY = date(2026, 11, 9)
NOW = local_dt(2026, 11, 9, 10)


@contextmanager
def database(tag: str) -> Iterator[tuple[str, Engine]]:
    with scratch_postgres(PG_ADMIN, f"banli_bench_{tag}") as url:
        eng = make_engine(url, pool_size=4)
        tmp = Path(tempfile.mkdtemp(prefix="banli-bench-"))
        ensure_database(eng, Settings(database_url=url, var_dir=tmp, secret_key="bench-secret-key-0123456789"),
                        now=NOW)
        try:
            yield url, eng
        finally:
            eng.dispose()


def _analyze(url: str) -> None:
    e = create_engine(url, isolation_level="AUTOCOMMIT")
    with e.connect() as c:
        c.execute(text("VACUUM ANALYZE"))
    e.dispose()


def prepare_backlog(engine: Engine, n: int) -> float:
    with read_session(engine) as s:
        cal = load_calendar(s)
    rnd = random.Random(11)
    back, d = [MONDAY], MONDAY
    while len(back) < 11:  # MONDAY and the 10 working days before it
        d -= timedelta(days=1)
        if cal.is_workday(d):
            back.append(d)
    dues = [back[rnd.randint(1, 10)] if rnd.random() < 0.02 else cal.add_workdays_date(MONDAY, rnd.randint(0, 30))
            for _ in range(n)]
    t = time.perf_counter()
    officers = add_officers(engine, 1, 200, NOW)
    add_leaders(engine, 1, 2, NOW)
    add_cases(engine, 1, dues, officers, NOW, base=MONDAY - timedelta(days=40))
    return time.perf_counter() - t


def sweep_pass(engine: Engine, now: Any) -> tuple[float, dict[str, int]]:
    t = time.perf_counter()
    a = remind(engine, now, instance="bench", time_budget_s=600)
    b = escalate(engine, now, instance="bench", time_budget_s=600)
    elapsed = time.perf_counter() - t
    done = {k: v for k, v in {**a.done, **b.done}.items() if k in ("reminded", "breached", "urge", "supervise",
                                                                     "notices")}
    return elapsed, done


@contextmanager
def copy_of(url: str, engine: Engine) -> Iterator[Engine]:
    """A copy of the database at ``url`` (``CREATE DATABASE … TEMPLATE``: ``engine``'s connections are closed
    first), as an engine; dropped afterwards."""
    engine.dispose()
    name = make_url(url).database
    with scratch_postgres(PG_ADMIN, f"{name}_twin", template=name) as twin_url:
        eng = make_engine(twin_url, pool_size=4)
        try:
            yield eng
        finally:
            eng.dispose()


def concurrent_pass(engine: Engine, now: Any) -> tuple[float, dict[str, int]]:
    """Reminders and escalation at once, each in a thread of its own — as the scheduler's jobs run them (the loop's
    thread pool; escalation first due 2.0 s after start, reminders 2.5 s: a catch-up after downtime runs both)."""
    done: dict[str, Any] = {}

    def job(name: str, fn: Any) -> None:
        done[name] = fn(engine, now, instance=f"bench-{name}", time_budget_s=600)

    threads = [threading.Thread(target=job, args=(n, f)) for n, f in (("reminders", remind), ("escalation", escalate))]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    merged = {**done["reminders"].done, **done["escalation"].done}
    return elapsed, {k: v for k, v in merged.items() if k in ("reminded", "breached", "urge", "supervise", "notices")}


def naive_decision(engine: Engine) -> tuple[float, int]:
    """Baseline: load every open clock, compute working days left per row in Python (nothing written)."""
    t = time.perf_counter()
    with read_session(engine) as s:
        cal = load_calendar(s)
        rows = s.execute(select(Clock.id, Clock.due_date, Clock.deadline_version, Clock.reminded_rung,  # type: ignore[call-overload]
                                Clock.reminded_version).where(Clock.status == "running")).all()
    due = 0
    for r in rows:
        w = cal.workdays_between(MONDAY, r.due_date)
        rung = next((x for x in (0, 1, 3, 5) if w <= x), None)
        if rung is not None and not (r.reminded_version == r.deadline_version and (r.reminded_rung or 99) <= rung):
            due += 1
    return time.perf_counter() - t, due


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def part1(n: int) -> list[str]:
    with database("sweeps") as (url, engine):
        load = prepare_backlog(engine, n)
        log(f"loaded {n} in {load:.1f}s")
        _analyze(url)
        naive_s, naive_due = naive_decision(engine)
        log(f"naive {naive_s:.2f}s")
        with copy_of(url, engine) as twin:  # the same backlog for the pass as the scheduler runs it
            first_s, first = sweep_pass(engine, NOW)
            log(f"catch-up {first_s:.2f}s {first}")
            par_s, par = concurrent_pass(twin, NOW)
            log(f"catch-up, sweeps at once {par_s:.2f}s {par}")
        _analyze(url)
        steady_s, steady = sweep_pass(engine, NOW + timedelta(minutes=1))
        log(f"steady {steady_s:.2f}s {steady}")
        naive2_s, _ = naive_decision(engine)
        next_s, nxt = sweep_pass(engine, local_dt(2026, 11, 10, 10))
        log(f"next day {next_s:.2f}s {nxt}")
        with read_session(engine) as s:
            outbox = s.execute(select(func.count()).select_from(Outbox)).scalar_one()
    lines = [
        f"Run: {n:,} open applications (reply clocks; due over the next 30 working days, 2 % overdue by 1–10 "
        f"working days), 200 officers, 2 leaders (+ the bootstrap admin); bulk load {load:.1f} s; "
        f"{outbox:,} outbox rows written in total.",
        "",
        "| pass (reminders + escalation sweeps) | seconds | work done | target |",
        "|---|---:|---|---|",
        f"| naive baseline: load every open clock, Python arithmetic per row (decision only, {naive_due:,} due) "
        f"| {naive_s:.2f} | nothing written | — |",
        f"| catch-up pass, Monday 10:00 (first pass over the whole backlog) | {first_s:.2f} | {_fmt(first)} | "
        f"< 15 s: {'ok' if first_s < 15 else 'MISSED'} |",
        f"| the same catch-up as the scheduler runs it (reminders and escalation at once, two threads; a copy of the "
        f"backlog) | {par_s:.2f} | {_fmt(par)} | < 15 s: {'ok' if par_s < 15 else 'MISSED'} |",
        f"| steady pass, one minute later (decide only) | {steady_s:.2f} | {_fmt(steady) or 'nothing new'} | "
        f"< 5 s: {'ok' if steady_s < 5 else 'MISSED'} |",
        f"| naive baseline again (same state) | {naive2_s:.2f} | nothing written | — |",
        f"| next-day pass, Tuesday 10:00 | {next_s:.2f} | {_fmt(nxt)} | < 5 s: {'ok' if next_s < 5 else 'MISSED'} |",
        "",
        f"Steady pass vs naive decision: ×{naive2_s / steady_s:.1f} faster.",
    ]
    return lines


def _fmt(done: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in done.items() if v)


def _workers(url: str, port: int, count: int, tmp: Path) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANLI_")}
    env.update(BANLI_DATABASE_URL=url, BANLI_VAR_DIR=str(tmp), BANLI_SECRET_KEY="bench-secret-key-0123456789",
               BANLI_SMTP_HOST="127.0.0.1", BANLI_SMTP_PORT=str(port), BANLI_MAIL_FROM="gongkai@example.gov.cn",
               PYTHONPATH=str(ROOT))
    t = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", "import sys, app; sys.exit(app.main())", "worker", "--once",
                               "--instance", f"w{i}", "--now", NOW.isoformat()], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for i in range(count)]
    for p in procs:
        _, err = p.communicate(timeout=1800)
        if p.returncode:
            raise SystemExit(f"worker failed: {err.decode()[-2000:]}")
    return time.perf_counter() - t


def part2(n: int) -> list[str]:
    from aiosmtpd.controller import Controller

    from tests.smtp_sink import Sink, free_port

    results = []
    for count in (1, 2):
        sink, port = Sink(), free_port()
        ctl = Controller(sink, hostname="127.0.0.1", port=port)
        ctl.start()
        try:
            with database(f"workers{count}") as (url, engine):
                with read_session(engine) as s:
                    cal = load_calendar(s)
                dues = [cal.add_workdays_date(MONDAY, i % 6) if i % 6 else MONDAY for i in range(n)]
                add_cases(engine, 1, dues, add_officers(engine, 1, 50, NOW), NOW, base=MONDAY - timedelta(days=28))
                _analyze(url)
                elapsed = _workers(url, port, count, Path(tempfile.mkdtemp(prefix="banli-bench-w-")))
        finally:
            ctl.stop()
        ids = sink.ids()
        results.append((count, elapsed, len(ids), len(set(ids))))
    base = results[0][1]
    lines = ["| `banli worker --once` processes | seconds | messages | distinct Message-IDs | reminders/s | ratio |",
             "|---:|---:|---:|---:|---:|---:|"]
    for count, elapsed, msgs, distinct in results:
        lines.append(f"| {count} | {elapsed:.1f} | {msgs:,} | {distinct:,} | {n / elapsed:.0f} | ×{base / elapsed:.2f} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--reminders", type=int, default=10_000)
    ap.add_argument("--skip-workers", action="store_true")
    ap.add_argument("--append", type=Path)
    args = ap.parse_args()
    out = ["", "### Deadline sweeps: 100,000 open cases; two workers over 10,000 reminders (PostgreSQL)", "",
           machine("figures move run to run"),
           "Command (from the repository root): `PYTHONPATH=. /work/main/.venv/bin/python bench/scheduler_bench.py "
           "--append docs/benchmarks.md`", ""]
    out += part1(args.cases)
    if not args.skip_workers:
        out += ["", f"Two workers, {args.reminders:,} reminders due (0–5 working days ahead), real SMTP (aiosmtpd in "
                    "the bench process): decide, enqueue, render and deliver; each run on a fresh database.", ""]
        out += part2(args.reminders)
    publish(out, args.append)


if __name__ == "__main__":
    main()
