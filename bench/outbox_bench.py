"""Benchmark: one worker drains N internal notices through SMTP on loopback (aiosmtpd in its own process).

The rows are what the reminder sweep enqueues (``internal.reminder`` to ``user:<id>``, the agency snapshot, the case
reference, the clock), addressed round-robin to 200 officers with email addresses; one ``deliver_due`` call (the
worker's outbox job: claim, render, send, mark) drains them all. The SMTP server (aiosmtpd) runs in a separate
process, as a real relay would, and counts what it receives and the distinct Message-IDs; the bench checks that every
row is ``sent`` and every message arrived exactly once. Besides the wall-clock rate it reports the CPU seconds of the
worker process (all its threads) and of the SMTP server: on a shared machine the wall clock mostly measures the
neighbours, ``rows_per_worker_cpu_s`` what one worker with a core of its own would do.

Usage (from the repository root):

    PYTHONPATH=. /work/main/.venv/bin/python bench/outbox_bench.py [--rows 100000] [--db sqlite|postgres|both]
        [--batch 500] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import col

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import scratch_postgres  # noqa: E402

from db.engine import make_engine, read_session, write_session  # noqa: E402
from db.models import Outbox  # noqa: E402
from notifications.context import case_ref  # noqa: E402
from notifications.outbox import deliver_due, enqueue_many  # noqa: E402
from settings import Settings  # noqa: E402
from tests.fixtures.backlog import add_officers  # noqa: E402
from workflow.agencies.bootstrap import ensure_database  # noqa: E402
from workflow.sweeps.base import internal_notice, load_agencies  # noqa: E402

PG_ADMIN = os.environ.get("BANLI_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 11, 9, 2, 0, tzinfo=UTC)  # Monday 10:00 in Asia/Shanghai
CHUNK = 5_000

SERVER = r'''
import asyncio, json, re, resource, sys
from aiosmtpd.controller import Controller
ids, count = set(), [0]
MID = re.compile(rb"^Message-ID:\s*(\S+)", re.M | re.I)
class Handler:
    async def handle_DATA(self, server, session, envelope):
        count[0] += 1
        m = MID.search(envelope.original_content or envelope.content)
        ids.add(m.group(1) if m else b"")
        return "250 OK"
c = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print(sys.argv[1], flush=True)
for line in sys.stdin:
    if line.strip() == "report":
        ru = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps({"messages": count[0], "distinct": len(ids), "cpu": ru.ru_utime + ru.ru_stime}), flush=True)
    elif line.strip() == "quit":
        break
c.stop()
'''


class SmtpServer:
    """aiosmtpd in a child process; ``report()`` → (messages, distinct Message-IDs)."""

    def __init__(self) -> None:
        from tests.smtp_sink import free_port

        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(free_port())], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def report(self) -> tuple[int, int, float]:
        """(messages received, distinct Message-IDs, the server's CPU seconds so far)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("report\n")
        self.proc.stdin.flush()
        got = json.loads(self.proc.stdout.readline())
        return int(got["messages"]), int(got["distinct"]), float(got["cpu"])

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=30)


def _settings(url: str, tmp: Path, port: int) -> Settings:
    return Settings(database_url=url, var_dir=tmp, secret_key="bench-secret-key-0123456789", scheduler="off",
                    check_templates_on_start=False, smtp_host="127.0.0.1", smtp_port=port,
                    mail_from="gongkai@example.gov.cn")


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[tuple[str, Engine]]:
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'outbox-bench.db'}"
        eng = make_engine(url)
        try:
            yield url, eng
        finally:
            eng.dispose()
        return
    with scratch_postgres(PG_ADMIN, "banli_bench_outbox") as url:
        eng = make_engine(url, pool_size=4)
        try:
            yield url, eng
        finally:
            eng.dispose()


def fill(engine: Engine, n: int) -> float:
    """``n`` reminder notices as the reminder sweep writes them, to 200 officers; returns the seconds taken."""
    t = time.perf_counter()
    officers = add_officers(engine, 1, 200, NOW)
    ag = next(a for a in load_agencies(engine, NOW) if a.id == 1)
    due = date(2026, 11, 12)
    for start in range(0, n, CHUNK):
        rows = []
        for i in range(start, min(n, start + CHUNK)):
            uid = officers[i % len(officers)]
            rows.append(internal_notice(
                agency=ag, notice_type="internal.reminder", recipient_id=uid, recipient_name=f"承办人{i % 200:03d}",
                case_kind="disclosure", case_id=i + 1,
                case=case_ref("disclosure", f"依申〔2026〕B{i:06d}号", f"第{i}号申请：某项目的批复文件"),
                notice={"clock_label": "答复期限", "due_date": due.isoformat(), "working_days_left": 3},
                dedupe_key=f"reminder:{i}:v1:r3:user:{uid}", now=NOW, not_before=NOW))
        with write_session(engine) as s:
            enqueue_many(s, rows)
            s.commit()
    return time.perf_counter() - t


def run(kind: str, n: int, batch: int, profile: bool) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="banli-outbox-bench-"))
    server = SmtpServer()
    try:
        with database(kind, tmp) as (url, engine):
            settings = _settings(url, tmp, server.port)
            ensure_database(engine, settings, now=NOW)
            load = fill(engine, n)
            if kind == "postgres":
                with create_engine(url, isolation_level="AUTOCOMMIT").connect() as c:
                    c.execute(text("VACUUM ANALYZE outbox"))
            before, _, smtp_cpu = server.report()
            prof = cProfile.Profile() if profile else None
            cpu = time.process_time()  # this process, every thread
            t = time.perf_counter()
            if prof:
                prof.enable()
            stats = deliver_due(engine, NOW, instance="bench", batch_size=batch, time_budget_s=7200,
                                settings=settings)
            if prof:
                prof.disable()
            elapsed = time.perf_counter() - t
            cpu = time.process_time() - cpu
            msgs, distinct, smtp_cpu_after = server.report()
            with read_session(engine) as s:
                sent = s.execute(select(func.count()).select_from(Outbox).where(col(Outbox.status) == "sent")).scalar_one()
    finally:
        server.close()
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
    return {"db": kind, "rows": n, "batch": batch, "load_s": round(load, 1), "seconds": round(elapsed, 2),
            "rows_per_s": round(n / elapsed, 1), "worker_cpu_s": round(cpu, 1),
            "rows_per_worker_cpu_s": round(n / cpu, 1), "smtp_server_cpu_s": round(smtp_cpu_after - smtp_cpu, 1),
            "sent": int(sent), "messages": msgs - before,
            "distinct_ids": distinct, "stats_sent": stats.sent, "batches": stats.batches,
            "ok": int(sent) == n and msgs - before == n and distinct == n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    print(f"# CPython {platform.python_version()}, {os.cpu_count()} cores; load average at start "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        result = run(kind, args.rows, args.batch, args.profile)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        print(f"# load average after {kind}: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
