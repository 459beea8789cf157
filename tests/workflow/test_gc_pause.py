"""workflow.gc_pause: an import runs with the process's objects frozen and a larger young generation; both are
undone when the last import ends, and a freeze the process made itself is kept."""

from __future__ import annotations

import gc
import threading

from workflow.gc_pause import YOUNG, fewer_collections


def test_the_collector_is_as_before_once_the_last_import_ends() -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with fewer_collections():
        assert gc.get_threshold()[0] == max(YOUNG, before[0]) and gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > frozen
        with fewer_collections():  # another import meanwhile (another thread of the web process)
            pass
        assert gc.get_threshold()[0] == max(YOUNG, before[0])  # still paused: the first import runs on
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


def test_an_import_that_fails_restores_the_collector_too() -> None:
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before


def test_a_freeze_the_process_made_itself_is_kept() -> None:
    gc.freeze()
    try:
        with fewer_collections():
            pass
        assert gc.get_freeze_count() > 0  # not unfrozen by the import
    finally:
        gc.unfreeze()


def test_imports_in_threads_share_one_pause() -> None:
    before = gc.get_threshold()
    started, release = threading.Barrier(3), threading.Event()

    def run() -> None:
        with fewer_collections():
            started.wait()
            release.wait(5)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    started.wait()
    assert gc.get_threshold()[0] == max(YOUNG, before[0])
    release.set()
    for t in threads:
        t.join()
    assert gc.get_threshold() == before
