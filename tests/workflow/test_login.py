"""Logins (issue 15): the password hash runs outside any write transaction, and every answer — unknown, wrong,
locked, deactivated, right — costs exactly one hash, so timing tells nothing about the account (the login
throttles themselves: tests/workflow/test_login_throttle.py)."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import select

from db.engine import write_session
from db.models import Event, LoginThrottle, User
from tests.conftest import Db
from tests.helpers import make_staff
from workflow.accounts import throttle, users
from workflow.timesource import FixedTime

LIMITS = throttle.LoginLimits(name=throttle.Limit(3, 900), address=throttle.Limit(30, 900))


def _login(db: Db, clock: FixedTime, name: str, password: str) -> users.AuthResult:
    return users.authenticate(db.engine, name, password, now=clock.now(), ip="203.0.113.9", limits=LIMITS)


def _prepare(db: Db, clock: FixedTime) -> None:
    make_staff(db.engine, clock.now())
    with write_session(db.engine) as s:
        until = clock.now() + timedelta(minutes=10)
        s.add(LoginThrottle(scope=throttle.NAME, key="default-leader", failures=3, window_start=clock.now(),
                            blocked_until=until, expires_at=until))
        gone = s.exec(select(User).where(User.username == "default-officer2")).one()
        gone.active = False
        s.commit()


CASES = {  # what is tried → the answer's code
    "unknown": ("nobody-at-all", "password123", "bad_credentials"),
    "wrong": ("default-front", "wrong-password", "bad_credentials"),
    "locked": ("default-leader", "password123", "locked"),
    "deactivated": ("default-officer2", "password123", "bad_credentials"),
    "right": ("default-admin", "password123", None),
}


def test_every_answer_costs_one_hash_outside_the_write_lock(db: Db, clock: FixedTime, monkeypatch) -> None:
    _prepare(db, clock)
    real = users.verify_password
    hashes: list[str] = []

    def verify(stored: str, password: str) -> bool:
        # another writer gets the database while the hash runs (it would wait, then time out, under the lock)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(_touch, db).result(timeout=10)
        hashes.append(stored)
        return real(stored, password)

    monkeypatch.setattr(users, "verify_password", verify)
    for kind, (name, password, code) in CASES.items():
        hashes.clear()
        res = _login(db, clock, name, password)
        assert res.code == code, kind
        assert len(hashes) == 1, (kind, len(hashes))
    with write_session(db.engine) as s:  # the wrong password was audited, nothing else
        events = s.exec(select(Event).where(Event.action == "login_failed")).all()
        assert [e.payload["username"] for e in events] == ["default-front"]
        counts = {(r.scope, r.key): r.failures for r in s.exec(select(LoginThrottle)).all()}
    # the failures (unknown, wrong, deactivated) counted against the address and each name; the attempt on the
    # locked name is not counted again, and the right password counts nowhere
    assert counts == {("ip", "203.0.113.9"): 3, ("name", "nobody-at-all"): 1, ("name", "default-front"): 1,
                      ("name", "default-officer2"): 1, ("name", "default-leader"): 3}


def _touch(db: Db) -> None:
    with write_session(db.engine) as s:
        s.exec(select(User).limit(1)).first()
        s.commit()


@pytest.mark.slow
def test_unknown_wrong_and_locked_take_the_same_time(sqlite_db: Db, clock: FixedTime) -> None:
    _prepare(sqlite_db, clock)
    # The kinds are measured in turns (round by round, each round in another order), so a change of the machine's
    # load during the test falls on every kind alike instead of on whichever was measured then.
    kinds = ("unknown", "wrong", "locked", "deactivated")
    samples: dict[str, list[float]] = {k: [] for k in kinds}
    for round_ in range(11):  # medians of 11 turns: one busy second of a neighbour moves none of them
        for kind in kinds[round_ % 4:] + kinds[:round_ % 4]:
            name, password, _ = CASES[kind]
            start = time.perf_counter()
            _login(sqlite_db, clock, name, password)
            samples[kind].append(time.perf_counter() - start)
            if kind == "wrong":
                with write_session(sqlite_db.engine) as s:  # keep "wrong" from locking the account mid-measurement
                    throttle.clear_name(s, "default-front")
                    s.commit()
    times = {k: statistics.median(v) for k, v in samples.items()}
    slowest, fastest = max(times.values()), min(times.values())
    # before: a locked account answered ~8× faster than an unknown one (no hash)
    assert fastest > 0.6 * slowest, times


def test_hashes_run_in_one_thread_of_lower_priority(monkeypatch) -> None:
    import os
    import sys
    import threading

    from workflow.accounts import passwords

    def where() -> tuple[int, int]:
        return threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    first, again = passwords._hashing().submit(where).result(), passwords._hashing().submit(where).result()
    assert first == again and first[0] != threading.get_native_id()  # one thread, not the caller's
    if sys.platform == "linux":
        mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        assert first[1] == min(19, mine + passwords.HASH_NICE)


def test_password_changes_and_new_accounts_hash_outside_the_write_lock(db: Db, clock: FixedTime, monkeypatch) -> None:
    """Every hash (checking the current password, the new one) runs while another writer can get the database."""
    from workflow.accounts import admin, passwords

    staff = make_staff(db.engine, clock.now())
    calls: list[str] = []

    def guarded(name: str, real):  # type: ignore[no-untyped-def]
        def run(*args: str) -> object:
            with ThreadPoolExecutor(1) as pool:
                pool.submit(_touch, db).result(timeout=10)
            calls.append(name)
            return real(*args)
        return run

    for module in (admin, users):
        monkeypatch.setattr(module, "hash_password", guarded("hash", passwords.hash_password))
    monkeypatch.setattr(admin, "verify_password", guarded("verify", passwords.verify_password))
    admin.change_own_password(db.engine, staff.front, "password123", "new-password-1", "new-password-1",
                              now=clock.now())
    assert calls == ["verify", "verify", "hash"]
    admin.reset_password(db.engine, staff.front.id, "reset-password-2", agency_id=staff.agency_id, actor=staff.admin,
                         now=clock.now())
    users.create_user(db.engine, agency_code="default", username="new-clerk", password="password-3",
                      roles=["front_desk"], display_name="新同事", now=clock.now(), actor=staff.admin)
    assert calls == ["verify", "verify", "hash", "hash", "hash"]
    assert _login(db, clock, "default-front", "reset-password-2").user is not None
    assert _login(db, clock, "new-clerk", "password-3").user is not None
