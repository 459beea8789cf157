"""kill -9 of a worker in the middle of 200 notices, 6 times, and two workers whose clocks are 6 minutes apart
(issue 15): real ``banli worker --once --only outbox`` processes against a real SMTP server (aiosmtpd, in this
process, taking ``--smtp-ms`` per message like a relay), duplicates counted by Message-ID (one per outbox row).
Then the window that remains — from the SMTP server accepting a message to the worker's committed "sent" mark,
where a kill turns a notice into a duplicate — measured per notice in this process.

    python bench/worker_kill_bench.py [--db sqlite|postgres|both] [--n 200] [--kills 6] [--smtp-ms 20] [--seed 15]
(from the checkout's root; PostgreSQL from BANLI_TEST_PG_URL, default postgres@127.0.0.1). Note the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))

from sqlalchemy import create_engine, text
from sqlalchemy.engine.url import make_url

from db.engine import make_engine
from settings import Settings
from tests.worker_kill import (
    enqueue_notices,
    kill_cycles,
    measure_window,
    skewed_pair,
    smtp_server,
    worker_env,
)
from workflow.agencies.bootstrap import ensure_database

PG_ADMIN = os.environ.get("BANLI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _database(kind: str, tmp: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{tmp}/banli.db", None
    name = f"banli_kill_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), name


def _drop(name: str | None) -> None:
    if name:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def run(kind: str, args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="banli-kill-"))
    url, pg_name = _database(kind, tmp)
    try:
        settings = Settings(database_url=url, var_dir=tmp, secret_key="bench-secret-key-0123456789", scheduler="off",
                            check_templates_on_start=False)
        engine = make_engine(url)
        now = datetime.now(UTC).replace(microsecond=0)
        ensure_database(engine, settings, now=now)
        with smtp_server(args.smtp_ms / 1000) as (sink, port):
            env = worker_env(url, tmp, port, args.lease)
            ids = enqueue_notices(engine, args.n, "kill", now)
            k = kill_cycles(engine, env, sink, ids, kills=args.kills, now=now, batch_size=args.batch,
                            lease_s=args.lease, rng=random.Random(args.seed), max_delay_s=args.max_delay)
            in_window = sum(len(w) for w in k.in_window)
            print(f"{kind}: kill -9 ×{k.kills} ({k.mid_batch} mid-batch) at {args.n} notices (SMTP {args.smtp_ms} ms "
                  f"each, batches of {args.batch}, lease {args.lease} s): {k.messages} messages for {k.rows} notices, "
                  f"{len(k.doubled)} delivered twice {sorted(k.doubled)}, {len(k.lost)} lost, {len(k.not_sent)} not "
                  f"marked sent; rows held by the killed workers {[len(h) for h in k.held]}, of which accepted by "
                  f"the SMTP server but not marked sent {in_window}; {k.elapsed_s:.0f} s; load {_load()}", flush=True)
            ids = enqueue_notices(engine, args.n, "skew", now)
            s = skewed_pair(engine, env, sink, ids, now=now, skew=timedelta(minutes=args.skew_minutes),
                            batch_size=5)
            print(f"{kind}: two workers, clocks {args.skew_minutes} min apart, {args.n} notices: {s.messages} "
                  f"messages for {s.rows} notices, {len(s.doubled)} delivered twice; sent {s.sent_by}; "
                  f"load {_load()}", flush=True)
            w = measure_window(engine, settings, sink, port, args.n, now)
            print(f"{kind}: window: {w.summary()}; load {_load()}", flush=True)
        engine.dispose()
    finally:
        _drop(pg_name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--kills", type=int, default=6)
    ap.add_argument("--smtp-ms", type=float, default=20.0)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--lease", type=int, default=5)
    ap.add_argument("--max-delay", type=float, default=0.5, help="a kill lands 0–this many seconds after the "
                    "worker's first accepted message")
    ap.add_argument("--skew-minutes", type=int, default=6)
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    for kind in ("sqlite", "postgres"):
        if args.db in (kind, "both"):
            run(kind, args)


if __name__ == "__main__":
    main()
