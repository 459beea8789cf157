"""Benchmark: add_workdays with the per-calendar index vs a naive day-by-day loop over chinese_calendar.

Run from the repository root:  python bench/calendar_bench.py [--append docs/benchmarks.md]
Both sides run in the same process on the same random start dates (2004-01-01..2026-10-31, n = 20);
the results are checked equal before timing is reported.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import chinese_calendar  # noqa: E402

from states.calendar import WorkCalendar  # noqa: E402
from states.calendar_notice import calendar_from_notices  # noqa: E402
from workflow.calendar.seed import seed_from_chinese_calendar  # noqa: E402

N_WORKDAYS = 20
N_STARTS = 2000
REPEATS = 5


def naive_add(d: date, n: int) -> date:
    """What a straightforward implementation does: step a day at a time asking the package."""
    while n:
        d += timedelta(days=1)
        if chinese_calendar.is_workday(d):
            n -= 1
    return d


def best_of(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    """Best wall time of several runs (seconds)."""
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--append", type=Path, help="append a markdown section to this file")
    args = parser.parse_args()

    rng = random.Random(20251125)
    first, last = date(2004, 1, 1).toordinal(), date(2026, 10, 31).toordinal()
    starts = [date.fromordinal(rng.randint(first, last)) for _ in range(N_STARTS)]

    notices = seed_from_chinese_calendar()
    special = [sd for n in notices for sd in n.special_days()]
    covered = [n.year for n in notices]
    build_s = statistics.median(
        best_of(lambda: WorkCalendar(special, covered), 1) for _ in range(REPEATS * 2)
    )
    tracemalloc.start()
    cal = calendar_from_notices(notices)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    expected = [naive_add(d, N_WORKDAYS) for d in starts]
    assert [cal.add_workdays(d, N_WORKDAYS).due for d in starts] == expected
    assert [cal.add_workdays_date(d, N_WORKDAYS) for d in starts] == expected

    naive_s = best_of(lambda: [naive_add(d, N_WORKDAYS) for d in starts], 3)
    full_s = best_of(lambda: [cal.add_workdays(d, N_WORKDAYS) for d in starts])
    fast_s = best_of(lambda: [cal.add_workdays_date(d, N_WORKDAYS) for d in starts])

    per = 1e6 / N_STARTS
    rows = [
        ("naive loop over chinese_calendar.is_workday", naive_s * per, 1.0),
        ("WorkCalendar.add_workdays (index + explanation)", full_s * per, naive_s / full_s),
        ("WorkCalendar.add_workdays_date (index, no explanation)", fast_s * per, naive_s / fast_s),
    ]
    machine = f"{platform.python_implementation()} {platform.python_version()}, {platform.system()} {platform.machine()}, {os.cpu_count()} cores"
    command = " ".join([sys.executable, *sys.argv])
    lines = [
        f"### Calendar: add_workdays(d, {N_WORKDAYS}) over {N_STARTS} random start dates (2004–2026)",
        "",
        f"Machine: {machine} (shared with other jobs; best of {REPEATS} runs, naive best of 3).",
        f"Command (from the repository root): `{command}`",
        "",
        "| Method | µs per call | Speed-up vs naive |",
        "|---|---:|---:|",
        *(f"| {name} | {us:.2f} | {ratio:.0f}× |" for name, us, ratio in rows),
        "",
        f"- Index build (2000-01-01..2100-12-31, {len(special)} special days, whole WorkCalendar): "
        f"median {build_s * 1e3:.1f} ms",
        f"- Index arrays: {cal.index_bytes() / 1024:.0f} KiB; peak traced allocation while building "
        f"one calendar: {peak / 1024:.0f} KiB",
        "- Results of all three methods checked equal before timing.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.append:
        header = "# Benchmarks\n\nMeasured claims, each with the command that produced it.\n\n"
        existing = args.append.read_text(encoding="utf-8") if args.append.exists() else header
        args.append.parent.mkdir(parents=True, exist_ok=True)
        args.append.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
