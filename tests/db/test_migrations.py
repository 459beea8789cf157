"""The Alembic migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import db.models  # noqa: F401
from db.migrate import alembic_config, current_revision, head_revision


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
