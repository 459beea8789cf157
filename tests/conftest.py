"""Test fixtures: real SQLite and real PostgreSQL databases, an injected clock, seeded agencies/users.

PostgreSQL comes from BANLI_TEST_PG_URL (an admin URL; default postgres@127.0.0.1:5432). Each test
session creates its own database and drops it at the end. When no server is reachable every
postgres test is skipped with a loud banner naming the reason — never silently.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine.url import make_url
from sqlmodel import select

from db.engine import make_engine, write_session
from db.models import Agency
from settings import Settings
from workflow.agencies.bootstrap import ensure_database
from workflow.agencies.cache import invalidate
from workflow.timesource import FixedTime

# Refused logins are answered late in production (web.login_delay, 1 s by default); the suite logs in wrongly
# hundreds of times, so its apps and servers answer at once — tests/web/test_login_delay.py sets it on purpose.
os.environ.setdefault("BANLI_LOGIN_FAILURE_DELAY_SECONDS", "0")
PG_ADMIN_URL = os.environ.get("BANLI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
_pg_state: dict[str, str | None] = {"reason": None, "checked": None}


def pg_unavailable_reason() -> str | None:
    """None when PostgreSQL is reachable, else why not (cached)."""
    if _pg_state["checked"]:
        return _pg_state["reason"]
    _pg_state["checked"] = "yes"
    if os.environ.get("BANLI_TEST_PG") == "off":
        _pg_state["reason"] = "BANLI_TEST_PG=off"
        return _pg_state["reason"]
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
    except Exception as exc:
        _pg_state["reason"] = f"PostgreSQL not reachable at {make_url(PG_ADMIN_URL).render_as_string()}: {exc}"
    return _pg_state["reason"]


def pytest_report_header(config: pytest.Config) -> list[str]:
    reason = pg_unavailable_reason()
    if reason:
        return ["!" * 78, f"SKIPPED: PostgreSQL tests will be skipped — {reason}", "!" * 78]
    return [f"PostgreSQL: {make_url(PG_ADMIN_URL).render_as_string()}"]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    reason = pg_unavailable_reason()
    if reason:
        terminalreporter.write_sep("!", "SKIPPED: PostgreSQL tests were NOT run", red=True)
        terminalreporter.write_line(f"reason: {reason}", red=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = pg_unavailable_reason()
    if reason:
        skip = pytest.mark.skip(reason=f"SKIPPED (PostgreSQL unavailable): {reason}")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


# ---------------------------------------------------------------- databases

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 2026-03-02 10:00 Asia/Shanghai, a Monday


def _test_settings(tmp: Path, url: str) -> Settings:
    return Settings(database_url=url, var_dir=tmp, secret_key="test-secret-key-0123456789", scheduler="off",
                    check_templates_on_start=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded SQLite file copied for each test (fast isolation)."""
    d = tmp_path_factory.mktemp("sqlite-template")
    path = d / "template.db"
    eng = make_engine(f"sqlite:///{path}")
    ensure_database(eng, _test_settings(d, f"sqlite:///{path}"), now=T0)
    with eng.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL database for this test session, migrated and seeded."""
    reason = pg_unavailable_reason()
    if reason:
        pytest.skip(f"SKIPPED (PostgreSQL unavailable): {reason}")
    name = f"banli_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    eng = make_engine(url)
    ensure_database(eng, _test_settings(tmp_path_factory.mktemp("pg"), url), now=T0)
    eng.dispose()
    try:
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_resets = [0]
_KEEP = ("alembic_version", "calendar_notice", "calendar_day", "calendar_state")


def _reset_pg(engine: Engine) -> None:
    """Empty every table except the seeded calendar, the bootstrap agency and its admin.

    DELETE with triggers off (session_replication_role=replica) is much faster than TRUNCATE for
    small tables and skips the append-only trigger on ``event``.
    """
    with engine.begin() as c:
        tables = [r[0] for r in c.execute(text(
            "select tablename from pg_tables where schemaname='public'")) if r[0] not in _KEEP]
        c.execute(text("SET LOCAL session_replication_role = replica"))
        for t in tables:
            if t == "agency":
                c.execute(text("DELETE FROM agency WHERE id <> (SELECT min(id) FROM agency)"))
                c.execute(text("UPDATE agency SET settings = '{}', parent_id = NULL, active = true, "
                               "deactivated_at = NULL, kind = 'department', code = 'default', name = '某县某局'"))
            elif t == "app_user":
                c.execute(text("DELETE FROM app_user WHERE username <> 'admin'"))
            elif t == "user_role":  # the bootstrap administrator's roles as workflow.agencies.bootstrap gives them
                c.execute(text("DELETE FROM user_role"))
                c.execute(text("INSERT INTO user_role (user_id, agency_id, role) SELECT u.id, u.agency_id, r.role "
                               "FROM app_user u, (VALUES ('instance_admin'), ('admin'), ('leader'), ('front_desk'), "
                               "('officer')) AS r(role) WHERE u.username = 'admin'"))
            else:
                c.execute(text(f'DELETE FROM "{t}"'))
        # Calendar imports made by a test are undone: keep only the seeded notices.
        c.execute(text("DELETE FROM calendar_day WHERE notice_id IN "
                       "(SELECT id FROM calendar_notice WHERE source <> 'chinese-calendar 1.11.0')"))
        c.execute(text("DELETE FROM calendar_notice WHERE source <> 'chinese-calendar 1.11.0'"))
        c.execute(text("UPDATE calendar_notice SET active = true, replaced_by_id = NULL WHERE NOT active"))
        _restore_seeded_days(c)
        # Never reuse a calendar version within this process (calendars are cached per version).
        _resets[0] += 1
        c.execute(text(f"UPDATE calendar_state SET version = {1000 * _resets[0]}"))


def _restore_seeded_days(c: Any) -> None:
    """A test that re-imported a seeded year (replacing its notice) deleted that notice's days: put them back."""
    bare = c.execute(text(
        "SELECT id, year FROM calendar_notice n WHERE source = 'chinese-calendar 1.11.0' "
        "AND NOT EXISTS (SELECT 1 FROM calendar_day d WHERE d.notice_id = n.id)")).all()
    if not bare:
        return
    from workflow.calendar.seed import seed_from_chinese_calendar

    seed = {n.year: n for n in seed_from_chinese_calendar()}
    rows = [{"notice_id": nid, "scope": d.scope, "day": d.day, "kind": d.kind, "name": d.name}
            for nid, year in bare if year in seed for d in seed[year].special_days()]
    if rows:
        c.execute(text("INSERT INTO calendar_day (notice_id, scope, day, kind, name) "
                       "VALUES (:notice_id, :scope, :day, :kind, :name)"), rows)


