"""A third request kind through the real engine and API with no change to either (issue 17)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import col, select

from db.engine import read_session
from db.models import Event
from tests.cases.petition_kind import PETITION, get_detail, new_petition
from tests.helpers import make_staff
from web.api.cases import case_router
from web.app import create_app


def _app(db, clock):  # type: ignore[no-untyped-def]
    app = create_app(db.settings, db.engine, clock, run_scheduler=False)
    app.include_router(case_router(PETITION, prefix="/api/petitions", tag="petitions", detail=get_detail,
                                   upload_categories={"other": ("其他材料", False)}, default_category="other"))
    return app


def _token(c: TestClient, user: str) -> dict[str, str]:
    r = c.post("/api/token", data={"username": user, "password": "password123"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_a_third_kind_runs_through_the_engine_and_the_api(db, clock, petitions) -> None:  # type: ignore[no-untyped-def]
    staff = make_staff(db.engine, clock.now())
    app = _app(db, clock)
    pid = new_petition(db.engine, staff.agency_id)
    with TestClient(app) as c:
        front, officer, officer2, admin = (_token(c, f"default-{w}") for w in ("front", "officer", "officer2", "admin"))
        d = c.get(f"/api/petitions/{pid}", headers=front).json()
        assert d["state"] == "received" and d["phone"] == "13912345678"
        assert [a["action"] for a in d["allowed_actions"]] == ["assign"]
        r = c.post(f"/api/petitions/{pid}/actions/assign", headers=front,
                   json={"payload": {"assignee_id": staff.officer.id}, "expected_version": 1})
        assert r.status_code == 200, r.text
        # the front desk no longer sees anything to do; the officer sees their two actions
        assert r.json()["state"] == "handling" and r.json()["allowed_actions"] == []
        assert {a["action"] for a in c.get(f"/api/petitions/{pid}", headers=officer).json()["allowed_actions"]} \
            == {"note", "answer"}
        # the one policy: another officer neither reads nor acts; an admin reads no case content
        assert c.get(f"/api/petitions/{pid}", headers=officer2).status_code == 403
        assert c.post(f"/api/petitions/{pid}/actions/answer", headers=officer2,
                      json={"payload": {"text": "x"}}).status_code == 403
        assert c.get(f"/api/petitions/{pid}", headers=admin).status_code == 403
        # bad payload → 422 at the field; stale version → 409; unknown action → 404
        bad = c.post(f"/api/petitions/{pid}/actions/answer", headers=officer, json={"payload": {"text": ""}})
        assert bad.status_code == 422
        assert c.post(f"/api/petitions/{pid}/actions/note", headers=officer,
                      json={"payload": {"text": "已约谈"}, "expected_version": 1}).status_code == 409
        assert c.post(f"/api/petitions/{pid}/actions/fly", headers=officer, json={"payload": {}}).status_code == 404
        r = c.post(f"/api/petitions/{pid}/actions/answer", headers=officer,
                   json={"payload": {"text": "经核查，诉求合理，已责成整改。"}, "expected_version": 2})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "answered" and r.json()["version"] == 3
    # the audit trail is the engine's, under the kind's name
    with read_session(db.engine) as s:
        actions = [e.action for e in s.exec(select(Event).where(Event.case_kind == "petition",
                                                                 Event.case_id == pid).order_by(col(Event.id)))]
    assert actions == ["assign", "answer"]
