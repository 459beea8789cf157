"""Login throttles counted in the database (issue 15): per client address and per login name, failures only,
shared by every instance on one database; a blocked address is refused before any hash and without a write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import event
from sqlmodel import select

from db.engine import make_engine, read_session, write_session
from db.models import LoginThrottle
from tests.conftest import Db
from tests.helpers import make_staff, spy_on_hashes
from workflow.accounts import throttle, users
from workflow.accounts.admin import unlock
from workflow.timesource import FixedTime

LIMITS = throttle.LoginLimits(name=throttle.Limit(3, 900), address=throttle.Limit(5, 600))
OFFICE = "198.51.100.7"


def _login(engine, clock: FixedTime, name: str, password: str, ip: str = OFFICE) -> users.AuthResult:  # type: ignore[no-untyped-def]
    return users.authenticate(engine, name, password, now=clock.now(), ip=ip, limits=LIMITS)


def _counts(db: Db) -> dict[tuple[str, str], int]:
    with read_session(db.engine) as s:
        return {(r.scope, r.key): r.failures for r in s.exec(select(LoginThrottle)).all()}


def test_an_address_is_refused_after_its_failures_before_any_hash_or_write(db: Db, clock: FixedTime,
                                                                           monkeypatch) -> None:
    make_staff(db.engine, clock.now())
    for i in range(LIMITS.address.max_failures):  # different names: no name reaches its own limit
        assert _login(db.engine, clock, f"guess-{i}", "password123").code == "bad_credentials"
    hashes = spy_on_hashes(monkeypatch)
    commits: list[int] = []
    event.listen(db.engine, "commit", lambda conn: commits.append(1))
    clock.advance(seconds=60)
    res = _login(db.engine, clock, "default-front", "password123")  # even the right password, from there
    assert (res.user, res.code, res.retry_after) == (None, "login_throttled", 540)
    assert "网络地址" in (res.error or "") and "约 9 分钟" in (res.error or "")
    assert hashes == [] and commits == []  # refused on one read: no hash, no write
    assert _counts(db)[("ip", OFFICE)] == LIMITS.address.max_failures
    # another address is not affected; after the window the office may try again
    assert _login(db.engine, clock, "default-front", "password123", ip="192.0.2.1").user is not None
    clock.advance(seconds=541)
    assert _login(db.engine, clock, "default-front", "password123").user is not None


def test_only_failures_count_so_an_office_behind_one_address_keeps_logging_in(db: Db, clock: FixedTime,
                                                                              monkeypatch) -> None:
    make_staff(db.engine, clock.now())
    monkeypatch.setattr(users, "verify_password", lambda h, p: p == "password123")  # fast: the rule, not argon2
    for who in ("front", "officer", "officer2", "leader", "admin") * 10:  # fifty good logins, one address
        assert _login(db.engine, clock, f"default-{who}", "password123").user is not None
    for _ in range(LIMITS.address.max_failures - 1):
        _login(db.engine, clock, "default-officer", "typo-typo")
        assert _login(db.engine, clock, "default-officer", "password123").user is not None  # clears the name
    assert _counts(db) == {("ip", OFFICE): LIMITS.address.max_failures - 1}
    assert _login(db.engine, clock, "default-front", "password123").user is not None


def test_a_name_locks_the_same_way_whether_or_not_an_account_has_it(db: Db, clock: FixedTime, monkeypatch) -> None:
    make_staff(db.engine, clock.now())
    monkeypatch.setattr(users, "verify_password", lambda h, p: p == "password123")
    answers: dict[str, list[tuple[str | None, int | None]]] = {}
    for name in ("default-front", "nobody-here"):  # each attempt from another address: the name's own count
        seen = []
        for i in range(LIMITS.name.max_failures + 1):
            res = _login(db.engine, clock, name, "wrong-password", ip=f"192.0.2.{i}")
            seen.append((res.code, res.retry_after))
        res = _login(db.engine, clock, name, "password123", ip="192.0.2.99")
        seen.append((res.code, res.retry_after))
        answers[name] = seen
    assert answers["default-front"] == answers["nobody-here"] == (
        [("bad_credentials", None)] * LIMITS.name.max_failures + [("locked", 900), ("locked", 900)])
    clock.advance(seconds=901)
    assert _login(db.engine, clock, "default-front", "password123").user is not None


def test_an_administrator_unlocks_a_name_and_a_good_login_clears_its_failures(db: Db, clock: FixedTime,
                                                                              monkeypatch) -> None:
    staff = make_staff(db.engine, clock.now())
    monkeypatch.setattr(users, "verify_password", lambda h, p: p == "password123")
    for _ in range(LIMITS.name.max_failures):
        _login(db.engine, clock, "default-front", "wrong-password")
    with read_session(db.engine) as s:
        assert throttle.locked_names(s, ["default-front", "default-officer"], clock.now()) == {"default-front"}
    assert _login(db.engine, clock, "default-front", "password123").code == "locked"
    unlock(db.engine, staff.front.id, agency_id=staff.agency_id, actor=staff.admin,
           now=clock.now())
    assert _login(db.engine, clock, "default-front", "password123").user is not None
    _login(db.engine, clock, "default-officer", "wrong-password")
    assert ("name", "default-officer") in _counts(db)
    assert _login(db.engine, clock, "default-officer", "password123").user is not None
    assert ("name", "default-officer") not in _counts(db)


def test_two_instances_on_one_database_share_the_counts(db: Db, clock: FixedTime, monkeypatch) -> None:
    """Two app instances are two engines (two connection pools) on the same database."""
    make_staff(db.engine, clock.now())
    monkeypatch.setattr(users, "verify_password", lambda h, p: p == "password123")
    other = make_engine(db.url)
    try:
        for i in range(LIMITS.address.max_failures):
            engine = db.engine if i % 2 else other
            assert _login(engine, clock, f"guess-{i}", "x" * 12).code == "bad_credentials"
        assert _login(db.engine, clock, "default-front", "password123").code == "login_throttled"
        assert _login(other, clock, "default-front", "password123").code == "login_throttled"
        for i, engine in enumerate((db.engine, other, db.engine)):  # the name's count too, from other addresses
            _login(engine, clock, "default-officer", "wrong", ip=f"203.0.113.{i}")
        assert _login(other, clock, "default-officer", "password123", ip="203.0.113.250").code == "locked"
    finally:
        other.dispose()


def test_parallel_failures_are_each_counted(db: Db, clock: FixedTime) -> None:
    limit = throttle.Limit(1000, 600)

    def fail(_: int) -> None:
        with write_session(db.engine) as s:
            throttle.count_failure(s, throttle.ADDRESS, OFFICE, limit, now=clock.now())
            s.commit()

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(fail, range(60)))
    assert _counts(db) == {("ip", OFFICE): 60}


def test_the_window_starts_anew_and_expired_rows_are_swept_by_the_next_new_key(db: Db, clock: FixedTime) -> None:
    limit = throttle.Limit(3, 600)

    def fail(key: str) -> object:
        with write_session(db.engine) as s:
            until = throttle.count_failure(s, throttle.ADDRESS, key, limit, now=clock.now())
            s.commit()
        return until

    assert [fail("a"), fail("a")] == [None, None]
    clock.advance(seconds=601)  # the window of the first two failures is over: counted from one again
    assert [fail("a"), fail("a"), fail("b")] == [None, None, None]
    assert fail("a") == clock.now() + timedelta(seconds=600)  # the third within the window blocks
    assert _counts(db) == {("ip", "a"): 3, ("ip", "b"): 1}
    clock.advance(seconds=601)
    fail("c")  # a new key's first row: the rows whose window or block is over go
    assert _counts(db) == {("ip", "c"): 1}


def test_only_the_right_password_learns_that_the_agency_is_closed(db: Db, clock: FixedTime, monkeypatch) -> None:
    from db.models import Agency

    make_staff(db.engine, clock.now())
    monkeypatch.setattr(users, "verify_password", lambda h, p: p == "password123")
    with write_session(db.engine) as s:
        s.exec(select(Agency).where(Agency.code == "default")).one().active = False
        s.commit()
    assert _login(db.engine, clock, "default-front", "wrong-password").code == "bad_credentials"
    assert _login(db.engine, clock, "default-front", "password123").code == "agency_inactive"


def test_once_this_process_has_seen_the_block_the_address_is_refused_without_the_database(db: Db, clock: FixedTime,
                                                                                          monkeypatch) -> None:
    make_staff(db.engine, clock.now())
    monkeypatch.setattr(users, "verify_password", lambda h, p: p == "password123")
    memo = throttle.AddressMemo()
    for i in range(LIMITS.address.max_failures):  # the last failure blocks the address: this process notes it
        users.authenticate(db.engine, f"guess-{i}", "x", now=clock.now(), ip=OFFICE, limits=LIMITS, memo=memo)
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    res = users.authenticate(db.engine, "default-front", "password123", now=clock.now(), ip=OFFICE, limits=LIMITS,
                             memo=memo)
    assert res.code == "login_throttled" and statements == []
    assert users.address_refused(memo, OFFICE, clock.now()) == res
    assert users.address_refused(memo, "192.0.2.1", clock.now()) is None
    # another instance (no memo of its own yet) learns it from the database, with one read
    other = throttle.AddressMemo()
    assert users.authenticate(db.engine, "default-front", "password123", now=clock.now(), ip=OFFICE, limits=LIMITS,
                              memo=other).code == "login_throttled"
    assert other.blocked_until(OFFICE, clock.now()) is not None
    assert len([st for st in statements if st.lstrip().upper().startswith("SELECT")]) == 1
    clock.advance(seconds=LIMITS.address.window_seconds)  # the block is over: the memo no longer answers
    assert users.address_refused(memo, OFFICE, clock.now()) is None
    assert users.authenticate(db.engine, "default-front", "password123", now=clock.now(), ip=OFFICE, limits=LIMITS,
                              memo=memo).user is not None
