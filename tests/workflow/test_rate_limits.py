"""Public rate limits counted in the database: shared by every instance, sliding, self-cleaning."""

from __future__ import annotations

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import RateCounter
from workflow.portal.rate_limits import SharedRateLimiter

T0 = 1_790_000_040.0  # a window boundary for 60-second windows (divisible by 60)


def test_limit_per_key_and_shared_by_instances(db) -> None:
    a = SharedRateLimiter(db.engine, "lookup_ip", 3, 60)
    b = SharedRateLimiter(db.engine, "lookup_ip", 3, 60)  # a second app instance on the same database
    assert [a.allow("ip:1", T0), b.allow("ip:1", T0 + 1), a.allow("ip:1", T0 + 2)] == [True, True, True]
    assert not b.allow("ip:1", T0 + 3)
    assert a.allow("ip:2", T0 + 3)  # another key has its own count
    other_scope = SharedRateLimiter(db.engine, "lookup_no", 3, 60)
    assert other_scope.allow("ip:1", T0 + 4)


def test_sliding_window_and_refused_attempts_count(db) -> None:
    lim = SharedRateLimiter(db.engine, "submit_ip", 3, 60)
    assert all(lim.allow("k", T0 + i) for i in range(3))
    assert not lim.allow("k", T0 + 10)  # refused, and counted: 4 in this window
    # Half-way through the next window the previous one still weighs half: 4 × 0.5 + 1 = 3 → allowed,
    # the next attempt makes 3.5 → refused.
    assert lim.allow("k", T0 + 90)
    assert not lim.allow("k", T0 + 91)
    # Two windows later the old attempts no longer count.
    assert lim.allow("k", T0 + 180)


def test_old_windows_are_deleted_when_a_key_opens_a_new_one(db) -> None:
    lim = SharedRateLimiter(db.engine, "challenge_ip", 10, 60)
    lim.allow("a", T0)
    lim.allow("b", T0 + 60)
    lim.allow("c", T0 + 180)  # opens a window: everything of this scope before T0 + 120 goes
    with read_session(db.engine) as s:
        rows = s.exec(select(RateCounter.key, RateCounter.window_start)).all()
    assert sorted(rows) == [("c", int(T0) + 180)]


def test_bad_limits_are_refused(db) -> None:
    with pytest.raises(ValueError):
        SharedRateLimiter(db.engine, "x", 0, 60)
    with pytest.raises(ValueError):
        SharedRateLimiter(db.engine, "x", 1, 0)


def test_allow_all_counts_every_limit_in_one_transaction(db) -> None:
    """A look-up counts against the IP and the number limits at once; refused by either → refused, and
    both keys counted (refused attempts count)."""
    from sqlalchemy import event

    from workflow.portal.rate_limits import allow_all

    by_ip = SharedRateLimiter(db.engine, "lookup_ip", 2, 60)
    by_no = SharedRateLimiter(db.engine, "lookup_no", 5, 60)
    commits: list[int] = []

    def on_commit(conn) -> None:
        commits.append(1)

    event.listen(db.engine, "commit", on_commit)
    try:
        assert allow_all([(by_ip, "ip:1"), (by_no, "no:A")], T0)
        assert len(commits) == 1
        assert allow_all([(by_ip, "ip:1"), (by_no, "no:A")], T0 + 1)
        assert not allow_all([(by_ip, "ip:1"), (by_no, "no:A")], T0 + 2)  # the IP is over its limit
    finally:
        event.remove(db.engine, "commit", on_commit)
    with read_session(db.engine) as s:
        counts = {(r.scope, r.key): r.count for r in s.exec(select(RateCounter)).all()}
    assert counts == {("lookup_ip", "ip:1"): 3, ("lookup_no", "no:A"): 3}
    assert allow_all([], T0)


def test_a_refused_attempt_is_told_how_long_to_wait(db) -> None:
    """Retry-After: the seconds until one more attempt is within the limit, if none is made meanwhile — and then it
    is."""
    from workflow.portal.rate_limits import attempt

    lim = SharedRateLimiter(db.engine, "submit_ip", 3, 60)
    assert [attempt([(lim, "k")], T0 + i) for i in range(3)] == [None, None, None]
    # 4 in this window: the next window must begin and these 4 weigh no more than 2 → 30 s into it
    assert attempt([(lim, "k")], T0 + 10) == 80
    assert attempt([(lim, "k")], T0 + 89) is not None  # a second early: refused (and counted, as ever)
    other = SharedRateLimiter(db.engine, "challenge_ip", 3, 60)
    for i in range(4):
        attempt([(other, "k")], T0 + i)
    # the next window, 10 s in: 1 + 4 × 50/60 > 3; the next attempt (the 2nd there) fits once 4 × w ≤ 1, 45 s in
    assert attempt([(other, "k")], T0 + 70) == 35
    assert attempt([(other, "k")], T0 + 105) is None
    # with several limits, the longest wait
    a, b = SharedRateLimiter(db.engine, "lookup_ip", 1, 60), SharedRateLimiter(db.engine, "lookup_no", 1, 600)
    assert attempt([(a, "x"), (b, "y")], T0) is None
    into = (T0 + 30) % 600  # how far into b's window: 2 there, the next window must begin and the 2 slide out
    assert attempt([(a, "x"), (b, "y")], T0 + 30) == 600 - into + 600