# The first agency as its administrator sets it up (issue 16): its real name, contacts and remedy bodies, so its
# documents go out. The tests of the first run start from the bare agency instead (``unconfigure_agency``).
TEST_AGENCY_NAME = "某县自然资源局"
TEST_AGENCY_SETTINGS: dict[str, Any] = {
    "address": "某县人民路1号", "postal_code": "675000", "phone": "0878-3120000",
    "reconsideration_organ": "某县人民政府", "litigation_court": "某县人民法院",
}


def configure_agency(engine: Engine, code: str = "default", name: str | None = TEST_AGENCY_NAME) -> None:
    """Give an agency the notice settings its administrator would set (and, unless ``name`` is None, a real name)."""
    with write_session(engine) as s:
        row = s.exec(select(Agency).where(Agency.code == code)).one()
        row.name = name or row.name
        row.settings = {**TEST_AGENCY_SETTINGS, **(row.settings or {})}
        s.add(row)
        s.commit()


def unconfigure_agency(engine: Engine, code: str = "default") -> None:
    """Back to the agency of a fresh install: 某县某局, no contacts, no remedy bodies."""
    with write_session(engine) as s:
        row = s.exec(select(Agency).where(Agency.code == code)).one()
        row.name, row.settings = "某县某局", {}
        s.add(row)
        s.commit()
    invalidate()


@dataclass
class Db:
    engine: Engine
    url: str
    kind: str  # "sqlite" | "postgres"
    settings: Settings


def _make_db(kind: str, tmp_path: Path, sqlite_template: Path, request: pytest.FixtureRequest) -> Iterator[Db]:
    if kind == "sqlite":
        path = tmp_path / "banli.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
        eng = make_engine(url)
    else:
        url = request.getfixturevalue("pg_url")
        eng = make_engine(url, pool_size=20)
        _reset_pg(eng)
    settings = _test_settings(tmp_path, url)
    ensure_database(eng, settings, now=T0)  # re-creates the default agency after a reset
    configure_agency(eng)
    from workflow.agencies.cache import invalidate

    invalidate()
    try:
        yield Db(eng, url, kind, settings)
    finally:
        eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Db]:
    """A fresh database of each kind (tests using it run twice: SQLite and PostgreSQL)."""
    yield from _make_db(request.param, tmp_path, sqlite_template, request)


@pytest.fixture
def sqlite_db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Db]:
    yield from _make_db("sqlite", tmp_path, sqlite_template, request)


@pytest.fixture
def pg_db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Db]:
    yield from _make_db("postgres", tmp_path, sqlite_template, request)


@pytest.fixture
def clock() -> FixedTime:
    return FixedTime(T0)


__all__ = ["T0", "Db", "write_session"]


@pytest.fixture
def smtp_sink() -> Iterator[tuple[object, int]]:
    """A real SMTP server (aiosmtpd) on a free loopback port: yields (sink, port)."""
    from aiosmtpd.controller import Controller

    from tests.smtp_sink import Sink, free_port

    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
