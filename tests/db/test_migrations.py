"""The Alembic migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import db.models  # noqa: F401
from db.engine import make_engine, read_session
from db.migrate import alembic_config, current_revision, head_revision, upgrade
from states.roles import Role
from tests.conftest import PG_ADMIN_URL, T0, pg_unavailable_reason
from workflow.accounts.roles import roles_by_agency, roles_of


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_migrated_schema_matches_models(db) -> None:
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == [], f"models and migrations differ — run scripts/regen_initial_migration.py: {diff}"


def test_login_locks_in_force_survive_0010_both_ways(db, clock) -> None:  # type: ignore[no-untyped-def]
    """0010 moves the account's lock into login_throttle (and back on a downgrade): nobody locked out gets in."""
    from datetime import timedelta

    from alembic import command
    from sqlalchemy import text

    from db.engine import read_session, write_session
    from db.migrate import upgrade
    from db.models import LoginThrottle
    from tests.helpers import make_staff
    from workflow.accounts import throttle

    make_staff(db.engine, clock.now())
    until = clock.now() + timedelta(minutes=10)
    with write_session(db.engine) as s:
        s.add(LoginThrottle(scope=throttle.NAME, key="default-front", failures=5, window_start=clock.now(),
                            blocked_until=until, expires_at=until))
        s.commit()
    cfg = alembic_config(db.url)
    try:
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0009")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT username FROM app_user WHERE locked_until IS NOT NULL")).all()
        assert [r[0] for r in rows] == ["default-front"]
    finally:
        upgrade(db.engine)
    with read_session(db.engine) as s:
        assert throttle.locked_names(s, ["default-front", "default-officer"], clock.now()) == {"default-front"}
        assert s.get(LoginThrottle, (throttle.NAME, "default-front")).blocked_until == until  # type: ignore[union-attr]


# ---------------------------------------------------------------- upgrading a database that holds data

@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with no tables yet, on each backend (migrated step by step by the test)."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield eng
        eng.dispose()
        return
    reason = pg_unavailable_reason()
    if reason:
        pytest.skip(f"SKIPPED (PostgreSQL unavailable): {reason}")
    name = f"banli_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False))
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_roles_text_becomes_rows_and_back(empty_engine: Engine) -> None:
    """0011: the comma text of app_user.roles and agency_membership.roles becomes user_role rows (trimmed, each once);
    the downgrade writes the text back."""
    upgrade(empty_engine, "0010")
    with empty_engine.begin() as c:
        for i, code in ((1, "county"), (2, "office")):
            c.execute(text("INSERT INTO agency (id, code, name, kind, active, settings, created_at) "
                           "VALUES (:i, :code, :code, 'department', true, '{}', :t)"), {"i": i, "code": code, "t": T0})
        for i, agency, roles in ((1, 1, "admin,leader"), (2, 1, " officer , front_desk,officer"), (3, 2, "officer")):
            c.execute(text("INSERT INTO app_user (id, agency_id, username, display_name, password_hash, roles, active, "
                           "must_change_password, token_generation, created_at) "
                           "VALUES (:i, :a, :u, :u, 'x', :r, true, false, 0, :t)"),
                      {"i": i, "a": agency, "u": f"u{i}", "r": roles, "t": T0})
        c.execute(text("INSERT INTO agency_membership (user_id, agency_id, roles, created_at) "
                       "VALUES (3, 1, 'officer,supervisor', :t)"), {"t": T0})
    upgrade(empty_engine)
    with empty_engine.connect() as c:
        rows = sorted(tuple(r) for r in c.execute(text("SELECT user_id, agency_id, role FROM user_role")))
        columns = {col["name"] for col in inspect(c).get_columns("app_user")}
        tables = set(inspect(c).get_table_names())
    assert rows == [(1, 1, "admin"), (1, 1, "leader"), (2, 1, "front_desk"), (2, 1, "officer"), (3, 1, "officer"),
                    (3, 1, "supervisor"), (3, 2, "officer")]
    assert "roles" not in columns and "agency_membership" not in tables
    with read_session(empty_engine) as s:
        assert roles_of(s, 2, 1) == {Role.OFFICER, Role.FRONT_DESK}
        assert roles_by_agency(s, 3) == {2: {Role.OFFICER}, 1: {Role.OFFICER, Role.SUPERVISOR}}
    with pytest.raises(IntegrityError), empty_engine.begin() as c:  # each (person, agency, role) once
        c.execute(text("INSERT INTO user_role (user_id, agency_id, role) VALUES (1, 1, 'admin')"))

    _downgrade(empty_engine, "0010")
    with empty_engine.connect() as c:
        users = sorted(tuple(r) for r in c.execute(text("SELECT id, roles FROM app_user")))
        members = [tuple(r) for r in c.execute(text("SELECT user_id, agency_id, roles FROM agency_membership"))]
    assert users == [(1, "admin,leader"), (2, "front_desk,officer"), (3, "officer")]
    assert members == [(3, 1, "officer,supervisor")]


def test_0017_moves_the_next_deadline_off_the_correction_notice_window(db, clock) -> None:  # type: ignore[no-untyped-def]
    """Rows written before 0017 carry the 7-working-day correction-notice window as their next deadline (and were
    listed as overdue once it passed): the migration computes it again from the binding clocks (the reply's)."""
    from datetime import date

    from tests.helpers import make_staff
    from tests.workflow.sweep_helpers import clock_of, register_on

    staff = make_staff(db.engine, clock.now())
    case_id = register_on(db.engine, staff, date(2026, 2, 24), assign=False)
    window, reply = clock_of(db.engine, case_id, "correction_notice"), clock_of(db.engine, case_id, "reply")
    assert window.due_at is not None and reply.due_at is not None and window.due_at < reply.due_at
    _downgrade(db.engine, "0016")
    try:
        with db.engine.begin() as c:  # what registration wrote before
            c.execute(text("UPDATE disclosure SET next_due_at = :d WHERE id = :i"), {"d": window.due_at, "i": case_id})
    finally:
        upgrade(db.engine)
    with db.engine.connect() as c:
        stored = c.execute(text("SELECT next_due_at FROM disclosure WHERE id = :i"), {"i": case_id}).scalar_one()
    stored = stored if not isinstance(stored, str) else datetime.fromisoformat(stored)
    assert stored.replace(tzinfo=None) == reply.due_at.replace(tzinfo=None)
