"""Web fixtures: API clients with bearer tokens; the pages' app on a migrated database with a FixedTime,
logged-in TestClients per role, and (for browser tests) uvicorn in a background thread plus Playwright
on Debian's Chromium."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from notifications.outbox import deliver_due
from tests.conftest import Db
from tests.helpers import Staff, make_staff
from web.app import create_app
from workflow.timesource import FixedTime

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=zh-CN"]


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token in page"
    return m.group(1)


@dataclass
class Web:
    app: FastAPI
    db: Db
    clock: FixedTime
    staff: Staff
    clients: dict[str, TestClient] = field(default_factory=dict)

    def client(self) -> TestClient:
        return TestClient(self.app, headers={"accept": "text/html"}, follow_redirects=False)

    def login(self, who: str, password: str = "password123") -> TestClient:
        """A client logged in as ``<agency>-<who>`` (front, officer, officer2, leader, admin)."""
        if who in self.clients:
            return self.clients[who]
        c = self.client()
        r = c.get("/login")
        token = csrf_of(r.text)
        r = c.post("/login", data={"username": self.username(who), "password": password, "csrf_token": token})
        assert r.status_code == 303, r.text
        self.clients[who] = c
        return c

    def fresh(self, who: str) -> TestClient:
        """Log in again (after moving the clock past the idle time-out)."""
        self.clients.pop(who, None)
        return self.login(who)

    def username(self, who: str) -> str:
        return f"default-{who}"

    def post(self, c: TestClient, url: str, data: dict[str, Any], page: str | None = None) -> Any:
        """POST a form with the CSRF token taken from ``page`` (default: ``url``)."""
        token = csrf_of(c.get(page or url).text)
        return c.post(url, data={**data, "csrf_token": token})


@pytest.fixture
def web(sqlite_db: Db, clock: FixedTime) -> Iterator[Web]:
    app = create_app(sqlite_db.settings, sqlite_db.engine, clock, run_scheduler=False)
    staff = make_staff(sqlite_db.engine, clock.now())
    yield Web(app, sqlite_db, clock, staff)


@pytest.fixture
def web_any(db: Db, clock: FixedTime) -> Iterator[Web]:
    """Like ``web`` but on SQLite and PostgreSQL (for the pages whose SQL differs by dialect)."""
    app = create_app(db.settings, db.engine, clock, run_scheduler=False)
    staff = make_staff(db.engine, clock.now())
    yield Web(app, db, clock, staff)


# ---------------------------------------------------------------- API (bearer tokens)


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


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    return {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": {"width": 1366, "height": 768},
            "accept_downloads": True}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    url: str
    web: Web


@pytest.fixture
def live(web: Web) -> Iterator[Live]:
    """The app served by uvicorn on a free port in a background thread (same process: the clock is shared)."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web.app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}", web)
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def register_case(web: Web, **over: Any) -> Any:
    """Register an application through the workflow (assigned to ``officer`` unless told otherwise)."""
    from tests.helpers import registration
    from workflow.disclosure import actions as wf
    from workflow.disclosure.payloads import RegisterIn

    data = registration(**over)
    data.setdefault("assignee_id", web.staff.officer.id)
    return wf.register(web.db.engine, RegisterIn.model_validate(data), web.staff.front, web.clock.now())


@contextlib.contextmanager
def sessions(web: Web) -> Iterator[list[int]]:
    """How many database connections the requests inside take from the pool (one per session that reads)."""
    taken = [0]

    def checkout(*_: Any) -> None:
        taken[0] += 1

    event.listen(web.db.engine, "checkout", checkout)
    try:
        yield taken
    finally:
        event.remove(web.db.engine, "checkout", checkout)


def drain_outbox(web: Web, *, settings: Any = None, instance: str = "test") -> Any:
    """Render and send what the outbox holds, as the scheduler would. In a thread of its own: deliver_due runs
    an event loop, and in a worker where a browser test ran, Playwright's sync API owns this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(deliver_due, web.db.engine, web.clock.now(), instance=instance,
                           settings=settings or web.db.settings).result()


def count(web: Web, model: Any) -> int:
    from sqlmodel import func, select

    from db.engine import read_session

    with read_session(web.db.engine) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


@pytest.fixture
def held_import(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Page imports wait for the returned event before they start (and the upload waits only 0.2 s for them):
    a long import, without a long file. Set the event to let them run."""
    from web import import_jobs
    from web.pages import imports

    release = threading.Event()

    def start_held(importer: Any, *args: Any, **kw: Any) -> Any:
        def held(*a: Any, **k: Any) -> Any:
            assert release.wait(30), "the test never released the import"
            return importer(*a, **k)

        return import_jobs.start_import(held, *args, **kw)

    monkeypatch.setattr(imports, "start_import", start_held)
    monkeypatch.setattr(import_jobs, "WAIT_SECONDS", 0.2)
    yield release
    release.set()
