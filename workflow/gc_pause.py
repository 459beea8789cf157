"""Fewer garbage-collector passes while an import runs.

An import allocates millions of short-lived containers (ORM objects, their state, payloads, contexts); CPython's
cyclic collector runs a young pass every 700 of them and now and then a full pass over every object the process
holds (~170,000 after start-up: modules, the ORM's and pydantic's schemas) — 12 % of the go-live import's CPU
(bench/golive_import_bench.py). ``fewer_collections`` moves the objects that exist when the import starts out of the
collector's sight (``gc.freeze``: they are not garbage) and lets the young generation grow to ``young`` objects
before a pass; both are undone when the last import running in the process ends. Nothing is left uncollected: the
objects frozen come back under the collector afterwards, and the import's own garbage is collected as it goes, in
fewer, larger passes. Process-wide (the collector is), so concurrent imports share one pause; a process that froze
its heap itself (a pre-forking server) keeps its freeze.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 100_000  # objects allocated between two young passes during an import (CPython's default: 700)

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] = ()
_froze = False


@contextmanager
def fewer_collections(young: int = YOUNG) -> Iterator[None]:
    """Run the block with the process's objects frozen and a larger young generation (see the module docstring)."""
    global _depth, _saved, _froze
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            _froze = gc.get_freeze_count() == 0
            if _froze:
                gc.freeze()
            gc.set_threshold(max(young, _saved[0]), *_saved[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
                if _froze:
                    gc.unfreeze()
