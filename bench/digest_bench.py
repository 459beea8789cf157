"""Benchmark: the leaders' daily digest of one agency with 150,000 due cases, on PostgreSQL (issue 21).

Before the digest was bounded, ``case_refs`` put every due case id of the agency into one ``IN (…)`` list:
past 65,535 ids PostgreSQL refused the statement every day for every leader, and below that one notice enumerated
every case. This bench loads ``--cases`` open applications into one agency, all of them due — a third overdue by 1–10
working days, a third due today, a third due within 3 working days — plus ``--leaders`` leaders with addresses
(bulk-inserted, one JSON parameter per 5,000 rows: ``tests.fixtures.backlog``), then on Monday 2026-11-09 08:45 (the
digest time is 08:30) runs the digest sweep once and the outbox once (no SMTP host: each message is written as an
``.eml`` file, whose size is the size of what a leader receives).

Reported: the load time, the digest sweep's wall and CPU seconds, notices written (one per leader, expected), the
stored context of a notice (JSON bytes), the rows it lists and the totals it states, the rendered HTML and the whole
message (bytes), and the machine's load average before and after.

Usage (from the repository root):

    PYTHONPATH=. /work/main/.venv/bin/python bench/digest_bench.py [--cases 150000] [--leaders 3]
        [--append docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import fresh, load_average, machine, publish, scratch_postgres  # noqa: E402

from db.engine import read_session  # noqa: E402
from db.models import Outbox  # noqa: E402
from notifications.outbox import deliver_due  # noqa: E402
from notifications.render import render  # noqa: E402
from settings import Settings  # noqa: E402
from tests.fixtures.backlog import add_cases, add_leaders, add_officers  # noqa: E402
from workflow.calendar.service import load_calendar  # noqa: E402
from workflow.sweeps.base import load_agencies  # noqa: E402
from workflow.sweeps.digest import DIGEST_ROWS  # noqa: E402
from workflow.sweeps.run import digest  # noqa: E402
from workflow.timesource import local_dt  # noqa: E402

PG_ADMIN = os.environ.get("BANLI_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MONDAY = date(2026, 11, 9)
NOW = local_dt(2026, 11, 9, 8, 45)  # a working day, after the default digest time 08:30


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _due_dates(engine: Engine, n: int) -> list[date]:
    """A third overdue by 1–10 working days, a third due today, a third due in 1–3 working days (shuffled)."""
    with read_session(engine) as s:
        cal = load_calendar(s)
    back: list[date] = []
    d = MONDAY
    while len(back) < 10:
        d -= timedelta(days=1)
        if cal.is_workday(d):
            back.append(d)
    rnd = random.Random(21)
    dues = [back[rnd.randint(0, 9)] if i % 3 == 0 else MONDAY if i % 3 == 1
            else cal.add_workdays_date(MONDAY, rnd.randint(1, 3)) for i in range(n)]
    rnd.shuffle(dues)
    return dues


def run(n: int, leaders: int) -> list[str]:
    with scratch_postgres(PG_ADMIN, "banli_bench_digest") as url:
        tmp = Path(tempfile.mkdtemp(prefix="banli-bench-digest-"))
        engine = fresh(url, tmp, NOW)
        try:
            load0 = load_average()
            t = time.perf_counter()
            officers = add_officers(engine, 1, 200, NOW)
            add_leaders(engine, 1, leaders, NOW)
            add_cases(engine, 1, _due_dates(engine, n), officers, NOW, base=MONDAY - timedelta(days=40))
            loaded = time.perf_counter() - t
            log(f"loaded {n:,} due cases in {loaded:.1f} s")
            ac = create_engine(url, isolation_level="AUTOCOMMIT")
            with ac.connect() as c:
                c.execute(text("VACUUM ANALYZE"))
            ac.dispose()
            t, c0 = time.perf_counter(), time.process_time()
            rep = digest(engine, NOW, instance="bench", time_budget_s=600)
            wall, cpu = time.perf_counter() - t, time.process_time() - c0
            log(f"digest {wall:.2f} s wall, {cpu:.2f} s CPU: {rep.done}")
            if rep.error:
                raise SystemExit(f"digest failed: {rep.error}")
            (ag,) = load_agencies(engine, NOW)
            with read_session(engine) as s:
                rows = s.execute(select(Outbox.notice_type, Outbox.recipient, Outbox.context)  # type: ignore[call-overload]
                                 .where(Outbox.notice_type == "internal.digest")).all()
            ctx = rows[0].context
            notice = ctx["notice"]
            listed = sum(len(notice[k]) for k in ("overdue", "due_today", "due_soon"))
            html = render("internal.digest", ctx, "html").content
            settings = Settings(database_url=url, var_dir=tmp, secret_key="bench-secret-key-0123456789",
                                scheduler="off")
            t = time.perf_counter()
            sent = deliver_due(engine, NOW, instance="bench", settings=settings, batch_size=50, time_budget_s=600)
            deliver_s = time.perf_counter() - t
            emls = sorted(settings.outbox_path.rglob("*.eml"))
            sizes = [p.stat().st_size for p in emls]
            log(f"delivered {sent} in {deliver_s:.2f} s: {len(emls)} .eml, {sizes}")
        finally:
            engine.dispose()
        load1 = load_average()
    totals = notice["totals"]
    ok = rep.error is None and len(rows) == len(ag.leaders) and len(emls) == leaders and listed <= 3 * DIGEST_ROWS
    return [
        f"Run: {n:,} open applications in one agency, all due (totals stated by the digest: overdue "
        f"{totals['overdue']:,}, due today {totals['due_today']:,}, due within 3 working days {totals['due_soon']:,}), "
        f"200 officers, {leaders} leaders; load average {load0:.1f} before, {load1:.1f} after.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| bulk load ({n:,} cases + clocks) | {loaded:.1f} s |",
        f"| digest sweep (one agency) | {wall:.2f} s wall, {cpu:.2f} s CPU |",
        f"| notices written (one per leader: the {leaders} loaded and the bootstrap administrator, who has no "
        f"address and gets none by email) | {len(rows)} |",
        f"| messages delivered (.eml) | {len(emls)} |",
        f"| cases listed per notice (the most urgent {DIGEST_ROWS} of each part) | {listed} |",
        f"| stored context per notice (JSON) | {len(json.dumps(ctx, ensure_ascii=False).encode()) / 1024:.0f} KiB |",
        f"| rendered HTML body | {len(html) / 1024:.0f} KiB |",
        f"| message as delivered (.eml, HTML + text) | {max(sizes) / 1024:.0f} KiB |",
        f"| outbox delivery of the {len(rows)} notices | {deliver_s:.2f} s |",
        "",
        f"Result: {'ok — the digest succeeds with one bounded notice per leader' if ok else 'NOT OK'}.",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=150_000)
    ap.add_argument("--leaders", type=int, default=3)
    ap.add_argument("--append", type=Path)
    args = ap.parse_args()
    out = ["", f"### Daily digest with {args.cases:,} due cases in one agency (issue 21, PostgreSQL, "
               "`bench/digest_bench.py`)", "",
           machine("wall times move with the neighbours' load"),
           "Command (from the repository root): `PYTHONPATH=. /work/main/.venv/bin/python bench/digest_bench.py "
           f"--cases {args.cases} --leaders {args.leaders}`", ""]
    out += run(args.cases, args.leaders)
    publish(out, args.append)


if __name__ == "__main__":
    main()
