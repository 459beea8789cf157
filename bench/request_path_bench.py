"""Transactions and SQL statements on the request path of one action (issue 17): an API action, a page action's
POST (up to its redirect) and the case page shown after it — counted with SQLAlchemy engine events on SQLite.

Runs from any checkout that has the same public names (web.app.create_app, tests.helpers.make_staff, …), so the
same file measures before and after a change:  python bench/request_path_bench.py  (from the checkout's root).

Usage: python bench/request_path_bench.py [--label NAME]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path.cwd()))

from fastapi.testclient import TestClient
from sqlalchemy import event

from db.engine import make_engine
from settings import Settings
from tests.helpers import make_staff, registration
from web.app import create_app
from workflow.agencies.bootstrap import ensure_database
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.timesource import FixedTime

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Counter:
    def __init__(self, engine: Any) -> None:
        self.tx = self.stmts = 0
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "before_cursor_execute", self._stmt)

    def _begin(self, conn: Any) -> None:
        self.tx += 1

    def _stmt(self, *args: Any) -> None:
        self.stmts += 1

    @contextmanager
    def measure(self, out: dict[str, tuple[int, int]], name: str) -> Iterator[None]:
        tx, st = self.tx, self.stmts
        yield
        out[name] = (self.tx - tx, self.stmts - st)


def run() -> dict[str, tuple[int, int]]:
    tmp = Path(tempfile.mkdtemp(prefix="banli-path-"))
    settings = Settings(database_url=f"sqlite:///{tmp / 'b.db'}", var_dir=tmp / "var", scheduler="off")
    engine = make_engine(settings.database_url)
    ensure_database(engine, settings, now=T0)
    staff = make_staff(engine, T0)
    app = create_app(settings, engine, FixedTime(T0), run_scheduler=False)
    ids = [wf.register(engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)), staff.front,
                       T0).id for _ in range(2)]
    counter = Counter(engine)
    out: dict[str, tuple[int, int]] = {}
    with TestClient(app) as api:
        tok = api.post("/api/token", data={"username": "default-officer", "password": "password123"}).json()
        h = {"Authorization": f"Bearer {tok['access_token']}"}
        api.get(f"/api/disclosures/{ids[0]}", headers=h)  # warm caches (agency context, templates)
        with counter.measure(out, "API POST action"):
            r = api.post(f"/api/disclosures/{ids[0]}/actions/request_reasons", headers=h,
                         json={"payload": {"facts": "一个月内提出同类申请三十余件"}})
        assert r.status_code == 200, r.text
    page = TestClient(app, headers={"accept": "text/html"}, follow_redirects=False)
    token = CSRF.search(page.get("/login").text)
    assert token
    page.post("/login", data={"username": "default-officer", "password": "password123", "csrf_token": token.group(1)})
    html = page.get(f"/cases/disclosure/{ids[1]}").text
    token = CSRF.search(html)
    assert token
    with counter.measure(out, "page POST action (to its redirect)"):
        r = page.post(f"/cases/disclosure/{ids[1]}/actions/request_reasons",
                      data={"facts": "一个月内提出同类申请三十余件", "period_days": "10", "csrf_token": token.group(1)})
    assert r.status_code == 303, r.text[:500]
    with counter.measure(out, "case page after the action"):
        assert page.get(r.headers["location"]).status_code == 200
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="this tree")
    args = ap.parse_args()
    for name, (tx, st) in run().items():
        print(f"| {args.label} | {name} | {tx} | {st} |")


if __name__ == "__main__":
    main()
