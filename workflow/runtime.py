"""The database handle the edges hold: ``web`` (the app, its dependencies) and ``cli`` receive an ``Engine``
and hand it to workflow functions, which open the sessions and transactions. The edges never read through it
themselves, so they name its type here instead of importing the database library (tests/test_architecture.py).
"""

from __future__ import annotations

from sqlalchemy import Engine

from db.engine import is_sqlite

__all__ = ["Engine", "single_writer"]


def single_writer(engine: Engine) -> bool:
    """Whether the database takes one writer at a time (SQLite): the web sizes its pool of write threads by it."""
    return is_sqlite(engine)
