"""Benchmark: reply PDFs per second with 1 and 2 outbox worker processes, and a resend from the render cache (issue 21).

``--rows`` disclosure replies (each its own context: tracking number and applicant; PDF attached, as a reply goes
out by email) are enqueued on a fresh PostgreSQL database; aiosmtpd runs in a process of its own and counts the
messages and their distinct Message-IDs. Then ``P`` worker processes (``P`` = 1, then 2, each on a fresh database
and a cold render cache) drain them with ``deliver_due`` — rows claimed ``--batch`` at a time with ``FOR UPDATE SKIP
LOCKED``, so the workers render different rows and no document twice. Each worker loads WeasyPrint and the fonts
and lays out one warm-up page before the clock starts (all start together).

Reported per run: wall seconds, PDFs per second, the workers' CPU seconds (all processes), PDFs laid out (files in
the render cache) and messages received. Last, the 2-worker outbox is put back to ``pending`` and drained again by
one worker with the warm cache — a resend of every reply: nothing is laid out again.

Usage (from the repository root):

    PYTHONPATH=. /work/main/.venv/bin/python bench/render_bench.py [--rows 200] [--batch 10]
        [--append docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import fresh, load_average, machine, publish, scratch_postgres  # noqa: E402
from outbox_bench import SmtpServer  # noqa: E402

from db.engine import read_session, write_session  # noqa: E402
from db.models import Outbox  # noqa: E402
from notifications.fixtures import fixture_context  # noqa: E402
from notifications.outbox import enqueue_many, outbox_values  # noqa: E402

PG_ADMIN = os.environ.get("BANLI_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 11, 9, 2, 0, tzinfo=UTC)  # Monday 10:00 in Asia/Shanghai

WORKER = r'''
import json, resource, sys, time
from datetime import datetime
from db.engine import make_engine
from notifications.fixtures import fixture_context
from notifications.outbox import deliver_due
from notifications.render import render_many
from settings import Settings
url, files, port, batch, name, now = sys.argv[1:7]
settings = Settings(database_url=url, var_dir=files, files_dir=files, secret_key="bench-secret-key-0123456789",
                    scheduler="off", check_templates_on_start=False, smtp_host="127.0.0.1", smtp_port=int(port),
                    mail_from="gongkai@example.gov.cn")
engine = make_engine(url, pool_size=2)
render_many("disclosure.reply", fixture_context("disclosure.reply"), ("pdf",), settings=settings)  # warm-up
print("ready", flush=True)
sys.stdin.readline()
ru0 = resource.getrusage(resource.RUSAGE_SELF)
t = time.perf_counter()
stats = deliver_due(engine, datetime.fromisoformat(now), instance=name, batch_size=int(batch), time_budget_s=3600,
                    settings=settings)
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"sent": stats.sent, "seconds": time.perf_counter() - t,
                  "cpu": ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime}), flush=True)
'''


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def fill(engine: object, n: int) -> None:
    base = fixture_context("disclosure.reply")
    rows = []
    for i in range(n):
        ctx = copy.deepcopy(base)
        ctx["case"]["tracking_no"] = f"依申〔2026〕{i + 1:04d}号"
        ctx["case"]["applicant_name"] = f"申请人{i + 1}"
        rows.append(outbox_values(agency_id=1, notice_type="disclosure.reply", channel="email", context=ctx,
                                  dedupe_key=f"reply:{i}", now=NOW, recipient=f"applicant{i}@example.com",
                                  recipient_name=f"申请人{i + 1}", case_kind="disclosure", case_id=i + 1))
    with write_session(engine) as s:  # type: ignore[arg-type]
        enqueue_many(s, rows)
        s.commit()


def drain(url: str, files: Path, port: int, batch: int, workers: int) -> dict[str, float]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BANLI_")}, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(files), str(port), str(batch), f"w{i}",
                               NOW.isoformat()], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True) for i in range(workers)]
    for p in procs:
        assert p.stdout is not None
        if p.stdout.readline().strip() != "ready":
            raise SystemExit("a worker did not start")
    t = time.perf_counter()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, _ = p.communicate(timeout=3600)
        if p.returncode:
            raise SystemExit(f"worker failed ({p.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    wall = time.perf_counter() - t
    return {"wall": wall, "cpu": sum(r["cpu"] for r in results), "sent": sum(r["sent"] for r in results),
            "per_worker": [r["sent"] for r in results]}  # type: ignore[dict-item]


def rendered(files: Path) -> int:
    return sum(1 for p in (files / "rendered").rglob("*") if p.is_file() and not p.name.startswith(".tmp-"))


def run(n: int, batch: int) -> list[str]:
    server = SmtpServer()
    rows: list[tuple[str, int, dict[str, float], int, float, int]] = []
    try:
        for workers in (1, 2):
            with scratch_postgres(PG_ADMIN, "banli_bench_render") as url:
                tmp = Path(tempfile.mkdtemp(prefix="banli-bench-render-"))
                engine = fresh(url, tmp, NOW)
                try:
                    fill(engine, n)
                    before, _, _ = server.report()
                    load0 = load_average()
                    got = drain(url, tmp / "files", server.port, batch, workers)
                    msgs = server.report()[0] - before
                    rows.append((f"{workers} worker process{'es' if workers > 1 else ''}, cold cache", workers, got,
                                 rendered(tmp / "files"), load0, msgs))
                    log(f"{workers} workers: {got} load {load0:.1f}")
                    if workers == 2:  # a resend of every reply: back to pending, one worker, the warm cache
                        with write_session(engine) as s:
                            s.execute(update(Outbox).values(status="pending", attempts=0, next_attempt_at=NOW,
                                                            message_id=None, locked_by=None, lease_until=None))
                            s.commit()
                        laid_out = rendered(tmp / "files")
                        before = server.report()[0]
                        load0 = load_average()
                        got = drain(url, tmp / "files", server.port, batch, 1)
                        msgs = server.report()[0] - before
                        rows.append(("resend of every reply, 1 worker process, warm cache", 1, got,
                                     rendered(tmp / "files") - laid_out, load0, msgs))
                        log(f"resend: {got} load {load0:.1f}")
                    with read_session(engine) as s:
                        sent = s.execute(select(func.count()).select_from(Outbox)
                                         .where(Outbox.status == "sent")).scalar_one()  # type: ignore[arg-type]
                    assert sent == n, sent
                finally:
                    engine.dispose()
    finally:
        server.close()
    base = rows[0][2]["wall"]
    lines = ["| run | PDFs laid out | messages | wall s | reply PDFs/s | ×1 worker | worker CPU per reply | "
             "load average at start |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, _, got, laid, load0, msgs in rows:
        lines.append(f"| {label} | {laid} | {msgs} | {got['wall']:.1f} | {n / got['wall']:.1f} | "
                     f"×{base / got['wall']:.2f} | {1000 * got['cpu'] / n:.0f} ms | {load0:.1f} |")
    lines += ["", f"Rows per worker in the 2-process run: {rows[1][2]['per_worker']}."]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--append", type=Path)
    args = ap.parse_args()
    out = ["", "### Reply PDFs per second with 1 and 2 worker processes; a resend from the render cache (issue 21, "
               "`bench/render_bench.py`)", "",
           machine("wall times move with the neighbours' load; the CPU per reply is the steadier figure"),
           "Command (from the repository root): `PYTHONPATH=. /work/main/.venv/bin/python bench/render_bench.py "
           f"--rows {args.rows} --batch {args.batch}`", ""]
    out += run(args.rows, args.batch)
    publish(out, args.append)


if __name__ == "__main__":
    main()
