"""Rate limits for the public side (look-ups, online submissions, challenge answers), counted in the
database so that every instance on one PostgreSQL (or every process on one SQLite file) shares them.

A sliding-window counter: attempts are counted in fixed windows; the estimate for the last window
length is the current window's count plus the previous window's, weighted by how much of it still
lies within the last window length. Every attempt counts, refused ones included (hammering keeps a
key blocked). One short write transaction per attempt, whatever the number of limits it is
counted against (``attempt``); windows older than the previous one are
deleted whenever a key opens a new window. A refused attempt is told how long to wait (``Retry-After``): the
seconds until one more attempt would be within the limit, if none is made meanwhile.

``PublicLimits`` is the one set of public limits and the keys they count (the look-up per address and per number,
online submissions and wrong challenge answers per address), shared by the pages and the API.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, delete, select

from db.engine import conflict_insert, write_session
from db.models import RateCounter
from workflow.errors import TooManyAttempts

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

    def _count(self, s: Any, key: str, t: float) -> float | None:
        """Count one attempt inside the caller's transaction; None when it is within the limit, else the seconds
        until one more would be."""
        ws = int(t // self.window) * self.window
        params = {"scope": self.scope, "key": key[:200]}
        count = int(s.execute(self._upsert, {**params, "ws": ws}).scalar_one())
        previous = int(s.execute(_PREVIOUS, {**params, "ws": ws - self.window}).scalar_one_or_none() or 0)
        if count == 1:  # a new window for this key: forget windows no estimate needs any more
            s.execute(_EXPIRE, {"scope": self.scope, "ws": ws - self.window})
        weight = 1.0 - (t - ws) / self.window
        if count + previous * weight <= self.limit:
            return None
        return wait_seconds(count, previous, t - ws, self.window, self.limit)


def wait_seconds(count: int, previous: int, into: float, window: int, limit: int) -> float:
    """How long after a refused attempt one more is within the limit, if none is made meanwhile: ``count`` attempts
    in the current window (``into`` seconds old), ``previous`` in the one before it.

    Within this window the estimate of the next attempt is ``count + 1 + previous × (1 − into/window)``, which falls
    as the previous window slides out; when this window already holds the limit, the next one must begin and
    this window's ``count`` slide out far enough (``1 + count × (1 − into'/window)``)."""
    if count + 1 <= limit:
        if previous == 0:
            return 0.0
        return max(0.0, window * (1 - (limit - count - 1) / previous) - into)
    return window - into + window * max(0.0, 1 - (limit - 1) / count)


def attempt(checks: Sequence[tuple[SharedRateLimiter, str]], now: float | None = None) -> int | None:
    """Count one attempt on every (limiter, key) in one transaction; None when all are within their limits, else
    the whole seconds (at least 1) until one more would be within all of them.

    Every key is counted even when an earlier one is over its limit (refused attempts count)."""
    if not checks:
        return None
    t = time.time() if now is None else now  # wall time: windows must agree across instances
    with write_session(checks[0][0].engine) as s:
        waits = [limiter._count(s, key, t) for limiter, key in checks]
        s.commit()
    refused = [w for w in waits if w is not None]
    return max(1, math.ceil(max(refused))) if refused else None


def allow_all(checks: Sequence[tuple[SharedRateLimiter, str]], now: float | None = None) -> bool:
    """``attempt``: True when every limit allows it."""
    return attempt(checks, now) is None


LOOKUP_REFUSED = "查询过于频繁，请稍后再试"
SUBMISSIONS_REFUSED = "本网络地址提交申请过于频繁，请稍后再试，或者当面、邮寄提交申请"
CHALLENGE_REFUSED = "验证题答错次数过多，请稍后再试"


@dataclass(frozen=True)
class PublicLimits:
    """The public side's limits, one set per app (web.app), shared by the look-up, the portal pages and the API."""

    lookup_ip: SharedRateLimiter  # look-ups and the applicant's actions, per address
    lookup_no: SharedRateLimiter  # … per tracking or submission number
    submit_ip: SharedRateLimiter  # online submissions, per address (counted when a valid one is about to be written)
    challenge_ip: SharedRateLimiter  # wrong (or invalid, expired, spent) challenge answers, per address

    @classmethod
    def on(cls, engine: Engine) -> PublicLimits:
        """Look-ups 20 a minute per address and 10 a minute per number; per address 5 online submissions an hour
        and 10 wrong challenge answers in 10 minutes."""
        return cls(SharedRateLimiter(engine, "lookup_ip", 20, 60), SharedRateLimiter(engine, "lookup_no", 10, 60),
                   SharedRateLimiter(engine, "submit_ip", 5, 3600), SharedRateLimiter(engine, "challenge_ip", 10, 600))

    def lookup(self, ip: str, number: str, now: float | None = None) -> int | None:
        """Count a look-up (or an applicant's action) by ``ip`` on ``number``; None, or the seconds to wait."""
        return attempt([(self.lookup_ip, "ip:" + ip), (self.lookup_no, "no:" + number.strip())], now)

    def check_lookup(self, ip: str, number: str) -> None:
        """``lookup``, refused with TooManyAttempts."""
        wait = self.lookup(ip, number)
        if wait is not None:
            raise TooManyAttempts("rate_limited", LOOKUP_REFUSED, wait)

    def check_submission(self, ip: str) -> None:
        """Count an online submission about to be written; TooManyAttempts over the limit."""
        wait = attempt([(self.submit_ip, "ip:" + ip)])
        if wait is not None:
            raise TooManyAttempts("too_many_submissions", SUBMISSIONS_REFUSED, wait)

    def check_challenge_failure(self, ip: str) -> None:
        """Count a challenge answered wrongly (or with an invalid, expired or spent question); TooManyAttempts over
        the limit."""
        wait = attempt([(self.challenge_ip, "ip:" + ip)])
        if wait is not None:
            raise TooManyAttempts("too_many_wrong_answers", CHALLENGE_REFUSED, wait)
