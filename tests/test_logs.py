"""Structured logs: JSON lines with the request id, user id and agency on every line, sweep outcomes as fields,
and no personal data (masked in messages and tracebacks; SQL parameters hidden)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import Db
from tests.helpers import make_staff
from tests.web.conftest import token
from web.app import create_app
from web.deps import UserDep
from workflow.ops.logs import ContextFilter, JsonFormatter, TextFormatter, redact
from workflow.sweeps import scheduler
from workflow.sweeps.base import SweepReport
from workflow.timesource import FixedTime


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Every record logged while the test runs, formatted as the JSON option formats it."""
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield buf
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def _lines(buf: io.StringIO) -> list[dict]:
    return [json.loads(ln) for ln in buf.getvalue().splitlines() if ln.strip()]


def test_every_line_of_a_request_carries_request_user_and_agency(sqlite_db: Db, clock: FixedTime,
                                                                  json_lines: io.StringIO) -> None:
    app = create_app(sqlite_db.settings, sqlite_db.engine, clock, run_scheduler=False)
    staff = make_staff(sqlite_db.engine, clock.now())
    inner = logging.getLogger("banli.test")

    @app.get("/_log_probe")
    def probe(user: UserDep) -> dict[str, str]:  # a plain def: runs in the thread pool
        inner.warning("inside the handler")
        return {"ok": "yes"}

    with TestClient(app) as c:
        auth = token(c, "default-officer")
        json_lines.truncate(0)
        json_lines.seek(0)
        r = c.get("/_log_probe", headers={**auth, "X-Request-ID": "req-0123456789"})
    assert r.headers["x-request-id"] == "req-0123456789"
    lines = [ln for ln in _lines(json_lines) if ln.get("request_id")]
    assert {ln["logger"] for ln in lines} >= {"banli.test", "banli.access"}
    for ln in lines:
        assert ln["request_id"] == "req-0123456789"
        assert ln["user_id"] == staff.officer.id and ln["agency_id"] == staff.agency_id
    access = next(ln for ln in lines if ln["logger"] == "banli.access")
    assert access["status"] == 200 and access["path"] == "/_log_probe" and access["duration_ms"] >= 0


def test_request_id_is_made_when_missing_or_malformed(sqlite_db: Db, clock: FixedTime) -> None:
    app = create_app(sqlite_db.settings, sqlite_db.engine, clock, run_scheduler=False)
    with TestClient(app) as c:
        a = c.get("/healthz").headers["x-request-id"]
        b = c.get("/healthz", headers={"X-Request-ID": "bad id\x7f"}).headers["x-request-id"]
    assert len(a) == 16 and a != b and " " not in b


def test_sweep_outcomes_are_fields(monkeypatch: pytest.MonkeyPatch, sqlite_db: Db, clock: FixedTime,
                                   json_lines: io.StringIO) -> None:
    def fake(*_a, **_k) -> SweepReport:
        return SweepReport("reminders", done={"reminded": 3}, remaining=2, lag_seconds=61.0, batches=1)

    monkeypatch.setitem(scheduler.SWEEPS, "reminders", fake)
    scheduler.run_job("reminders", sqlite_db.engine, clock, sqlite_db.settings, "host:1")
    line = next(ln for ln in _lines(json_lines) if ln.get("sweep") == "reminders")
    assert line["outcome"] == "ok" and line["done"] == {"reminded": 3} and line["remaining"] == 2
    assert line["instance"] == "host:1" and line["level"] == "INFO" and line["request_id"] is None


def test_personal_data_is_masked() -> None:
    msg = "550 <zhangsan@example.com> rejected; phone 13800138000; id 11010519491231002X; case 2026-0012"
    out = redact(msg)
    assert "zhangsan" not in out and "13800138000" not in out and "11010519491231002X" not in out
    assert "case 2026-0012" in out
    rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "send to %s failed", ("li@example.cn",), None)
    assert "li@example.cn" not in JsonFormatter().format(rec)
    assert "li@example.cn" not in TextFormatter().format(rec)


def test_sql_errors_hide_parameters(db: Db) -> None:
    with pytest.raises(Exception) as exc, db.engine.begin() as c:
        c.execute(text("INSERT INTO agency (id, code, name, settings, created_at) VALUES "
                       "(:i, :c, :n, '{}', '2026-01-01')"), {"i": 1, "c": "x", "n": "张三的身份证"})
    assert "张三的身份证" not in str(exc.value)
