"""Engines for the report tests: a SQLite file and a PostgreSQL database of our own (skipped if absent)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel

import db.models  # noqa: F401  (fills SQLModel.metadata)
from db.engine import make_engine

PG_ADMIN = os.environ.get("BANLI_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1/postgres")
PG_DB = f"banli_report_test_{os.getpid()}"


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    try:
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}"')
        _pg_admin(f'CREATE DATABASE "{PG_DB}"')
    except psycopg.OperationalError as exc:  # no server here
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}/{PG_DB}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'report.db'}")
    else:
        eng = make_engine(request.getfixturevalue("pg_url"), pool_size=2)
    SQLModel.metadata.drop_all(eng)
    SQLModel.metadata.create_all(eng)
    yield eng
    if request.param == "postgresql":
        SQLModel.metadata.drop_all(eng)
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'report.db'}")
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()
