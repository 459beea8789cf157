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
import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 — an item handed to a GroupCommit
R = TypeVar("R")
SWITCH_INTERVAL_S = 0.001


def tune_process() -> None:
    """For server processes (``banli serve``, the uvicorn factory): a shorter GIL switch interval.

    A thread returning from a database call (which releases the GIL) waits for the event loop thread
    to give the GIL back — up to the switch interval (5 ms by default) every time. With several such
    calls per transaction, and the write lock held meanwhile, that wait dominated registration.
    """
    sys.setswitchinterval(SWITCH_INTERVAL_S)


class GroupCommit(Generic[I, R]):
    """Group commit: one thread writes, in one transaction, whatever arrived while it last wrote.

    ``write_many(items)`` returns one result (or exception) per item, in order. At low load a batch
    is a single item and nothing waits; under load the fixed costs of a transaction (the write
    lock, the commit's WAL write or fsync, a counter row held to commit) are shared by the batch.
    """

    def __init__(self, write_many: Callable[[list[I]], list[R | Exception]], *, max_batch: int = 64,
                 name: str = "banli-group-commit") -> None:
        self._write_many = write_many
        self._max = max_batch
        self._name = name
        self._queue: queue.SimpleQueue[tuple[I, Future[R]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, item: I) -> Future[R]:
        fut: Future[R] = Future()
        with self._lock:
            if self._thread is None:  # started on first use (an app that never registers has no thread)
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
        self._queue.put((item, fut))
        return fut

    def close(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._queue.put(None)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._deliver(batch)
            if stop:
                return

    def _deliver(self, batch: list[tuple[I, Future[R]]]) -> None:
        try:
            results = self._write_many([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"write_many returned {len(results)} results for {len(batch)} items")
        except Exception as exc:  # write_many failed as a whole: every caller gets the error, the thread lives on
            results = [exc] * len(batch)
        for (_, fut), r in zip(batch, results, strict=True):
            if isinstance(r, Exception):
                fut.set_exception(r)
            else:
                fut.set_result(r)


def install(app: FastAPI, *, sqlite: bool, pg_threads: int = 8) -> None:
    app.state.write_executor = ThreadPoolExecutor(max_workers=4 if sqlite else pg_threads,
                                                  thread_name_prefix="banli-write")
    from workflow.disclosure.actions import register_batch

    app.state.registrations = GroupCommit(lambda items: register_batch(app.state.engine, items),
                                          name="banli-registrations")


def shutdown(app: FastAPI) -> None:
    ex: ThreadPoolExecutor | None = getattr(app.state, "write_executor", None)
    if ex is not None:
        ex.shutdown(wait=False)
    gc: GroupCommit[Any, Any] | None = getattr(app.state, "registrations", None)
    if gc is not None:
        gc.close()


async def group_commit(request: Request, name: str, item: Any) -> Any:
    """Hand ``item`` to the app's group-commit writer ``name`` and await its own result."""
    gc: GroupCommit[Any, Any] = getattr(request.app.state, name)
    return await asyncio.wrap_future(gc.submit(item))


async def run_write(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a workflow write function in the app's writer pool and await its result."""
    ex: ThreadPoolExecutor = request.app.state.write_executor
    return await asyncio.get_running_loop().run_in_executor(ex, functools.partial(fn, *args, **kwargs))
