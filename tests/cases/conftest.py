"""The test-only third kind, registered for the tests that ask for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cases.petition_kind import registered
from workflow.cases.kind import CaseKind


@pytest.fixture
def petitions(db) -> Iterator[CaseKind]:  # type: ignore[no-untyped-def]
    """The petition kind in the registry and its table, for one test."""
    with registered(db.engine) as kind:
        yield kind
