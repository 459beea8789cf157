"""Registrations while logins flood the server (issue 15): 6 threads post ``/api/token`` for unknown users as
fast as they can while the front desk registers applications one after another through the API; registration
latency (p50, p95) quiet and under the flood, on SQLite, served by uvicorn on loopback.

Before: the password hash ran inside SQLite's write transaction, so every login held the write lock for the
length of an argon2 hash. Runs from any checkout with the same public names, so the same file measures before
and after a change:  python bench/login_flood_bench.py [--label NAME] [--n 40]  (from the checkout's root).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))

import httpx
import uvicorn

from db.engine import make_engine
from settings import Settings
from tests.helpers import make_staff, registration
from web.app import create_app
from workflow.agencies.bootstrap import ensure_database
from workflow.timesource import FixedTime

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
FLOOD_THREADS = 6


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve() -> tuple[str, uvicorn.Server]:
    tmp = Path(tempfile.mkdtemp(prefix="banli-flood-"))
    url = f"sqlite:///{tmp}/banli.db"
    settings = Settings(database_url=url, var_dir=tmp, secret_key="bench-secret-key-0123456789", scheduler="off",
                        check_templates_on_start=False)
    engine = make_engine(url)
    clock = FixedTime(T0)
    ensure_database(engine, settings, now=T0)
    make_staff(engine, T0)
    port = _port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, engine, clock, run_scheduler=False),
                                          host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server


def _registrations(base: str, headers: dict[str, str], n: int) -> list[float]:
    out = []
    with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
        for _ in range(n):
            start = time.perf_counter()
            r = c.post("/api/disclosures", json=registration())
            assert r.status_code == 201, r.text
            out.append((time.perf_counter() - start) * 1000)
    return out


def _flood(base: str, stop: threading.Event, counts: list[int]) -> None:
    with httpx.Client(base_url=base, timeout=60) as c:
        i = 0
        while not stop.is_set():
            c.post("/api/token", data={"username": f"nobody-{threading.get_ident()}-{i}", "password": "x" * 12})
            counts.append(1)
            i += 1


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="this checkout")
    ap.add_argument("--n", type=int, default=40)
    args = ap.parse_args()
    base, server = _serve()
    with httpx.Client(base_url=base) as c:
        tok = c.post("/api/token", data={"username": "default-front", "password": "password123"}).json()
    headers = {"Authorization": f"Bearer {tok['access_token']}"}
    _registrations(base, headers, 5)  # warm-up
    quiet = _registrations(base, headers, args.n)
    stop = threading.Event()
    counts: list[int] = []
    flooders = [threading.Thread(target=_flood, args=(base, stop, counts)) for _ in range(FLOOD_THREADS)]
    for t in flooders:
        t.start()
    time.sleep(1.0)
    started = time.perf_counter()
    loaded = _registrations(base, headers, args.n)
    elapsed = time.perf_counter() - started
    stop.set()
    for t in flooders:
        t.join()
    server.should_exit = True
    print(f"{args.label}: {args.n} registrations, quiet p50 {statistics.median(quiet):.0f} ms p95 {_p(quiet, 95):.0f} ms;"
          f" under {FLOOD_THREADS} login threads ({len(counts) / (elapsed + 1):.1f} logins/s) p50 "
          f"{statistics.median(loaded):.0f} ms p95 {_p(loaded, 95):.0f} ms; p95 ratio {_p(loaded, 95) / _p(quiet, 95):.1f}×")


if __name__ == "__main__":
    main()
