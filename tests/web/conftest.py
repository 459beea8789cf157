"""API test fixtures: an app around the per-test database with a FixedClock, and bearer tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.helpers import Staff, make_staff
from web.app import create_app


@pytest.fixture
def staff(db, clock) -> Staff:  # type: ignore[no-untyped-def]
    return make_staff(db.engine, clock.now())


@pytest.fixture
def client(db, clock) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(db.settings, db.engine, clock, run_scheduler=False)
    with TestClient(app) as c:
        yield c


def token(client: TestClient, username: str, password: str = "password123") -> dict[str, str]:
    r = client.post("/api/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
