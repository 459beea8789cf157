"""deliver_due is callable from any thread: also one that already runs an event loop (an async framework, or a
test worker after a browser test), where ``asyncio.run`` alone would refuse."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from notifications.outbox import deliver_due


def test_deliver_due_from_a_thread_with_a_running_loop(db, clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = db.settings.model_copy(update={"outbox_dir": tmp_path / "eml"})

    async def inside() -> object:
        return deliver_due(db.engine, clock.now(), instance="loop", settings=settings)

    plain = deliver_due(db.engine, clock.now(), instance="plain", settings=settings)
    # The loop runs on a thread of its own: this pytest worker's thread may already run one (a browser test's), and
    # then asyncio.run here would refuse before deliver_due is even called.
    with ThreadPoolExecutor(1) as pool:
        assert type(pool.submit(asyncio.run, inside()).result()) is type(plain)
