"""Benchmark: the go-live import of disclosure applications (.xlsx, 5% bad rows) into a fresh database.

Run from the repository root:
    python bench/golive_import_bench.py [--rows 2000] [--postgres URL] [--append docs/benchmarks.md]

Measured in one process on the same file: reading and checking alone (``workflow.golive.rows.parse_row``: the floor),
the import (``workflow.golive.run.import_file``: a transaction per chunk of rows, every step through the case engine
with the rows it makes held in the session and a chunk's rows inserted together — workflow.golive.buffer) into a
fresh SQLite file, the same file again (nothing added), two imports of it at once into two databases (two
processes: the most running rows side by side could give here), and the per-action baseline —
the first ``--baseline-rows``
good rows entered one step at a time as a clerk would (``actions.register`` + ``actions.act``, one transaction
each) — whose result the tests prove equal to the import's (tests/workflow/test_golive_import.py).
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import CPU, fresh, load_average, machine, publish, scratch_postgres, timed  # noqa: E402
from sqlmodel import func, select  # noqa: E402

from db.engine import read_session  # noqa: E402
from db.models import Clock, Disclosure, Event, Outbox  # noqa: E402
from tests.fixtures.golive_gen import rows, write_xlsx  # noqa: E402
from tests.golive_helpers import plans, replay  # noqa: E402
from tests.helpers import make_staff  # noqa: E402
from workflow.golive.rows import parse_row  # noqa: E402
from workflow.golive.run import import_file  # noqa: E402
from workflow.golive.source import read_rows  # noqa: E402

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # the tests' clock: every date of the generated file is before it


def parse_only(path: Path) -> int:
    written, data = read_rows(path)
    seen: dict[str, int] = {}
    return sum(1 for n, cells in data if parse_row(n, cells, written, tz="Asia/Shanghai", now=NOW,
                                                     source_no_seen=seen) is not None)


def counts(engine: Any) -> dict[str, int]:
    with read_session(engine) as s:
        return {m.__name__: int(s.exec(select(func.count()).select_from(m)).one())
                for m in (Disclosure, Clock, Event, Outbox)}


def run_import(label: str, url: str, tmp: Path, path: Path, n: int) -> dict[str, Any]:
    engine = fresh(url, tmp, NOW)
    leader = make_staff(engine, NOW).leader
    secs, report = timed(lambda: import_file(engine, path, leader, NOW), cpu_key=label)
    again, second = timed(lambda: import_file(engine, path, leader, NOW))
    made = counts(engine)
    assert second.created == 0 and made["Disclosure"] == report.created, "not idempotent"
    engine.dispose()
    return {"label": label, "secs": secs, "rate": n / secs, "cpu": CPU[label], "created": report.created,
            "errors": report.error_rows, "again": again, "counts": made}


def _one_of_two(url: str, tmp: str, path: str, ready: Any, out: Any) -> None:
    """One of two imports running at once, each into its own SQLite file (a worker process): it starts when both
    databases are ready and puts (start, end) in ``out``."""
    engine = fresh(url, Path(tmp), NOW)
    leader = make_staff(engine, NOW).leader
    ready.wait()
    start = time.perf_counter()
    import_file(engine, Path(path), leader, NOW)
    out.put((start, time.perf_counter()))


def two_at_once(tmp: Path, path: Path, n: int) -> tuple[float, float]:
    """Two processes importing the same file, each into a database of its own, at the same time: (rows/s in all,
    seconds from the first start to the last end) — what running rows side by side could give on this machine at
    today's CPU per row, before any coordination between them."""
    ctx = multiprocessing.get_context("spawn")
    ready, out = ctx.Barrier(2), ctx.Queue()
    workers = []
    for i in range(2):
        (tmp / f"two-{i}").mkdir()
        workers.append(ctx.Process(target=_one_of_two, args=(f"sqlite:///{tmp / f'two-{i}.db'}", str(tmp / f"two-{i}"),
                                                               str(path), ready, out)))
    for w in workers:
        w.start()
    done = [out.get(timeout=3600) for _ in workers]
    for w in workers:
        w.join()
    secs = max(end for _, end in done) - min(start for start, _ in done)
    return 2 * n / secs, secs


