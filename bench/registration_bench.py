"""Registrations per second through the HTTP API with N concurrent clients, vs the raw insert rate.

For each database (SQLite file, PostgreSQL): start `uvicorn app:create_app` (W worker processes),
log in, then N keep-alive connections POST /api/disclosures as fast as they can for D seconds
(a minimal asyncio HTTP/1.1 client, so the load generator costs little CPU on a 2-core machine).
In the same run, copies of the rows one of those registrations stored (read back from the database:
the application, its clocks with their explanations, the event with its payload, the notices with their
context snapshots) are inserted raw with Core executemany in batches — the ceiling the API is compared with.

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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import load_average  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

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
        for _ in range(1200):  # up to 2 minutes: each worker checks every template at start (slow under load)
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


CASE_TABLES = ("disclosure", "clock", "event", "outbox")  # what a registration inserts (workflow.disclosure.actions)


def table_counts(url: str) -> dict[str, int]:
    """Rows in every table of the schema (what the API runs add is what a registration stores)."""
    from sqlmodel import SQLModel

    import db.models  # noqa: F401 - populates the metadata

    eng = make_engine(url)
    with eng.connect() as c:
        out = {t.name: int(c.execute(select(func.count()).select_from(t)).scalar_one())
               for t in SQLModel.metadata.sorted_tables}
    eng.dispose()
    return out


def real_registration(url: str) -> dict[str, list[dict[str, Any]]]:
    """The rows of the newest registration the API stored, table by table (ids dropped): the raw baseline inserts
    copies of exactly these — the application, its clocks with their explanations, the event with its payload, the
    notices with their context snapshots."""
    from db.models import Clock, Disclosure, Event, Outbox

    eng = make_engine(url)
    tables = {"disclosure": Disclosure.__table__, "clock": Clock.__table__,  # type: ignore[attr-defined]
              "event": Event.__table__, "outbox": Outbox.__table__}  # type: ignore[attr-defined]
    with eng.connect() as c:
        case_id = c.execute(select(func.max(tables["disclosure"].c.id))).scalar_one()
        out: dict[str, list[dict[str, Any]]] = {}
        for name, t in tables.items():
            where = (t.c.id == case_id) if name == "disclosure" else (t.c.case_kind == "disclosure") & (
                t.c.case_id == case_id)
            out[name] = [{k: v for k, v in r.items() if k != "id"}
                         for r in c.execute(select(t).where(where).order_by(t.c.id)).mappings().all()]
    eng.dispose()
    return out


def json_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str).encode())


def describe(tmpl: dict[str, list[dict[str, Any]]]) -> str:
    """What one registration stores, in words for the report."""
    clocks, events, notices = tmpl["clock"], tmpl["event"], tmpl["outbox"]
    expl = " + ".join(f"{json_bytes(c['explanation']) / 1024:.2f}" for c in clocks)
    ctxs = " + ".join(f"{json_bytes(o['context']) / 1024:.2f}" for o in notices)
    payload = sum(json_bytes(e["payload"]) for e in events)
    return (f"1 application, {len(clocks)} clocks (explanations {expl} KiB), {len(events)} event (payload "
            f"{payload} B), {len(notices)} notices (contexts {ctxs} KiB)")


def run_raw(url: str, tmpl: dict[str, list[dict[str, Any]]], n: int = 20_000, batch: int = 1000) -> float:
    """Copies of one real registration's rows inserted raw (Core executemany, batches of 1,000): registrations per
    second — the same rows and bytes the workflow stores, without numbering, validation, deadlines or HTTP."""
    from db.models import Clock, Disclosure, Event, Outbox

    eng = make_engine(url)
    t_case = Disclosure.__table__  # type: ignore[attr-defined]
    case = tmpl["disclosure"][0]
    t0 = time.perf_counter()
    tag = time.time_ns()  # tracking numbers unique per call (a run may call this more than once)
    done = 0
    while done < n:
        with write_session(eng) as s:
            rows = [{**case, "tracking_no": f"RAW-{tag}-{done + i}"} for i in range(batch)]
            ids = [r[0] for r in s.execute(t_case.insert().returning(t_case.c.id), rows).all()] if \
                eng.dialect.name == "postgresql" else None
            if ids is None:
                s.execute(t_case.insert(), rows)
                first = s.execute(text("select max(id) from disclosure")).scalar_one() - batch + 1
                ids = list(range(first, first + batch))
            s.execute(Clock.__table__.insert(),  # type: ignore[attr-defined]
                      [{**c, "case_id": i} for i in ids for c in tmpl["clock"]])
            s.execute(Event.__table__.insert(),  # type: ignore[attr-defined]
                      [{**e, "case_id": i} for i in ids for e in tmpl["event"]])
            s.execute(Outbox.__table__.insert(),  # type: ignore[attr-defined]
                      [{**o, "case_id": i, "dedupe_key": f"{o['dedupe_key']}:raw{i}"} for i in ids
                       for o in tmpl["outbox"]])
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
    load0 = load_average()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results: list[tuple[str, dict[str, float], float, str, dict[str, float]]] = []
    for kind in kinds:
        with tempfile.TemporaryDirectory() as tmpd:
            tmp = Path(tmpd)
            url = prepare(kind, tmp)
            before = table_counts(url)
            runs = [run_api(url, args.clients, args.seconds, args.workers, tmp) for _ in range(args.runs)]
            grown = {t: c - before[t] for t, c in table_counts(url).items() if c > before[t]}
            runs.sort(key=lambda r: r["rps"])
            api = dict(runs[len(runs) // 2])
            api["rps_min"], api["rps_max"] = runs[0]["rps"], runs[-1]["rps"]
            tmpl = real_registration(url)
            regs = grown["disclosure"]
            per_reg = {t: round(c / regs, 2) for t, c in grown.items()}
            copied = {t: len(tmpl[t]) for t in CASE_TABLES}
            # (the per-year counter row: one row per agency and year, updated by each batch, not inserted)
            others = {t: v for t, v in per_reg.items() if t not in CASE_TABLES and v >= 0.05}
            if any(abs(per_reg.get(t, 0) - copied[t]) > 0.05 for t in CASE_TABLES) or others:
                print(f"  raw baseline differs from what the API stored: per registration {per_reg}, copied "
                      f"{copied}", file=sys.stderr)
            raw = run_raw(url, tmpl)
            results.append((kind, api, raw, describe(tmpl), others))
            print(f"{kind}: {api['rps']:.0f} registrations/s through the API "
                  f"(runs: {', '.join(format(r['rps'], '.0f') for r in runs)}) "
                  f"(p50 {api['p50_ms']:.1f} ms, p95 {api['p95_ms']:.1f} ms, p99 {api['p99_ms']:.1f} ms, "
                  f"{api['requests']} requests, {api['errors']} errors); raw insert {raw:.0f} registrations/s; "
                  f"API/raw = {api['rps'] / raw:.3f}; one registration stores {results[-1][3]}")
    if args.write:
        lines = [MARK_BEGIN, "## Disclosure registrations through the API (issue 3)", "",
                 f"Command: `python bench/registration_bench.py --db {args.db} --clients {args.clients} "
                 f"--seconds {args.seconds:g} --workers {args.workers} --runs {args.runs} --write docs/benchmarks.md` "
                 f"(uvicorn with {args.workers} worker processes, {args.clients} keep-alive clients on the same "
                 "2-core machine; target ≥ 500 registrations/s, p95 < 50 ms).", "",
                 f"| database | registrations/s (median of {args.runs}; min–max) | p50 ms | p95 ms | p99 ms | "
                 "raw insert registrations/s (copies of a real registration's rows, Core, batches of 1,000) | "
                 "API ÷ raw |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
        for kind, api, raw, _, _ in results:
            lines.append(f"| {kind} | {api['rps']:.0f} ({api['rps_min']:.0f}–{api['rps_max']:.0f}) | "
                         f"{api['p50_ms']:.1f} | {api['p95_ms']:.1f} | "
                         f"{api['p99_ms']:.1f} | {raw:.0f} | {api['rps'] / raw:.3f} |")
        lines += ["", f"Measured {datetime.now(UTC):%Y-%m-%d}, load average {load0:.1f} at the start and "
                      f"{load_average():.1f} at the end (`uptime`, 1 min).", "",
                  "The raw baseline inserts what one registration stored through the API in the same run, copied "
                  "from the database (only the tracking number, the case id and the notices' dedupe keys differ): "
                  + "; ".join(f"{kind}: {what}" for kind, _, _, what, _ in results) + "."
                  + "".join(f" Also stored by a registration and not in the baseline ({kind}): {others}."
                            for kind, _, _, _, others in results if others),
                  MARK_END]
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
