"""Report tests run on the project's migrated databases (tests/conftest.py): SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.conftest import Db


@pytest.fixture
def engine(db: Db) -> Engine:
    """A fresh migrated database of each kind (the test runs twice)."""
    return db.engine


@pytest.fixture
def sqlite_engine(sqlite_db: Db) -> Engine:
    return sqlite_db.engine
