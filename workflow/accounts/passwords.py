"""Password hashes (argon2id), computed away from the requests around them.

A hash costs ~0.1 s of CPU on every core at once (its lanes run in threads) and 64 MiB of fresh memory. Every
hash of a process runs in one thread of its own, one at a time, at a lower CPU priority (nice +10, which the
threads of its lanes inherit):
- one at a time: a flood of logins hashing side by side would starve every other request of CPU; queued, a
  login waits for the hashes before it instead;
- at a lower priority: a hash gets the CPU the requests leave (all of it on a quiet server), never theirs —
  at the same priority, even one hash at a time took a third of the CPU from the requests around it
  (bench/login_flood_bench.py, docs/benchmarks.md).
Never call these inside a write transaction: the hash would hold the database's write lock.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASH_NICE = 10
_hasher = PasswordHasher()


def _lower_priority() -> None:
    """Lower the calling thread's priority (on Linux a thread has a priority of its own; elsewhere this may lower
    the whole process's, or nothing)."""
    if sys.platform != "linux":
        return
    with contextlib.suppress(AttributeError, OSError):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + HASH_NICE)


def _hash(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_pool: ThreadPoolExecutor | None = None
_pool_guard = threading.Lock()


def _hashing() -> ThreadPoolExecutor:
    global _pool
    with _pool_guard:
        if _pool is None:
            _pool = ThreadPoolExecutor(1, thread_name_prefix="banli-argon2", initializer=_lower_priority)
        return _pool


def hash_password(password: str) -> str:
    """An argon2 hash of ``password``."""
    return _hashing().submit(_hash, password).result()


def verify_password(password_hash: str, password: str) -> bool:
    return _hashing().submit(_verify, password_hash, password).result()


def _forget_pool() -> None:
    """In a forked child: the parent's hashing thread is not there; the child starts its own when it needs one."""
    global _pool, _pool_guard
    _pool, _pool_guard = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)

# What an unknown name's password is checked against, so that it costs the same hash as a known one.
DUMMY_HASH = _hasher.hash("not-a-real-password")
