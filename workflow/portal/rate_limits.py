"""Rate limits for the public side (look-ups, online submissions, challenge answers), counted in the
database so that every instance on one PostgreSQL (or every process on one SQLite file) shares them.

A sliding-window counter: attempts are counted in fixed windows; the estimate for the last window
length is the current window's count plus the previous window's, weighted by how much of it still
lies within the last window length. Every attempt counts, refused ones included (hammering keeps a
key blocked). One short write transaction per attempt, whatever the number of limits it is
counted against (``allow_all``); windows older than the previous one are
deleted whenever a key opens a new window.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, bindparam, delete, select

from db.engine import conflict_insert, write_session
from db.models import RateCounter

_T = RateCounter.__table__  # type: ignore[attr-defined]


def _upsert(dialect: str) -> Any:
    ins = conflict_insert(dialect, _T).values(
        scope=bindparam("scope"), key=bindparam("key"), window_start=bindparam("ws"), count=1)
    return ins.on_conflict_do_update(index_elements=["scope", "key", "window_start"],
                                     set_={"count": _T.c.count + 1}).returning(_T.c.count)


_PREVIOUS = select(_T.c.count).where(_T.c.scope == bindparam("scope"), _T.c.key == bindparam("key"),
                                     _T.c.window_start == bindparam("ws"))
_EXPIRE = delete(_T).where(_T.c.scope == bindparam("scope"), _T.c.window_start < bindparam("ws"))


class SharedRateLimiter:
    """At most ``limit`` attempts per key in any ``window_s`` seconds (approximately: sliding counter)."""

    def __init__(self, engine: Engine, scope: str, limit: int, window_s: int) -> None:
        if limit < 1 or window_s < 1:
            raise ValueError("limit and window must be positive")
        self.engine, self.scope, self.limit, self.window = engine, scope, limit, int(window_s)
        self._upsert = _upsert(engine.dialect.name)

    def allow(self, key: str, now: float | None = None) -> bool:
        return allow_all([(self, key)], now)

    def _count(self, s: Any, key: str, t: float) -> bool:
        """Count one attempt inside the caller's transaction; True when it is within the limit."""
        ws = int(t // self.window) * self.window
        params = {"scope": self.scope, "key": key[:200]}
        count = int(s.execute(self._upsert, {**params, "ws": ws}).scalar_one())
        previous = s.execute(_PREVIOUS, {**params, "ws": ws - self.window}).scalar_one_or_none() or 0
        if count == 1:  # a new window for this key: forget windows no estimate needs any more
            s.execute(_EXPIRE, {"scope": self.scope, "ws": ws - self.window})
        weight = 1.0 - (t - ws) / self.window
        return count + previous * weight <= self.limit


def allow_all(checks: Sequence[tuple[SharedRateLimiter, str]], now: float | None = None) -> bool:
    """Count one attempt on every (limiter, key) in one transaction; True when all are within their limits.

    Every key is counted even when an earlier one is over its limit (refused attempts count)."""
    if not checks:
        return True
    t = time.time() if now is None else now  # wall time: windows must agree across instances
    with write_session(checks[0][0].engine) as s:
        ok = [limiter._count(s, key, t) for limiter, key in checks]
        s.commit()
    return all(ok)
