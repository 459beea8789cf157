"""Benchmark (issue 21): the leader's home page ``/leader`` through HTTP at two data sizes in one run, and the
figures it and the report pages read — from the maintained summaries (workflow.tally) and, for comparison, from
the raw tables.

Fills a fresh, migrated database with ``report_bench.generate``'s applications and reply clocks (COPY on
PostgreSQL, executemany on SQLite) over ``--agencies`` agencies, builds the summaries with the rebuild
(``banli stats rebuild``), serves the app with uvicorn on loopback in a process of its own, logs in as agency 1's
leader and times ``--requests`` GETs of ``/leader``; then adds applications up to ``--factor`` × the first size and
does it again. Also times, in process, ``build_dashboard``, the leaders' statistics and the annual report of one
agency and of all agencies, each from the summaries and from the raw tables. Usage (from the checkout's root):

    python bench/leader_page_bench.py [--rows 20000] [--factor 10] [--agencies 20] [--requests 40]
                                      [--pg postgresql+psycopg://postgres@127.0.0.1/postgres] [--doc docs/benchmarks.md]
                                      [--keep]

Without ``--pg`` the database is a SQLite file in a temporary directory; with it, a scratch database made through
that admin URL (dropped afterwards).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import report_bench
from _common import fresh, load_average, machine, publish, scratch_postgres
from login_flood_bench import start_server
from sqlalchemy import Engine, TypeDecorator, insert
from sqlmodel import SQLModel

from db.engine import read_session
from settings import Settings
from tests.helpers import make_staff
from workflow.reports.annual import annual_report, stats_for_leaders
from workflow.reports.dashboard import build_dashboard
from workflow.reports.stats import Period
from workflow.reports.supervision import agencies_overview
from workflow.tally.rebuild import rebuild

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # the server's "now": the generator's last day
TODAY = date(2026, 11, 20)
D = SQLModel.metadata.tables["disclosure"]
K = SQLModel.metadata.tables["clock"]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _settings(url: str, tmp: Path) -> Settings:
    return Settings(database_url=url, var_dir=tmp, secret_key="bench-secret-key-0123456789", scheduler="off",
                    check_templates_on_start=False)


def agencies_and_officers(engine: Engine, agencies: int) -> dict[int, list[tuple[int, int]]]:
    """Agencies 2..n beside the bootstrapped one (id 1), each with 3 units of 2 officers (report_bench's shape)."""
    with engine.begin() as conn:
        return report_bench.agencies_with_officers(conn, agencies, T0, existing=1)


def _converters(table: Any, cols: list[str]) -> list[Callable[[str], Any]]:
    """COPY text → Python values for a Core insert (SQLite)."""
    out: list[Callable[[str], Any]] = []
    for c in cols:
        t = table.c[c].type
        t = t.impl if isinstance(t, TypeDecorator) else t
        try:
            py = t.python_type
        except NotImplementedError:
            py = str
        if py is bool:
            out.append(lambda v: v == "t")
        elif py is int:
            out.append(int)
        elif py is date:
            out.append(date.fromisoformat)
        elif py is datetime:
            out.append(lambda v: datetime.fromisoformat(v + ":00" if v.endswith("+00") else v))
        elif py in (dict, list):
            out.append(json.loads)
        else:
            out.append(str)
    return out


def _rows(table: Any, cols: list[str], lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    conv = _converters(table, cols)
    for line in lines:
        yield {c: (None if v == "\\N" else f(v)) for c, f, v in zip(cols, conv, line.split("\t"), strict=True)}


def load(engine: Engine, url: str, first: int, last: int, agencies: int,
         users: dict[int, list[tuple[int, int]]]) -> float:
    """Applications ``first``..``last`` with their reply clocks; seconds taken."""
    t0 = time.perf_counter()
    if url.startswith("postgresql"):
        _copy(url, first, last, agencies, users)
    else:
        pairs = list(report_bench.generate(last, agencies, users, first=first))
        _insert(engine, [d for d, _ in pairs], [c for _, c in pairs if c])
    return time.perf_counter() - t0


def _copy(url: str, first: int, last: int, agencies: int, users: dict[int, list[tuple[int, int]]]) -> None:
    """PostgreSQL: COPY streamed, with the secondary indexes dropped and rebuilt (``report_bench.copy_generated``),
    then VACUUM ANALYZE (the planner sees the new rows)."""
    import psycopg

    pg = url.replace("postgresql+psycopg://", "postgresql://", 1)
    report_bench.copy_generated(pg, last, agencies, users, first=first)
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE disclosure")
        conn.execute("VACUUM ANALYZE clock")


def _insert(engine: Engine, cases: list[str], clocks: list[str]) -> None:
    """SQLite: Core inserts of 5,000 rows a transaction, then ANALYZE."""
    for table, cols, lines in ((D, report_bench.D_COLS, cases), (K, report_bench.C_COLS, clocks)):
        batch: list[dict[str, Any]] = []
        for row in _rows(table, cols, iter(lines)):
            batch.append(row)
            if len(batch) >= 5000:
                with engine.begin() as sa:
                    sa.execute(insert(table), batch)
                batch = []
        if batch:
            with engine.begin() as sa:
                sa.execute(insert(table), batch)
    with engine.begin() as sa:
        sa.exec_driver_sql("ANALYZE")


def _serve(root: str, port: int, url: str, tmp: str) -> None:
    sys.path.insert(0, root)
    import uvicorn

    from db.engine import make_engine
    from web.app import create_app
    from workflow.timesource import FixedTime

    engine = make_engine(url)
    uvicorn.run(create_app(_settings(url, Path(tmp)), engine, FixedTime(T0), run_scheduler=False),
                host="127.0.0.1", port=port, log_level="warning")


def leader_client(base: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=120)
    token = CSRF.search(c.get("/login").text)
    assert token, "no CSRF token on /login"
    r = c.post("/login", data={"username": "default-leader", "password": "password123", "csrf_token": token[1]})
    assert r.status_code == 303, r.text[:500]
    return c


def _p(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def time_leader(c: httpx.Client, requests: int) -> tuple[float, float]:
    """(median, p95) ms of GET /leader, after two warm-up requests."""
    for _ in range(2):
        assert c.get("/leader").status_code == 200
    took = []
    for _ in range(requests):
        t = time.perf_counter()
        r = c.get("/leader")
        took.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    return statistics.median(took), _p(took, 95)


def time_call(fn: Callable[[], Any], runs: int = 7) -> tuple[float, float, float]:
    """(median, p95, max) ms of ``runs`` calls after one warm-up."""
    fn()
    took = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        took.append((time.perf_counter() - t) * 1000)
    return statistics.median(took), _p(took, 95), max(took)


def reads(engine: Engine) -> list[tuple[str, float, float, float, float, float]]:
    """(what, summaries median, p95, max, raw median, raw max) in ms; each pair checked equal first."""
    p = Period(date(TODAY.year, 1, 1), TODAY)
    out = []
    with read_session(engine) as s:
        calls: list[tuple[str, Callable[[bool], Any]]] = []
        for label, scope in (("one agency", 1), ("all agencies", None)):
            calls.append((f"leaders' statistics, {label}",
                          functools.partial(lambda on, sc: stats_for_leaders(s, sc, p, summaries=on), sc=scope)))
            calls.append((f"annual report 2025, {label}",
                          functools.partial(lambda on, sc: annual_report(s, sc, 2025, summaries=on).table3.values,
                                            sc=scope)))
        calls.append(("build_dashboard, one agency",
                      lambda on: build_dashboard(s, 1, now=T0, today=TODAY, tz="Asia/Shanghai", summaries=on)))
        end_of_today, end_of_week = datetime(2026, 11, 20, 16, 0, tzinfo=UTC), datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
        calls.append(("supervisor overview (the dashboard of all agencies)",
                      lambda on: agencies_overview(s, now=T0, end_of_today=end_of_today, end_of_week=end_of_week,
                                                   summaries=on)))
        for name, fn in calls:
            assert fn(True) == fn(False), name
            # the summaries timed 20 times (the max is at least the p95), the raw cross-check 5 times
            raw_median, _, raw_max = time_call(functools.partial(fn, False), runs=5)
            out.append((name, *time_call(functools.partial(fn, True), runs=20), raw_median, raw_max))
    return out


def measure(engine: Engine, url: str, tmp: Path, requests: int) -> dict[str, Any]:
    t = time.perf_counter()
    done = rebuild(engine)
    rebuilt = time.perf_counter() - t
    with engine.begin() as conn:  # what autovacuum does soon after a bulk change: the planner sees the new rows
        conn.exec_driver_sql("ANALYZE case_tally")
    base, proc = start_server(_serve, (url, str(tmp)))
    try:
        c = leader_client(base)
        try:
            med, p95 = time_leader(c, requests)
        finally:
            c.close()
    finally:
        proc.kill()
        proc.join()
    return {"rebuild_s": rebuilt, "cells": done.cells, "leader": (med, p95), "reads": reads(engine),
            "load": load_average()}


def run(url: str, tmp: Path, rows: int, factor: int, agencies: int, requests: int) -> list[dict[str, Any]]:
    engine = fresh(url, tmp, T0)
    make_staff(engine, T0)
    users = agencies_and_officers(engine, agencies)
    results = []
    first = 1
    for size in (rows, rows * factor):
        loaded = load(engine, url, first, size, agencies, users)
        print(f"{size:,} applications loaded (+{size - first + 1:,} in {loaded:.1f} s)", flush=True)
        r = measure(engine, url, tmp, requests)
        r.update(size=size, load_s=loaded)
        print(f"  /leader p50 {r['leader'][0]:.1f} ms p95 {r['leader'][1]:.1f} ms; rebuild {r['rebuild_s']:.1f} s "
              f"({r['cells']:,} summary rows); load average {r['load']:.2f}", flush=True)
        results.append(r)
        first = size + 1
    engine.dispose()
    return results


def report(results: list[dict[str, Any]], db: str, agencies: int, requests: int) -> list[str]:
    small, big = results
    lines = [f"\n### Leader page from the summaries: {small['size']:,} and {big['size']:,} applications, {db}, "
             f"{agencies} agencies ({datetime.now(UTC):%Y-%m-%d})", "",
             "Command: `python bench/leader_page_bench.py " + " ".join(sys.argv[1:]) + "`  ",
             machine(f"load average {small['load']:.1f} / {big['load']:.1f} during the two rounds"), "",
             f"| measure | {small['size']:,} | {big['size']:,} | ratio |", "|---|---:|---:|---:|"]
    lines.append(f"| `/leader` through HTTP, median ms ({requests} GETs) | {small['leader'][0]:.1f} | "
                 f"{big['leader'][0]:.1f} | {big['leader'][0] / small['leader'][0]:.2f} |")
    lines.append(f"| `/leader` through HTTP, p95 ms | {small['leader'][1]:.1f} | {big['leader'][1]:.1f} | "
                 f"{big['leader'][1] / small['leader'][1]:.2f} |")
    lines.append(f"| `banli stats rebuild` (all agencies), s | {small['rebuild_s']:.1f} | {big['rebuild_s']:.1f} | "
                 f"{big['rebuild_s'] / small['rebuild_s']:.2f} |")
    lines.append(f"| summary rows | {small['cells']:,} | {big['cells']:,} | |")
    for (name, sm, sp, sx, rm, rx), (_, bsm, bsp, bsx, brm, brx) in zip(small["reads"], big["reads"], strict=True):
        lines.append(f"| {name}: summaries median / p95 (max) ms | {sm:.1f} / {sp:.1f} ({sx:.1f}) | "
                     f"{bsm:.1f} / {bsp:.1f} ({bsx:.1f}) | {bsm / sm:.2f} |")
        lines.append(f"| {name}: raw tables median (max) ms | {rm:.1f} ({rx:.1f}) | {brm:.1f} ({brx:.1f}) | "
                     f"{brm / rm:.2f} |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000, help="applications of the first round")
    ap.add_argument("--factor", type=int, default=10, help="the second round has this many times as many")
    ap.add_argument("--agencies", type=int, default=20)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--pg", metavar="ADMIN_URL", help="PostgreSQL: a scratch database made through this URL")
    ap.add_argument("--doc", type=Path, help="append the section to this markdown file")
    ap.add_argument("--keep", action="store_true", help="PostgreSQL: keep the database afterwards (its name is printed)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="banli-leader-") as d:
        tmp = Path(d)
        if args.pg:
            with scratch_postgres(args.pg, "banli_bench_leader", keep=args.keep) as url:
                results = run(url, tmp, args.rows, args.factor, args.agencies, args.requests)
                db = "PostgreSQL"
        else:
            results = run(f"sqlite:///{tmp}/banli.db", tmp, args.rows, args.factor, args.agencies, args.requests)
            db = "SQLite"
    publish(report(results, db, args.agencies, args.requests), args.doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
