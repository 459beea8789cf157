"""Benchmark: importing a 12345 platform export (.xlsx, 5% bad rows) into a fresh database.

Run from the repository root:
    python bench/hotline_import_bench.py [--rows 100000] [--postgres URL] [--append docs/benchmarks.md]

Measured in one process on the same file: parsing alone (the floor: ``iter_records``), the batch import
(``workflow.hotline.batch.import_file``: batches of 500, Core bulk inserts) into a fresh SQLite file,
the same file again (idempotent: nothing added), and the per-row baseline (``workflow.hotline.actions.intake``,
one ORM transaction per order) on the first ``--baseline-rows`` good rows of the file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import CPU, fresh, load_average, machine, publish, scratch_postgres, timed  # noqa: E402
from sqlmodel import func, select  # noqa: E402

from db.engine import read_session  # noqa: E402
from db.models import Clock, WorkOrder  # noqa: E402
from tests.fixtures.hotline_gen import make_xlsx  # noqa: E402
from workflow.accounts.principal import system  # noqa: E402
from workflow.hotline.actions import intake  # noqa: E402
from workflow.hotline.batch import import_file  # noqa: E402
from workflow.hotline.records import iter_records  # noqa: E402

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # after every receipt time in the generated file


def counts(engine: Any) -> tuple[int, int]:
    with read_session(engine) as s:
        return (int(s.exec(select(func.count()).select_from(WorkOrder)).one()),
                int(s.exec(select(func.count()).select_from(Clock)).one()))


def run_import(label: str, url: str, tmp: Path, path: Path, rows: int) -> dict[str, Any]:
    engine = fresh(url, tmp, NOW)
    actor = system(1, "基准测试导入")
    secs, report = timed(lambda: import_file(engine, path, None, actor, NOW), cpu_key=label)
    again, second = timed(lambda: import_file(engine, path, None, actor, NOW))
    orders, clocks = counts(engine)
    assert (report.created, second.created, orders) == (rows - report.error_rows, 0, report.created), "not idempotent"
    engine.dispose()
    return {"label": label, "secs": secs, "rate": rows / secs, "cpu": CPU[label], "created": report.created,
            "errors": report.error_rows, "again": again, "clocks": clocks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    parser.add_argument("--postgres", help="admin URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--append", type=Path, help="append a markdown section to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="banli-bench-") as tmpdir:
        tmp = Path(tmpdir)
        path = tmp / "export.xlsx"
        gen_secs, manifest = timed(lambda: make_xlsx(path, args.rows, bad_fraction=0.05, seed=2026))
        size_mb = path.stat().st_size / 1e6
        print(f"generated {args.rows} rows ({len(manifest)} bad) in {gen_secs:.1f} s, {size_mb:.1f} MB")

        parse_secs, parsed = timed(lambda: sum(1 for _ in iter_records(path)), cpu_key="parse")
        assert parsed == args.rows
        print(f"parse only: {parse_secs:.1f} s ({args.rows / parse_secs:,.0f} rows/s)")

        results = [run_import("SQLite (file, WAL)", f"sqlite:///{tmp / 'bench.db'}", tmp, path, args.rows)]
        print(f"{results[0]['label']}: {results[0]['secs']:.1f} s, {results[0]['rate']:,.0f} rows/s")

        # Baseline: the same orders one by one through intake (one ORM transaction each).
        engine = fresh(f"sqlite:///{tmp / 'baseline.db'}", tmp, NOW)
        actor = system(1, "基准测试逐条")
        sample = [r.record for r in iter_records(path) if r.record is not None][: args.baseline_rows]
        base_secs, _ = timed(lambda: [intake(engine, rec, actor, NOW, source="import") for rec in sample],
                             cpu_key="baseline")
        base_rate = len(sample) / base_secs
        engine.dispose()
        print(f"per-row intake baseline: {len(sample)} orders in {base_secs:.1f} s ({base_rate:,.0f} rows/s)")

        if args.postgres:
            with scratch_postgres(args.postgres) as url:
                results.append(run_import("PostgreSQL (local)", url, tmp, path, args.rows))
                print(f"{results[-1]['label']}: {results[-1]['secs']:.1f} s, {results[-1]['rate']:,.0f} rows/s")

    load = load_average()
    lines = [
        "",
        f"### 12345 import: {args.rows:,}-row .xlsx ({len(manifest):,} bad rows, 5%) into a fresh database",
        "",
        machine(f"1-minute load average {load:.1f} at the end of the run"),
        "Command (from the repository root): `/work/main/.venv/bin/python bench/hotline_import_bench.py"
        + (" --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres" if args.postgres else "")
        + " --append docs/benchmarks.md`",
        "",
        "| Step | Wall s | Rows/s (wall) | CPU s of this process | Rows/s (CPU) | vs per-row intake |",
        "|---|---:|---:|---:|---:|---:|",
        f"| parse + check only (`iter_records`) | {parse_secs:.1f} | {args.rows / parse_secs:,.0f} | "
        f"{CPU['parse']:.1f} | {args.rows / CPU['parse']:,.0f} | |",
    ]
    for r in results:
        lines.append(f"| batch import, {r['label']} | {r['secs']:.1f} | **{r['rate']:,.0f}** | {r['cpu']:.1f} | "
                     f"{args.rows / r['cpu']:,.0f} | {r['rate'] / base_rate:.0f}× |")
        lines.append(f"| same file again, {r['label']} (adds nothing) | {r['again']:.1f} | "
                     f"{args.rows / r['again']:,.0f} | | | |")
    lines += [
        f"| baseline: `intake` per row, SQLite ({len(sample):,} orders) | {base_secs:.1f} | {base_rate:,.0f} | "
        f"{CPU['baseline']:.1f} | {len(sample) / CPU['baseline']:,.0f} | 1× |",
        "",
        f"- {results[0]['created']:,} orders created with 3 clocks each ({results[0]['clocks']:,} clock rows), "
        f"one cycle row and one audit event each; {results[0]['errors']:,} rows reported with reasons.",
        "- Rows/s counts every row of the file (good and bad). Batches of 500 rows, one transaction each.",
        "- CPU s is `time.process_time()` of the importing process (PostgreSQL's own work is not in it); on this",
        "  shared machine wall time depends on the other jobs, CPU time much less.",
        f"- File generation (not timed above): {gen_secs:.1f} s, {size_mb:.1f} MB.",
    ]
    publish(lines, args.append)


if __name__ == "__main__":
    main()
