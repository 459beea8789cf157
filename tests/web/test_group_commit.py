"""web.concurrency.GroupCommit: one writer thread, batches of whatever arrived, a result per caller."""

from __future__ import annotations

import threading
import time
from concurrent.futures import wait

import pytest

from web.concurrency import GroupCommit


def test_items_that_arrive_while_a_batch_is_written_share_the_next_batch() -> None:
    batches: list[list[int]] = []
    gate = threading.Event()

    def write_many(items: list[int]) -> list[int | Exception]:
        if not batches:
            gate.wait(5)  # hold the first batch until the others have queued
        batches.append(items)
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]

    gc: GroupCommit[int, int] = GroupCommit(write_many, max_batch=4)
    first = gc.submit(0)
    time.sleep(0.05)
    rest = [gc.submit(i) for i in range(1, 7)]
    gate.set()
    wait([first, *rest], timeout=5)
    assert batches == [[0], [1, 2, 3, 4], [5, 6]]
    assert first.result() == 0 and rest[1].result() == 20 and rest[3].result() == 40
    with pytest.raises(ValueError, match="odd 3"):
        rest[2].result()
    gc.close()


def test_a_failure_of_the_whole_batch_reaches_every_caller() -> None:
    def write_many(items: list[int]) -> list[int | Exception]:
        raise RuntimeError("database gone")

    gc: GroupCommit[int, int] = GroupCommit(write_many)
    futs = [gc.submit(i) for i in range(3)]
    for f in futs:
        with pytest.raises(RuntimeError, match="database gone"):
            f.result(timeout=5)
    gc.close()


def test_no_thread_until_first_use_and_close_stops_it() -> None:
    gc: GroupCommit[int, int] = GroupCommit(lambda items: list(items), name="gc-test")
    assert not any(t.name == "gc-test" for t in threading.enumerate())
    gc.close()  # closing an unused writer is a no-op
    assert gc.submit(7).result(timeout=5) == 7
    gc.close()
    deadline = time.monotonic() + 5
    while any(t.name == "gc-test" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(t.name == "gc-test" for t in threading.enumerate())


def test_a_miscounted_result_fails_the_batch_and_the_writer_lives_on() -> None:
    calls: list[list[int]] = []

    def write_many(items: list[int]) -> list[int | Exception]:
        calls.append(items)
        return [] if len(calls) == 1 else list(items)  # the first call loses its results

    gc: GroupCommit[int, int] = GroupCommit(write_many)
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        gc.submit(1).result(timeout=5)
    assert gc.submit(2).result(timeout=5) == 2  # the next batch is still written
    gc.close()
