"""Run Alembic migrations programmatically (``banli migrate``, first start, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (creates it on an empty database)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


def known_revision(revision: str) -> bool:
    """Whether this release's migrations include ``revision`` (False: the database is newer than the code)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises its own errors for unknown or malformed ids
        return False


def revisions_behind(revision: str | None) -> list[str]:
    """The revisions ``banli migrate`` would apply to a database at ``revision`` (oldest first)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    todo = [r.revision for r in script.iterate_revisions("head", revision or "base")]
    return list(reversed(todo))


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()
