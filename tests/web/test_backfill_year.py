"""Must show (issue 14): a whole year back-filled through the API — cases of the year before concluded in it, every
row of table 三, a lapsed correction, an unpaid fee, withdrawals, cases open at the year end — and
``banli report annual 2025 --format json`` checked cell by cell against the table computed by hand; the same year
through the go-live import file gives the same report."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cli.main import run
from settings import get_settings
from tests.fixtures.golive_gen import write_xlsx
from tests.golive_helpers import runner, second_agency
from tests.golive_year import CASES, EXPECTED_2025, FEES_2025, REASON, applicant, import_rows
from tests.helpers import registration
from tests.web.conftest import token
from workflow.golive.run import import_file

ROLE_OF = {"assign": "front", "withdraw": "front", "approve_extension": "leader"}  # the rest: the officer


@pytest.fixture
def cli_db(db, monkeypatch):
    monkeypatch.setenv("BANLI_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def _backfill(client: Any, staff: Any) -> None:
    """Every case of the scripted year, registered and handled through the API with the dates it happened."""
    h = {w: token(client, f"default-{w}") for w in ("front", "officer", "leader")}
    for i, case in enumerate(CASES):
        body = registration(received_at=f"{case.received}T09:30:00+08:00", backfill_reason=REASON,
                            description=f"{case.no}：所需政府信息", **applicant(case, i))
        r = client.post("/api/disclosures", json=body, headers=h["front"])
        assert r.status_code == 201, (case.no, r.text)
        cid = r.json()["id"]
        for n, (day, action, payload) in enumerate(case.steps):
            if action == "assign":
                payload = {"assignee_id": staff.officer.id}
            at = f"{day}T10:{n:02d}:00+08:00"  # the steps of one day in their order
            r = client.post(f"/api/disclosures/{cid}/actions/{action}", headers=h[ROLE_OF.get(action, "officer")],
                            json={"payload": payload, "effective_at": at, "backfill_reason": REASON})
            assert r.status_code == 200, (case.no, action, r.text)


def _report(capsys: Any, agency: str) -> dict[str, Any]:
    assert run(["report", "annual", "2025", "--format", "json", "--agency", agency]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def _check_against_hand(data: dict[str, Any]) -> None:
    rows = {r["key"]: r["values"] for r in data["table3"]["rows"]}
    assert list(rows) == list(EXPECTED_2025)
    for key, expected in EXPECTED_2025.items():  # cell by cell, so a failure names its row
        assert rows[key] == expected, key
    assert data["table2"]["fee_collected_yuan"] == FEES_2025
    assert all(v == 0 for v in data["table4"])
    assert all(c["ok"] for c in data["checks"]), [c for c in data["checks"] if not c["ok"]]


def test_a_backfilled_year_gives_the_report_computed_by_hand(client, staff, cli_db, capsys, tmp_path) -> None:
    _backfill(client, staff)
    by_api = _report(capsys, "default")
    _check_against_hand(by_api)
    # The same year as a go-live file, into a second agency: the same report.
    other = second_agency(cli_db.engine, staff_now(client))
    path = write_xlsx(tmp_path / "2025.xlsx", import_rows("b-officer"))
    report = import_file(cli_db.engine, path, runner(cli_db.engine, other), staff_now(client))
    assert report.errors == [] and report.created == len(CASES), report.errors
    by_import = _report(capsys, "b")
    _check_against_hand(by_import)
    assert by_import["table3"] == by_api["table3"] and by_import["table2"] == by_api["table2"]


def staff_now(client: Any) -> Any:
    """The app's clock (the tests' FixedTime)."""
    return client.app.state.clock.now()
