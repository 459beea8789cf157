"""Where write transactions run: a small per-process thread pool, off the event loop.

Running every write in FastAPI's default pool (40 threads) lets many requests do their CPU work at
once; the one holding the database write lock then waits for the GIL behind them and every writer
queues behind it (measured: half the throughput and long tails). A pool sized to what the database
can actually run in parallel — one writer for SQLite, a few for PostgreSQL — keeps the event loop
free for reads and the lock holder running.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi import FastAPI, Request

T = TypeVar("T")
SWITCH_INTERVAL_S = 0.001


def tune_process() -> None:
    """For server processes (``banli serve``, the uvicorn factory): a shorter GIL switch interval.

    A thread returning from a database call (which releases the GIL) waits for the event loop thread
    to give the GIL back — up to the switch interval (5 ms by default) every time. With several such
    calls per transaction, and the write lock held meanwhile, that wait dominated registration.
    """
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def install(app: FastAPI, *, sqlite: bool, pg_threads: int = 8) -> None:
    app.state.write_executor = ThreadPoolExecutor(max_workers=4 if sqlite else pg_threads,
                                                  thread_name_prefix="banli-write")


def shutdown(app: FastAPI) -> None:
    ex: ThreadPoolExecutor | None = getattr(app.state, "write_executor", None)
    if ex is not None:
        ex.shutdown(wait=False)


async def run_write(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a workflow write function in the app's writer pool and await its result."""
    ex: ThreadPoolExecutor = request.app.state.write_executor
    return await asyncio.get_running_loop().run_in_executor(ex, functools.partial(fn, *args, **kwargs))