def profile_top(url: str, tmp: Path, path: Path) -> list[tuple[str, float]]:
    """Where an import's time goes (cumulative seconds of the main parts, under cProfile)."""
    engine = fresh(url, tmp, NOW)
    leader = make_staff(engine, NOW).leader
    prof = cProfile.Profile()
    prof.enable()
    import_file(engine, path, leader, NOW)
    prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    wanted = {"import_file": "the whole import", "parse_row": "reading and checking the rows",
              "_prepare": "registration: preparing (clocks, receipt notice)",
              "reserve_registration": "registration: number and ids",
              "take_step": "the steps through the case engine", "fire": "… of which: guards, handler, event",
              "fire_row": "… of which: the state machine (policy, guards)",
              "build_facts": "… of which: facts for the guards", "validate_assignee": "… of which: checking the officer",
              "_flush": "session flushes (the steps' updates), wherever they happen",
              "take_rows": "taking a row's new rows out of the session",
              "write": "inserting the held rows, events and notices, per chunk"}
    where = {"fire": "cases/engine", "write": "golive/buffer", "_flush": "orm/session"}
    out = []
    for (_file, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.items():
        if name in wanted and where.get(name, "") in _file:
            out.append((wanted[name], ct))
    engine.dispose()
    order = list(wanted.values())
    return sorted(out, key=lambda x: order.index(x[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--baseline-rows", type=int, default=200)
    parser.add_argument("--postgres", help="admin URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--append", type=Path, help="append a markdown section to this file")
    args = parser.parse_args()
    load_before = load_average()

    with tempfile.TemporaryDirectory(prefix="banli-bench-") as tmpdir:
        tmp = Path(tmpdir)
        data, bad = rows(args.rows, bad_fraction=0.05, seed=2026)
        path = write_xlsx(tmp / "taizhang.xlsx", data)
        parse_secs, parsed = timed(lambda: parse_only(path), cpu_key="parse")
        assert parsed == args.rows
        print(f"read + check only: {parse_secs:.2f} s ({args.rows / parse_secs:,.0f} rows/s)")

        results = [run_import("SQLite (file, WAL)", f"sqlite:///{tmp / 'bench.db'}", tmp, path, args.rows)]
        print(f"{results[0]['label']}: {results[0]['secs']:.1f} s, {results[0]['rate']:,.0f} rows/s")

        # Baseline: good rows entered by hand, one action per transaction (actions.register, actions.act).
        engine = fresh(f"sqlite:///{tmp / 'baseline.db'}", tmp, NOW)
        staff = make_staff(engine, NOW)
        good = [r for i, r in enumerate(data) if i + 2 not in bad][: args.baseline_rows]
        sample = plans(write_xlsx(tmp / "good.xlsx", good), NOW)
        base_secs, _ = timed(lambda: [replay(engine, p, staff.leader, NOW, staff.officer.id if p.assignee else None)
                                      for p in sample], cpu_key="baseline")
        base_rate = len(sample) / base_secs
        engine.dispose()
        print(f"per-action baseline: {len(sample)} rows in {base_secs:.1f} s ({base_rate:,.0f} rows/s)")

        profile = profile_top(f"sqlite:///{tmp / 'profile.db'}", tmp, write_xlsx(tmp / "p.xlsx", data[:300]))
        pair_rate, pair_secs = two_at_once(tmp, path, args.rows)
        print(f"two imports at once: {pair_rate:,.0f} rows/s in all")

        if args.postgres:
            with scratch_postgres(args.postgres) as url:
                results.append(run_import("PostgreSQL (local)", url, tmp, path, args.rows))
                print(f"{results[-1]['label']}: {results[-1]['secs']:.1f} s, {results[-1]['rate']:,.0f} rows/s")

    load = load_average()
    made = results[0]["counts"]
    lines = [
        "",
        f"### Go-live import of disclosure applications: {args.rows:,}-row .xlsx ({len(bad):,} bad rows, 5%)",
        "",
        machine(f"1-minute load average {load_before:.1f} at the start of the run, {load:.1f} at its end"),
        "Command (from the repository root): `.venv/bin/python bench/golive_import_bench.py"
        + f" --rows {args.rows} --baseline-rows {args.baseline_rows}"
        + (" --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres" if args.postgres else "")
        + " --append docs/benchmarks.md`",
        "",
        "| Step | Wall s | Rows/s (wall) | CPU s of this process | Rows/s (CPU) | vs per-action entry |",
        "|---|---:|---:|---:|---:|---:|",
        f"| read + check only (`parse_row`) | {parse_secs:.2f} | {args.rows / parse_secs:,.0f} | "
        f"{CPU['parse']:.2f} | {args.rows / CPU['parse']:,.0f} | |",
    ]
    for r in results:
        lines.append(f"| import, {r['label']} | {r['secs']:.1f} | **{r['rate']:,.0f}** | {r['cpu']:.1f} | "
                     f"{args.rows / r['cpu']:,.0f} | {r['rate'] / base_rate:.1f}× |")
        lines.append(f"| same file again, {r['label']} (adds nothing) | {r['again']:.1f} | "
                     f"{args.rows / r['again']:,.0f} | | | |")
    lines += [
        f"| baseline: entered step by step (`actions.register` + `actions.act`), SQLite ({len(sample):,} rows) | "
        f"{base_secs:.1f} | {base_rate:,.0f} | {CPU['baseline']:.1f} | {len(sample) / CPU['baseline']:,.0f} | 1× |",
        f"| two imports of the file at once, each into its own SQLite file (two processes), rows of both | "
        f"{pair_secs:.1f} | {pair_rate:,.0f} | | | |",
        "",
        f"- {results[0]['created']:,} applications created ({made['Clock']:,} clocks, {made['Event']:,} events, "
        f"{made['Outbox']:,} notices — about {made['Event'] / max(results[0]['created'], 1):.1f} steps per "
        f"application); {results[0]['errors']:,} rows reported with reasons.",
        "- Where the time goes (cProfile, 300 rows, cumulative seconds — profiling roughly doubles them):",
        "",
        "| Part | s |",
        "|---|---:|",
        *[f"| {label} | {secs:.2f} |" for label, secs in profile],
    ]
    publish(lines, args.append)


if __name__ == "__main__":
    main()
