"""Refused logins are answered late (issue 15, web.login_delay): wrong, unknown, locked and refused-address
answers all wait out ``login_failure_delay_seconds`` on the event loop, a successful login does not, and no
more than ``login_failure_delay_max_held`` answers are held at once."""

from __future__ import annotations

import asyncio
import time

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Db
from tests.helpers import make_staff, spy_on_hashes
from tests.web.conftest import csrf_of
from web.app import create_app
from workflow.timesource import FixedTime

DELAY = 0.4


@pytest.fixture()
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the middleware asks for (a good login is never held: no wait at all, whatever the load)."""
    seen: list[float] = []
    real = asyncio.sleep

    async def sleep(seconds: float) -> None:
        seen.append(seconds)
        await real(seconds)

    monkeypatch.setattr("web.login_delay.asyncio.sleep", sleep)
    return seen


def _client(db: Db, clock: FixedTime, **update: object) -> TestClient:
    settings = db.settings.model_copy(update={"login_failure_delay_seconds": DELAY, **update})
    return TestClient(create_app(settings, db.engine, clock, run_scheduler=False))


def _timed(c: TestClient, username: str, password: str) -> tuple[int, float]:
    t0 = time.monotonic()
    r = c.post("/api/token", data={"username": username, "password": password})
    return r.status_code, time.monotonic() - t0


def test_every_refusal_waits_and_a_good_login_does_not(db: Db, clock: FixedTime, waits: list[float]) -> None:
    make_staff(db.engine, clock.now())
    c = _client(db, clock, login_max_failures=2, login_ip_max_failures=4)
    status, _ = _timed(c, "default-front", "password123")
    assert status == 200 and waits == []
    seen = []
    for username, password in (("nobody", "password123"), ("default-front", "wrong-pass"),
                               ("default-front", "wrong-pass"),  # the name is locked from here
                               ("default-front", "password123"),  # locked: 429
                               ("another", "password123"),  # the address's fourth failure
                               ("another", "password123")):  # the address is refused from here: 429
        status, took = _timed(c, username, password)
        seen.append(status)
        assert took >= DELAY, (username, status, took)
        assert took < DELAY + 5
    assert seen == [401, 401, 401, 429, 401, 429]


def test_the_login_page_waits_too(db: Db, clock: FixedTime) -> None:
    make_staff(db.engine, clock.now())
    c = _client(db, clock)
    token = csrf_of(c.get("/login").text)
    t0 = time.monotonic()
    page = c.post("/login", data={"username": "default-front", "password": "wrong-pass", "csrf_token": token})
    assert page.status_code == 401 and "用户名或密码错误" in page.text
    assert time.monotonic() - t0 >= DELAY


def test_beyond_the_cap_refusals_go_out_at_once(db: Db, clock: FixedTime, waits: list[float]) -> None:
    make_staff(db.engine, clock.now())
    c = _client(db, clock, login_failure_delay_max_held=0)
    status, _ = _timed(c, "nobody", "password123")
    assert status == 401 and waits == []


@pytest.fixture()
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The password hashes authenticate verifies against (the dummy one included)."""
    return spy_on_hashes(monkeypatch)


def test_with_a_floor_only_an_active_unlocked_account_is_hashed(db: Db, clock: FixedTime,
                                                                 hashes: list[str]) -> None:
    """A floor long enough to cover a hash evens the answers: unknown and locked names cost no hash (a flood of
    made-up names from many addresses costs no hashing), and still take the floor's time."""
    make_staff(db.engine, clock.now())
    c = _client(db, clock, login_failure_delay_seconds=0.6, login_max_failures=2)
    for username, password, status, hashed in (("nobody", "password123", 401, 0),
                                                ("default-front", "wrong-pass", 401, 1),
                                                ("default-front", "wrong-pass", 401, 1),  # locks the name
                                                ("default-front", "password123", 429, 0),  # locked
                                                ("default-leader", "password123", 200, 1)):
        before = len(hashes)
        got, took = _timed(c, username, password)
        assert (got, len(hashes) - before) == (status, hashed), username
        if status != 200:
            assert took >= 0.6


def test_without_a_floor_every_answer_costs_a_hash(db: Db, clock: FixedTime, hashes: list[str]) -> None:
    make_staff(db.engine, clock.now())
    c = _client(db, clock, login_failure_delay_seconds=0.0)
    assert _timed(c, "nobody", "password123")[0] == 401 and len(hashes) == 1
