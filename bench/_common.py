"""What the benchmarks share: a fresh database, wall and CPU timing, a scratch PostgreSQL database, the machine
line of a report section, and the section printed and appended to docs/benchmarks.md.

The benchmarks run as scripts from the repository root (``python bench/x.py``): Python puts bench/ on the path
(``from _common import …``, as hotline_stats_bench imports report_bench); each script puts the root there too
before importing the project, as this module does."""

from __future__ import annotations

import gc
import os
import platform
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine.url import make_url

from db.engine import make_engine
from settings import Settings
from workflow.agencies.bootstrap import ensure_database

CPU: dict[str, float] = {}  # this process's CPU seconds of the calls timed with a cpu_key


def fresh(url: str, tmp: Path, now: datetime) -> Engine:
    """An engine on ``url``, migrated and bootstrapped (default agency, administrator), the scheduler off."""
    engine = make_engine(url)
    ensure_database(engine, Settings(database_url=url, var_dir=tmp, secret_key="bench-secret-key-0123456789",
                                     scheduler="off"), now=now)
    return engine


def timed(fn: Callable[[], Any], cpu_key: str | None = None) -> tuple[float, Any]:
    """Wall seconds (and, under ``cpu_key`` in CPU, this process's CPU seconds) of one call, and its result."""
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    if cpu_key:
        CPU[cpu_key] = time.process_time() - c0
    return time.perf_counter() - t0, out


@contextmanager
def scratch_postgres(admin_url: str, prefix: str = "banli_bench", *, keep: bool = False,
                     template: str | None = None) -> Iterator[str]:
    """A new, empty PostgreSQL database (created through ``admin_url``; a copy of the database ``template`` when
    given — nobody may be connected to it) for the block: its URL. Dropped after, whatever happened (dispose engines
    on it first) — unless ``keep`` (its name is printed, to look into it)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"kept the database {name}", flush=True)
        else:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def machine(note: str) -> str:
    """The "Machine:" line of a report section; ``note`` says how far the figures may be trusted."""
    return (f"Machine: CPython {platform.python_version()}, {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} cores shared with other jobs ({note}).")


def publish(lines: list[str], append: Path | None) -> None:
    """Print a report section and append it to ``append`` (docs/benchmarks.md) when given."""
    section = "\n".join(lines) + "\n"
    print(section)
    if append:
        with append.open("a", encoding="utf-8") as fh:
            fh.write(section)
