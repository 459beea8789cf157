"""Registrations per second through the HTTP API with N concurrent clients, vs the raw insert rate.

For each database (SQLite file, PostgreSQL): start `uvicorn app:create_app` (W worker processes),
log in, then N keep-alive connections POST /api/disclosures as fast as they can for D seconds
(a minimal asyncio HTTP/1.1 client, so the load generator costs little CPU on a 2-core machine).
In the same run, the same rows (application, two clocks, event, outbox notice) are inserted raw
with Core executemany in batches — the ceiling the API is compared with.

Usage: python bench/registration_bench.py [--db sqlite|postgres|both] [--clients 16] [--seconds 10]
       [--workers 2] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from db.engine import make_engine, write_session  # noqa: E402
from settings import Settings  # noqa: E402
from tests.helpers import registration  # noqa: E402
from workflow.accounts.users import create_user  # noqa: E402
from workflow.agencies.bootstrap import ensure_database  # noqa: E402

PG_ADMIN = os.environ.get("BANLI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MARK_BEGIN = "<!-- registration-bench:begin -->"
MARK_END = "<!-- registration-bench:end -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        url = f"sqlite:///{tmp}/bench.db"
    else:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text('DROP DATABASE IF EXISTS "banli_bench_reg" WITH (FORCE)'))
            c.execute(text('CREATE DATABASE "banli_bench_reg"'))
        admin.dispose()
        url = PG_ADMIN.rsplit("/", 1)[0] + "/banli_bench_reg"
    eng = make_engine(url)
    now = datetime.now(UTC)
    ensure_database(eng, Settings(database_url=url, var_dir=tmp, secret_key="bench-secret-key-0123456789"), now=now)
    create_user(eng, agency_code="default", username="bench-front", password="bench-password",
                roles=["front_desk"], display_name="压测前台", now=now)
    eng.dispose()
    return url


def body() -> bytes:
    now = datetime.now(UTC).astimezone()
    data = registration(received_at=(now - timedelta(minutes=5)).isoformat())
    return json.dumps(data, ensure_ascii=False).encode()


async def client(host: str, port: int, token: str, payload: bytes, stop_at: float, lat: list[float],
                 errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    head = (f"POST /api/disclosures HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode()
    try:
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            writer.write(head + payload)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            resp = await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            if b" 201 " not in status_line:
                errors.append(status_line.decode().strip() + " " + resp[:200].decode(errors="replace"))
    finally:
        writer.close()


def run_api(url: str, clients: int, seconds: float, workers: int, tmp: Path) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "BANLI_DATABASE_URL": url, "BANLI_SCHEDULER": "off", "BANLI_VAR_DIR": str(tmp),
           "BANLI_SECRET_KEY": "bench-secret-key-0123456789"}
    cmd = [sys.executable, "-m", "uvicorn", "app:create_app", "--factory", "--host", "127.0.0.1", "--port",
           str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        form = urllib.parse.urlencode({"username": "bench-front", "password": "bench-password"}).encode()
        tok = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/token", data=form))["access_token"]
        payload = body()
        lat: list[float] = []
        errors: list[str] = []

        async def main() -> float:
            # warm-up
            await asyncio.gather(*[client("127.0.0.1", port, tok, payload, time.perf_counter() + 1.0, [], errors)
                                   for _ in range(clients)])
            errors.clear()
            t0 = time.perf_counter()
            stop = t0 + seconds
            await asyncio.gather(*[client("127.0.0.1", port, tok, payload, stop, lat, errors)
                                   for _ in range(clients)])
            return time.perf_counter() - t0

        elapsed = asyncio.run(main())
        if errors:
            print(f"  {len(errors)} errors, first: {errors[0]}", file=sys.stderr)
        q = statistics.quantiles(lat, n=100)
        return {"requests": len(lat), "errors": len(errors), "rps": len(lat) / elapsed, "p50_ms": q[49] * 1000,
                "p95_ms": q[94] * 1000, "p99_ms": q[98] * 1000}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run_raw(url: str, n: int = 20_000, batch: int = 1000) -> float:
    """The same rows inserted raw (Core executemany, batches of 1,000): rows per second."""
    from db.models import Clock, Disclosure, Event, Outbox

    eng = make_engine(url)
    now = datetime.now(UTC)
    d = registration()
    base = dict(agency_id=1, version=1, state="registered", submission_no=None, query_code_hash="x$y",
                applicant_type=d["applicant_type"], applicant_category=d["applicant_category"],
                applicant_name=d["applicant_name"], id_type=d["id_type"], id_number=d["id_number"],
                applicant_key="k", phone=d["phone"], email=d["email"], address=d["address"],
                postal_code=d["postal_code"], contact_person="", assisted=False, oral=False,
                description=d["description"], document_ref="", purpose="", form_wanted=d["form_wanted"],
                obtain_way=d["obtain_way"], channel="in_person", received_at_raw=now, confirmed_at=None,
                receipt_date=now.date(), base_date=now.date(), registered_at=now, registered_by=None,
                assignee_id=None, unit_id=None, correction_requested=False, extended=False, extension_days=0,
                delayed=False, next_due_at=now, overdue_level=0, fee_detail={}, decision_detail={}, delivery={},
                duplicate_flag=False, created_at=now, updated_at=now)
    clock = dict(agency_id=1, case_kind="disclosure", kind="reply", cycle=1, status="running", unit="wd", amount=20,
                 start_date=now.date(), start_at=None, due_date=now.date(), due_at=now, explanation={"lines_zh": []},
                 calendar_version=1, provisional=False, missing_years=[], deadline_version=1, met_at=None,
                 breached_at=None, overdue_level=0, assignee_id=None, updated_at=now)
    t_case = Disclosure.__table__  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    done = 0
    while done < n:
        with write_session(eng) as s:
            rows = [{**base, "tracking_no": f"RAW-{done + i}"} for i in range(batch)]
            ids = [r[0] for r in s.execute(t_case.insert().returning(t_case.c.id), rows).all()] if \
                eng.dialect.name == "postgresql" else None
            if ids is None:
                s.execute(t_case.insert(), rows)
                first = s.execute(text("select max(id) from disclosure")).scalar_one() - batch + 1
                ids = list(range(first, first + batch))
            s.execute(Clock.__table__.insert(),  # type: ignore[attr-defined]
                      [{**clock, "case_id": i, "kind": k} for i in ids for k in ("reply", "correction_notice")])
            s.execute(Event.__table__.insert(), [  # type: ignore[attr-defined]
                dict(agency_id=1, case_kind="disclosure", case_id=i, actor_id=None, actor_label="bench",
                     action="register", from_state=None, to_state="registered", payload={}, created_at=now)
                for i in ids])
            s.execute(Outbox.__table__.insert(), [  # type: ignore[attr-defined]
                dict(agency_id=1, case_kind="disclosure", case_id=i, notice_type="disclosure.receipt",
                     channel="email", recipient="a@b.c", recipient_name="x", context={}, dedupe_key=f"raw:{i}",
                     status="held", attempts=0, next_attempt_at=now, created_at=now) for i in ids])
            s.commit()
        done += batch
    rate = n / (time.perf_counter() - t0)
    eng.dispose()
    return rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3, help="API runs per database (the median is reported)")
    ap.add_argument("--write", type=Path, help="update this markdown file (docs/benchmarks.md)")
    args = ap.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = []
    for kind in kinds:
        with tempfile.TemporaryDirectory() as tmpd:
            tmp = Path(tmpd)
            url = prepare(kind, tmp)
            runs = [run_api(url, args.clients, args.seconds, args.workers, tmp) for _ in range(args.runs)]
            runs.sort(key=lambda r: r["rps"])
            api = dict(runs[len(runs) // 2])
            api["rps_min"], api["rps_max"] = runs[0]["rps"], runs[-1]["rps"]
            raw = run_raw(url)
            results.append((kind, api, raw))
            print(f"{kind}: {api['rps']:.0f} registrations/s through the API "
                  f"(runs: {', '.join(format(r['rps'], '.0f') for r in runs)}) "
                  f"(p50 {api['p50_ms']:.1f} ms, p95 {api['p95_ms']:.1f} ms, p99 {api['p99_ms']:.1f} ms, "
                  f"{api['requests']} requests, {api['errors']} errors); raw insert {raw:.0f} rows/s; "
                  f"API/raw = {api['rps'] / raw:.3f}")
    if args.write:
        lines = [MARK_BEGIN, "## Disclosure registrations through the API (issue 3)", "",
                 f"Command: `python bench/registration_bench.py --db {args.db} --clients {args.clients} "
                 f"--seconds {args.seconds:g} --workers {args.workers} --runs {args.runs} --write docs/benchmarks.md` "
                 f"(uvicorn with {args.workers} worker processes, {args.clients} keep-alive clients on the same "
                 "2-core machine; target ≥ 500 registrations/s, p95 < 50 ms).", "",
                 f"| database | registrations/s (median of {args.runs}; min–max) | p50 ms | p95 ms | p99 ms | "
                 "raw insert rows/s (same rows, Core, batches of 1,000) | API ÷ raw |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
        for kind, api, raw in results:
            lines.append(f"| {kind} | {api['rps']:.0f} ({api['rps_min']:.0f}–{api['rps_max']:.0f}) | "
                         f"{api['p50_ms']:.1f} | {api['p95_ms']:.1f} | "
                         f"{api['p99_ms']:.1f} | {raw:.0f} | {api['rps'] / raw:.3f} |")
        lines += ["", f"Measured {datetime.now(UTC):%Y-%m-%d}.", MARK_END]
        path: Path = args.write
        old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        block = "\n".join(lines)
        if MARK_BEGIN in old:
            pre, rest = old.split(MARK_BEGIN, 1)
            post = rest.split(MARK_END, 1)[1]
            new = pre + block + post
        else:
            new = old.rstrip() + "\n\n" + block + "\n"
        path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
