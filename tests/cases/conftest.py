"""The test-only third kind, registered for the tests that ask for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cases.petition_kind import registered
from tests.helpers import make_staff
from tests.web.conftest import Web
from web.app import create_app
from workflow.cases.kind import CaseKind


@pytest.fixture
def petitions(db) -> Iterator[CaseKind]:  # type: ignore[no-untyped-def]
    """The petition kind in the registry and its table, for one test."""
    with registered(db.engine) as kind:
        yield kind


@pytest.fixture
def petition_web(db, clock, petitions) -> Iterator[Web]:  # type: ignore[no-untyped-def]
    """The real app (its pages unchanged) with the petition kind registered, on SQLite and PostgreSQL."""
    app = create_app(db.settings, db.engine, clock, run_scheduler=False)
    yield Web(app, db, clock, make_staff(db.engine, clock.now()))
