"""Issue 16, must show: a county government with two departments and one town, built with the command line;
users in each; cases in each through the API. A department's officer sees nothing of the other department; the
county's supervisor sees all three read-only with personal data masked; the county's consolidated annual report
equals the sum of its departments' tables, cell by cell (the total is counted in SQL over the whole set, each
part on its own). One person holds roles in two agencies: the case given to them in the second is theirs only while
they act there."""

from __future__ import annotations

import io
import sys
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Db
from tests.helpers import registration, resident_id, uscc
from tests.ops.cli_helpers import run_cli
from tests.web.conftest import token
from workflow.timesource import FixedTime

AGENCIES = (("county", "某某县人民政府", None), ("land", "某某县自然资源局", "county"),
            ("edu", "某某县教育体育局", "county"), ("town", "某某县甲镇人民政府", "county"))
PARTS = ("county", "land", "edu", "town")
PHONE = "13900001111"


def _cli(db: Db, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str,
         stdin: str = "") -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code, out, err = run_cli(monkeypatch, capsys, db.settings, *argv)
    assert code == 0, (argv, err)
    return out


def _build(db: Db, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for code, name, parent in AGENCIES:
        _cli(db, monkeypatch, capsys, "agency", "create", code, name, *(["--parent", parent] if parent else []))
    for code in PARTS:
        for who, role in (("front", "front_desk"), ("officer", "officer")):
            _cli(db, monkeypatch, capsys, "user", "create", f"{code}-{who}", "--agency", code, "--role", role,
                 stdin="password123\n")
    _cli(db, monkeypatch, capsys, "user", "create", "county-sup", "--agency", "county", "--role", "supervisor",
         stdin="password123\n")
    # one person in two agencies: an officer of the land office who also handles the education office's cases
    _cli(db, monkeypatch, capsys, "user", "create", "both-officer", "--agency", "land", "--role", "officer",
         stdin="password123\n")
    out = _cli(db, monkeypatch, capsys, "user", "grant", "both-officer", "--agency", "edu", "--role", "officer")
    assert "现在也在机关 edu 任职" in out
    out = _cli(db, monkeypatch, capsys, "agency", "list")
    assert [ln.split()[0] for ln in out.splitlines()[1:5]] == ["county", "edu", "land", "town"]


def token_in(client: TestClient, username: str, agency: str) -> dict[str, str]:
    """A token acting in another of the person's agencies."""
    r = client.post("/api/token", data={"username": username, "password": "password123", "agency": agency})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _me(client: TestClient, h: dict[str, str]) -> dict[str, Any]:
    return dict(client.get("/api/me", headers=h).json())


def _cases(client: TestClient) -> dict[str, list[int]]:
    """Two applications per agency, each assigned to its officer; the first is answered, so table 三 has a row."""
    out: dict[str, list[int]] = {}
    for i, code in enumerate(PARTS):
        front, officer = token(client, f"{code}-front"), token(client, f"{code}-officer")
        officer_id = _me(client, officer)["id"]
        ids = []
        for j in range(2):
            data = registration(assignee_id=officer_id, phone=PHONE,
                                id_number=resident_id(f"11010519900101{i}{j:02d}"),
                                applicant_category="natural" if j == 0 else "business",
                                applicant_type="natural" if j == 0 else "organization")
            if j == 1:
                data.update(id_type="uscc", id_number=uscc(), applicant_name="某公司")
            r = client.post("/api/disclosures", json=data, headers=front)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        d = client.get(f"/api/disclosures/{ids[0]}", headers=officer).json()
        r = client.post(f"/api/disclosures/{ids[0]}/actions/reply", headers=officer, json={
            "expected_version": d["version"], "payload": {"category": "disclose", "reason": "provided"}})
        assert r.status_code == 200, r.text
        out[code] = ids
    return out


def test_a_county_with_two_departments_and_a_town(db: Db, clock: FixedTime, client: TestClient,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _build(db, monkeypatch, capsys)
    cases = _cases(client)

    # a department's officer sees nothing of the other department
    land = token(client, "land-officer")
    for cid in cases["edu"]:
        r = client.get(f"/api/disclosures/{cid}", headers=land)
        assert r.status_code == 404, r.text
        act = client.post(f"/api/disclosures/{cid}/actions/withdraw", headers=land,
                          json={"payload": {"reason": "试图撤回", "withdrawn_date": "2026-03-02"}})
        assert act.status_code == 404, act.text
    listed = {i["id"] for i in client.get("/api/disclosures", headers=land).json()["items"]}
    assert listed == set(cases["land"])
    edu_id = _me(client, token(client, "edu-front"))["agency_id"]
    assert {i["id"] for i in client.get("/api/disclosures", params={"agency_id": edu_id},
                                        headers=land).json()["items"]} == set(cases["land"])

    # the county's supervisor sees all three (and the county's own), read-only, masked
    sup = token(client, "county-sup")
    for code in PARTS:
        for cid in cases[code]:
            r = client.get(f"/api/disclosures/{cid}", headers=sup)
            assert r.status_code == 200, (code, r.text)
            body = r.json()
            assert PHONE not in r.text and body["applicant"]["phone"] != PHONE
            assert body["files"] == [] and body["allowed_actions"] == []
        open_case = cases[code][1]  # still in handling: withdrawal is a legal step here, but not the supervisor's
        act = client.post(f"/api/disclosures/{open_case}/actions/withdraw", headers=sup,
                          json={"payload": {"reason": "试图撤回", "withdrawn_date": "2026-03-02"}})
        assert act.status_code == 403, act.text
    overview = client.get("/api/reports/stats", headers=sup).json()
    assert overview["disclosure"]["received"] == 8 and overview["agency"] == "某某县人民政府（含下级机关）"

    # the consolidated annual report: each agency beside the total, the total equal to the sum, cell by cell
    rep = client.get("/api/reports/annual/2026", headers=sup)
    assert rep.status_code == 200, rep.text
    c = rep.json()
    assert c["agencies"] == ["某某县人民政府", "某某县教育体育局", "某某县自然资源局", "某某县甲镇人民政府"]
    assert c["adds_up"] is True and all(line["adds_up"] for line in c["side_by_side"])
    parts = {code: client.get("/api/reports/annual/2026", params={"agency": code}, headers=sup).json()
             for code in PARTS}
    total_rows = {r["key"]: r["values"] for r in c["total"]["table3"]["rows"]}
    for key, values in total_rows.items():
        for col, total in enumerate(values):
            summed = sum(next(r["values"][col] for r in parts[p]["table3"]["rows"] if r["key"] == key) for p in PARTS)
            assert summed == total, (key, col)
    assert [sum(parts[p]["table4"][i] for p in PARTS) for i in range(15)] == c["total"]["table4"]
    assert total_rows["1"][-1] == 8 and total_rows["3.1"][-1] == 4  # eight received, four disclosed
    assert all(parts[p]["table3"]["rows"][0]["values"][-1] == 2 for p in PARTS)
    xlsx = client.get("/api/reports/annual/2026", params={"format": "xlsx"}, headers=sup)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["各机关对照"]
    header = [cell.value for cell in sheet[2]]
    assert header[3:] == [*c["agencies"], "汇总"]
    for row in sheet.iter_rows(min_row=3, values_only=True):
        assert sum(row[3:-1]) == row[-1], row  # type: ignore[arg-type]
    # a department's leader or supervisor gets no consolidated view of the county
    r = client.get("/api/reports/annual/2026", params={"agency": "county"}, headers=land)
    assert r.status_code == 403

    # the person in two agencies: given an education case while acting there, sees it only there
    both_edu = token_in(client, "both-officer", "edu")
    both_land = token(client, "both-officer")
    me = client.get("/api/me", headers=both_edu).json()
    assert me["agency_id"] == edu_id and me["roles"] == ["officer"]
    assert [a["code"] for a in me["agencies"]] == ["land", "edu"]
    edu_front = token(client, "edu-front")
    data = registration(assignee_id=me["id"], id_number=resident_id("11010519900101999"))
    shared = client.post("/api/disclosures", json=data, headers=edu_front)
    assert shared.status_code == 201, shared.text
    sid = shared.json()["id"]
    detail = client.get(f"/api/disclosures/{sid}", headers=both_edu)
    assert detail.status_code == 200 and any(a["action"] == "reply" for a in detail.json()["allowed_actions"])
    assert client.get(f"/api/disclosures/{sid}", headers=both_land).status_code == 404
    assert [i["id"] for i in client.get("/api/disclosures", headers=both_edu).json()["items"]] == [sid]
    assert client.get("/api/disclosures", headers=both_land).json()["items"] == []
    refused = client.post("/api/token", data={"username": "both-officer", "password": "password123",
                                              "agency": "town"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_a_member"
