"""Claims on PostgreSQL: FOR UPDATE SKIP LOCKED, no row claimed twice by concurrent instances."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine.url import make_url
from sqlmodel import SQLModel, select

import db.models  # noqa: F401
from db.engine import make_engine, read_session, write_session
from db.models import Agency, Outbox
from notifications.fixtures import fixture_context
from notifications.outbox import claim_due, deliver_due, enqueue

PG_ADMIN_URL = os.environ.get("BANLI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine():
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as c:
            name = f"banli_notices_{uuid.uuid4().hex[:10]}"
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # a loud skip, naming why
        pytest.skip(f"SKIPPED (PostgreSQL unavailable at {PG_ADMIN_URL}): {exc}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    eng = make_engine(url, pool_size=8)
    SQLModel.metadata.create_all(eng)
    with write_session(eng) as s:
        s.add(Agency(id=1, code="demo", name="某县自然资源局", settings={}, created_at=T0))
        s.commit()
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_concurrent_claims_never_overlap(pg_engine):
    ctx = fixture_context("internal.reminder")
    with write_session(pg_engine) as s:
        for i in range(120):
            enqueue(s, agency_id=1, notice_type="internal.reminder", channel="email", context=ctx,
                    dedupe_key=f"r{i}", now=T0, recipient=f"o{i}@example.com")
        s.commit()

    def worker(n: int) -> list[int]:
        got: list[int] = []
        while True:
            jobs = claim_due(pg_engine, T0 + timedelta(seconds=1), instance=f"w{n}", limit=7, lease_seconds=300)
            if not jobs:
                return got
            got.extend(j.id for j in jobs)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(worker, range(4)))
    claimed = [i for r in results for i in r]
    assert len(claimed) == 120 and len(set(claimed)) == 120
    with read_session(pg_engine) as s:
        assert {r.status for r in s.exec(select(Outbox)).all()} == {"sending"}


def test_deliver_due_on_postgres_with_eml_backend(pg_engine, settings):
    with write_session(pg_engine) as s:
        enqueue(s, agency_id=1, notice_type="disclosure.receipt", channel="email",
                context=fixture_context("disclosure.receipt"), dedupe_key="receipt", now=T0,
                recipient="zhangsan@example.com")
        s.commit()
    stats = deliver_due(pg_engine, T0, instance="pg", settings=settings)
    assert (stats.sent, stats.remaining, stats.files) == (1, 0, 1)
    assert len(list(settings.outbox_path.glob("*.eml"))) == 1
