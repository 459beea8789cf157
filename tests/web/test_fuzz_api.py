"""Property-based fuzzing of the whole JSON API from its OpenAPI description (issue 15): schemathesis draws
requests for every operation — inside the schema and outside it (negative mode: wrong types, missing and extra
fields, strings with control characters and NUL bytes, integers beyond the databases' range) — and sends each
with the token of a role drawn at random (anonymous, front desk, officer, leader, administrator) to the app on
SQLite and on PostgreSQL, populated with cases and work orders so ids hit real rows. Pass mark: no answer 5xx, and
every answer conforms to what /openapi.json documents for its status (its JSON schema — the response models of
issue 17, and the error shape of every other status — and its media type).

Deterministic (``derandomize``) and bounded: ``BANLI_FUZZ_EXAMPLES`` examples per operation (default 20; set
it higher for a longer local run). The summary (operations covered, examples, statuses) is written to
``test-artifacts/fuzz/<database>.json`` and printed; docs/testing.md records a run.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.conftest import Db
from tests.helpers import make_staff
from tests.web.conftest import token
from tests.workflow.sweep_helpers import register_on
from web.app import create_app
from workflow.timesource import FixedTime

EXAMPLES = int(os.environ.get("BANLI_FUZZ_EXAMPLES", "20"))
ROLES = ("anonymous", "front", "officer", "leader", "admin")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "fuzz"
CONFORMANCE = [response_schema_conformance, content_type_conformance]
ORDER = {"order_no": "GD-FUZZ-1", "received_at": "2026-03-02 09:15", "category": "投诉", "caller_name": "王五",
         "caller_phone": "13800138000", "content": "路灯不亮"}

pytestmark = pytest.mark.slow


def _populate(db: Db, clock: FixedTime) -> dict[str, dict[str, str]]:
    """Cases, a work order and a token per role; returns the Authorization header of each role.

    Through an app of its own: leaving the TestClient ends that app's lifespan (its writer threads)."""
    staff = make_staff(db.engine, clock.now())
    for day in (2, 3):
        register_on(db.engine, staff, date(2026, 3, day))
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    with TestClient(create_app(db.settings, db.engine, clock, run_scheduler=False)) as c:
        for role in ROLES[1:]:
            headers[role] = token(c, f"default-{role}")
        r = c.post("/api/workorders", json=ORDER, headers=headers["front"])
        assert r.status_code == 201, r.text
    return headers


# Real rows, so that some requests get past the look-up to the handlers (the rest of each path is drawn).
KNOWN = {"case_id": 1, "code": "default", "year": 2025}


def _strategy(operation: Any) -> Any:
    """Requests inside and outside the schema, half of them (where the path names one) on a real row."""
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(m) for m in modes]
    known = {p.name: KNOWN[p.name] for p in operation.path_parameters if p.name in KNOWN}
    if known:
        strategies += [operation.as_strategy(m, path_parameters=known) for m in modes]
    return st.one_of(strategies)


def _fuzz_operation(operation: Any, headers: dict[str, dict[str, str]], seen: Counter[str],
                    errors: list[dict[str, Any]], nonconforming: list[dict[str, Any]]) -> None:
    turn = [0]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, print_blob=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=_strategy(operation))
    def run(case: Any) -> None:
        role = ROLES[turn[0] % len(ROLES)]  # every role in turn (a drawn role would favour the first)
        turn[0] += 1
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        case.headers.update(headers[role])
        try:
            response = case.call()
            status = response.status_code
        except Exception as exc:  # an unhandled error inside the app, or no answer in 10 s
            status = 599
            detail = f"{type(exc).__name__}: {exc}"
        else:
            detail = ""
            try:  # the answer is what the API documents for its status (schema and media type)
                case.validate_response(response, checks=CONFORMANCE)
            except (Failure, FailureGroup) as exc:  # schemathesis names each failed check
                nonconforming.append({"operation": operation.label, "role": role, "status": status,
                                      "detail": str(exc)[:600], "request": case.as_curl_command()[:600]})
        seen[str(status)] += 1
        if status >= 500:
            errors.append({"operation": operation.label, "role": role, "status": status, "detail": detail[:300],
                           "request": case.as_curl_command()[:600]})

    run()


def test_no_server_error_on_any_operation(db: Db, clock: FixedTime) -> None:
    headers = _populate(db, clock)
    app = create_app(db.settings, db.engine, clock, run_scheduler=False)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers["admin"])
    operations = [r.ok() for r in schema.get_all_operations()]
    started = time.monotonic()
    summary: dict[str, Any] = {"database": db.kind, "examples_per_operation": EXAMPLES, "operations": {}}
    errors: list[dict[str, Any]] = []
    nonconforming: list[dict[str, Any]] = []
    try:
        for op in operations:
            seen: Counter[str] = Counter()
            _fuzz_operation(op, headers, seen, errors, nonconforming)
            summary["operations"][op.label] = dict(sorted(seen.items()))
    finally:
        shutdown_lifespans()  # schemathesis keeps the app's lifespan running until asked
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["operations_covered"] = sum(1 for v in summary["operations"].values() if v)
    summary["operations_total"] = len(operations)
    summary["examples"] = sum(sum(v.values()) for v in summary["operations"].values())
    summary["server_errors"] = errors
    summary["nonconforming_answers"] = nonconforming
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{db.kind}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nfuzz {db.kind}: {summary['operations_covered']}/{summary['operations_total']} operations, "
          f"{summary['examples']} examples, {len(errors)} server errors, {len(nonconforming)} answers not as "
          f"documented, {summary['seconds']} s")
    assert summary["operations_covered"] == summary["operations_total"] >= 27
    assert not errors, json.dumps(errors[:5], ensure_ascii=False, indent=1)
    assert not nonconforming, json.dumps(nonconforming[:5], ensure_ascii=False, indent=1)
