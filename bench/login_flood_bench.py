"""Registrations while logins flood the server (issue 15): 6 threads post ``/api/token`` for unknown users as
fast as they can while the front desk registers applications one after another through the API; registration
latency (p50, p95) quiet and under the flood, in alternating rounds (so the shared machine's changing load weighs
on both alike), on SQLite, served by uvicorn on loopback in a process of its own. The flood runs in another
process at the lowest CPU priority: a flood comes from other machines, and on these 2 cores its own client work
(httpx, hundreds of requests a second once they are refused cheaply) would otherwise take the CPU from the
server it floods. It still gets every cycle the server and the registrations leave. The server's own CPU use
under the flood is printed too.

Two floods:
- ``one-address``: every login from one client address (the per-address login throttle refuses it after
  ``login_ip_max_failures`` failures, before any password hash);
- ``many-addresses``: each login from another address (``X-Forwarded-For`` through a trusted proxy), so no
  per-address limit applies and every attempt costs its argon2 hash — what a distributed flood costs.

Runs from any checkout with the same public names, so the same file measures before and after a change:
    python bench/login_flood_bench.py [--label NAME] [--n 200] [--rounds 5] [--flood one-address|many-addresses|both]
(from the checkout's root). Note the load average (printed) next to any figure: the machine is shared.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path.cwd()))

import httpx

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
FLOOD_THREADS = 6


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(root: str, port: int) -> None:
    """The server process: a migrated SQLite database with the test staff, uvicorn on loopback."""
    sys.path.insert(0, root)
    import uvicorn

    from db.engine import make_engine
    from settings import Settings
    from tests.helpers import make_staff
    from web.app import create_app
    from workflow.agencies.bootstrap import ensure_database
    from workflow.timesource import FixedTime

    tmp = Path(tempfile.mkdtemp(prefix="banli-flood-"))
    url = f"sqlite:///{tmp}/banli.db"
    settings = Settings(database_url=url, var_dir=tmp, secret_key="bench-secret-key-0123456789", scheduler="off",
                        check_templates_on_start=False, forwarded_allow_ips="127.0.0.1")
    try:  # what `banli serve` does to its process (a shorter GIL switch interval), where the checkout has it
        from web.concurrency import tune_process
        tune_process()
    except ImportError:
        pass
    engine = make_engine(url)
    ensure_database(engine, settings, now=T0)
    make_staff(engine, T0)
    uvicorn.run(create_app(settings, engine, FixedTime(T0), run_scheduler=False), host="127.0.0.1", port=port,
                log_level="warning")


def start_server(target: Callable[..., None] | None = None, args: tuple[Any, ...] = ()
                 ) -> tuple[str, multiprocessing.process.BaseProcess]:
    """``target(root, port, *args)`` (default: this benchmark's server) in a spawned process; its base URL once it
    answers ``/login``."""
    port = _port()
    proc = multiprocessing.get_context("spawn").Process(target=target or _serve, args=(str(Path.cwd()), port, *args))
    proc.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/login", timeout=1)
            return base, proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def _registrations(base: str, headers: dict[str, str], n: int) -> list[float]:
    from tests.helpers import registration

    out = []
    with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
        for _ in range(n):
            start = time.perf_counter()
            r = c.post("/api/disclosures", json=registration())
            assert r.status_code == 201, r.text
            out.append((time.perf_counter() - start) * 1000)
    return out


def _flood_threads(base: str, spread: bool, go: Any, stop: Any, sent: Any, refused: Any, busy: Any) -> None:
    """The flood's process: ``FLOOD_THREADS`` threads posting logins of unknown users while ``go`` is set, at
    the lowest CPU priority — a flood comes from other machines; here its own client work must not take the
    2 cores from the server it floods (the flood still gets every cycle the server leaves)."""
    os.nice(19)

    def one(k: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as c:
            i = 0
            while not stop.is_set():
                if not go.wait(0.1):
                    continue
                headers = {"X-Forwarded-For": f"10.{k}.{i // 250 % 250}.{i % 250 + 1}"} if spread else {}
                with busy.get_lock():
                    busy.value += 1
                r = c.post("/api/token", data={"username": f"nobody-{k}-{i}", "password": "x" * 12}, headers=headers)
                with busy.get_lock():
                    busy.value -= 1
                with sent.get_lock():
                    sent.value += 1
                if r.status_code == 429:
                    with refused.get_lock():
                        refused.value += 1
                i += 1

    threads = [threading.Thread(target=one, args=(k,)) for k in range(FLOOD_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


class Flood:
    """The flood, in a process of its own (``_flood_threads``), sending while ``go`` is set."""

    def __init__(self, base: str, spread: bool) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.go, self.stop = ctx.Event(), ctx.Event()
        self.sent, self.refused, self.busy = ctx.Value("i", 0), ctx.Value("i", 0), ctx.Value("i", 0)
        self.proc = ctx.Process(target=_flood_threads, args=(base, spread, self.go, self.stop, self.sent,
                                                              self.refused, self.busy))
        self.proc.start()

    def pause(self) -> None:
        """Stop sending and wait for the logins in flight to be answered."""
        self.go.clear()
        while self.busy.value:
            time.sleep(0.01)
        time.sleep(0.2)

    def end(self) -> None:
        self.go.clear()
        self.stop.set()
        self.proc.join(30)
        self.proc.kill()


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux), all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def run(label: str, n: int, rounds: int, spread: bool, verbose: bool = False) -> None:
    """``rounds`` times: n/rounds registrations quiet, then n/rounds under the flood — alternating, so that the
    machine's own load (shared, changing) weighs on both alike."""
    base, server = start_server()
    flood = Flood(base, spread)
    try:
        with httpx.Client(base_url=base) as c:
            tok = c.post("/api/token", data={"username": "default-front", "password": "password123"}).json()
        headers = {"Authorization": f"Bearer {tok['access_token']}"}
        _registrations(base, headers, 10)  # warm-up
        ramp = ""
        if not spread:  # an attack from one address: measured once the throttle refuses it, as it would last
            started = time.perf_counter()
            flood.go.set()
            while not flood.refused.value and flood.sent.value < 100:
                time.sleep(0.02)  # (a checkout without the throttle never refuses: measured after 100 attempts)
            ramp = (f", refused after {flood.sent.value - flood.refused.value} failures" if flood.refused.value
                    else ", not refused after 100") + f" in {time.perf_counter() - started:.1f} s"
            flood.pause()
        quiet: list[float] = []
        loaded: list[float] = []
        loads: list[str] = []
        logins, refused, seconds, server_cpu = 0, 0, 0.0, 0.0
        for _ in range(rounds):
            q = _registrations(base, headers, n // rounds)
            flood.go.set()
            time.sleep(1.0)
            started, counted, no = time.perf_counter(), flood.sent.value, flood.refused.value
            cpu = _cpu_seconds(server.pid or 0)
            f = _registrations(base, headers, n // rounds)
            server_cpu += _cpu_seconds(server.pid or 0) - cpu
            if verbose:
                print(f"  round: quiet p50 {statistics.median(q):.1f} max {max(q):.1f}; flood p50 "
                      f"{statistics.median(f):.1f} max {max(f):.1f} ms; load {_load()}", flush=True)
            quiet += q
            loaded += f
            flood.pause()  # the logins in flight are answered (and counted) before the window closes
            seconds += time.perf_counter() - started
            logins += flood.sent.value - counted
            refused += flood.refused.value - no
            loads.append(_load())
    finally:
        flood.end()
        server.terminate()
        server.join(10)
        server.kill()
    kind = "many-addresses" if spread else "one-address"
    print(f"{label} [{kind}{ramp}]: {len(quiet)} registrations quiet p50 {statistics.median(quiet):.1f} "
          f"p95 {_p(quiet, 95):.1f} ms; under {FLOOD_THREADS} login threads ({logins / seconds:.0f} logins/s, "
          f"{refused} of {logins} answered 429) p50 {statistics.median(loaded):.1f} p95 {_p(loaded, 95):.1f} ms;"
          f" p95 ratio {_p(loaded, 95) / _p(quiet, 95):.1f}×; server CPU under the flood {server_cpu / seconds:.2f} "
          f"cores; load average {' '.join(loads)}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="this checkout")
    ap.add_argument("--n", type=int, default=200, help="registrations per condition (quiet, flood)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--verbose", action="store_true", help="print each round")
    ap.add_argument("--flood", choices=["one-address", "many-addresses", "both"], default="both")
    args = ap.parse_args()
    for spread in (False, True):
        if args.flood == "both" or args.flood == ("many-addresses" if spread else "one-address"):
            run(args.label, args.n, args.rounds, spread, args.verbose)


if __name__ == "__main__":
    main()
