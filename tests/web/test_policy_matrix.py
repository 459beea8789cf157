"""The authorization matrix (issue 15): every role × operation × relation to the case, through the JSON API and the
pages, against the policy written out here on its own (not read from states.policy):

* front desk, leader: every case of their agency, in full; they act on their rows of the table;
* officer: only the cases assigned to them — another officer's case is refused (read and act);
* supervisor: reads the cases of its own agency and of the agencies below it (issue 16: a county's supervising
  office over its departments) with identity numbers and phones masked, no files, never acts;
* admin: no case content, no files, no actions;
* another agency's case: 404 for everyone but a supervisor of an agency above it (its existence is not
  disclosed) — an agency beside the supervisor's, or above it ("child_sup", a supervisor in the department
  below, reading the county's case), stays hidden.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from db.engine import write_session
from db.models import Agency
from tests.helpers import Staff, make_staff, registration
from tests.web.conftest import Web, csrf_of
from workflow.accounts.users import create_user
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn

ROLES = ("front", "officer", "officer2", "leader", "admin", "sup", "child_sup")
# "own": assigned to "officer" (so "officer2" sees another officer's case); "other_agency": a department below the
# supervisor's agency; "beside": an agency with no relation to it.
RELATIONS = ("own", "other_agency", "beside")
ID_NUMBER = "11010519491231002X"
PHONE = "13800138000"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# What each role may do to a case of its own agency assigned to "officer" (the officer column is the assignee).
READ = {"front": "full", "officer": "full", "officer2": "none", "leader": "full", "admin": "none", "sup": "masked",
        "child_sup": "hidden"}
ACTS = {  # action (on a case in ``handling``) → roles that may fire it
    "withdraw": {"front", "officer", "leader"},  # 条例: the applicant's withdrawal, recorded by staff
    "request_correction": {"officer"},  # the assigned officer only (a leader without the officer role may not)
    "request_reasons": {"officer"},
    "reassign": {"leader"},
}
PAYLOADS: dict[str, dict[str, Any]] = {
    "withdraw": {"reason": "申请人电话撤回", "withdrawn_date": "2026-03-02"},
    "request_correction": {"items": ["请写明所需信息的文号"], "period_days": 15},
    "request_reasons": {"facts": "一个月内提出同类申请三十余件"},
    "reassign": {"assignee_id": 0, "reason": "工作调整"},
}


@dataclass
class World:
    web: Web
    staff: dict[str, Staff]  # relation → the staff of that case's agency
    officer2_id: int

    def case(self, relation: str) -> int:
        """A fresh application in ``handling``, assigned to the officer of its agency."""
        staff = self.staff[relation]
        data = RegisterIn.model_validate(registration(id_number=ID_NUMBER, phone=PHONE))
        r = wf.register(self.web.db.engine, data, staff.front, self.web.clock.now())
        wf.act(self.web.db.engine, r.id, "assign", {"assignee_id": staff.officer.id}, staff.front,
               self.web.clock.now())
        return r.id


@pytest.fixture
def world(web: Web) -> Iterator[World]:
    now = web.clock.now()
    with write_session(web.db.engine) as s:
        s.add(Agency(code="other", name="某县另一局", settings={}, created_at=now, parent_id=web.staff.agency_id))
        s.add(Agency(code="beside", name="邻县某局", settings={}, created_at=now))
        s.commit()
    other = make_staff(web.db.engine, now, agency_code="other")
    beside = make_staff(web.db.engine, now, agency_code="beside")
    create_user(web.db.engine, agency_code="default", username="default-sup", password="password123",
                roles=["supervisor"], display_name="督查", now=now)
    # a supervisor in the department below: it must not read the county's (its parent's) cases
    create_user(web.db.engine, agency_code="other", username="default-child_sup", password="password123",
                roles=["supervisor"], display_name="下级督查", now=now)
    yield World(web, {"own": web.staff, "other_agency": other, "beside": beside}, web.staff.officer2.id or 0)


_TOKENS: weakref.WeakKeyDictionary[Any, dict[str, dict[str, str]]] = weakref.WeakKeyDictionary()


def _api_token(c: TestClient, who: str) -> dict[str, str]:
    """One login per role and app (a password check costs ~0.25 s)."""
    tokens = _TOKENS.setdefault(c.app, {})
    if who not in tokens:
        r = c.post("/api/token", data={"username": f"default-{who}", "password": "password123"})
        assert r.status_code == 200, r.text
        tokens[who] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return tokens[who]


def _front_token(c: TestClient, relation: str) -> dict[str, str]:
    if relation == "own":
        return _api_token(c, "front")
    code = {"other_agency": "other", "beside": "beside"}[relation]
    r = c.post("/api/token", data={"username": f"{code}-front", "password": "password123"})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _expected_read(who: str, relation: str) -> str:
    if relation == "other_agency":  # below the supervisor's agency; the child supervisor's own agency
        return "masked" if who in ("sup", "child_sup") else "hidden"
    if relation == "beside":
        return "hidden"
    return READ[who]


def test_reading_a_case_matrix(world: World) -> None:
    """GET detail (API and page) and a file download, for every role and relation."""
    web = world.web
    seen: list[str] = []
    with TestClient(web.app) as api:
        for relation in RELATIONS:
            cid = world.case(relation)
            uploader = _front_token(api, relation)
            up = api.post(f"/api/disclosures/{cid}/files", headers=uploader, data={"category": "application"},
                          files={"file": ("申请表.pdf", PDF, "application/pdf")})
            assert up.status_code == 201, up.text
            fid = up.json()["id"]
            for who in ROLES:
                expect = _expected_read(who, relation)
                r = api.get(f"/api/disclosures/{cid}", headers=_api_token(api, who))
                page = web.login(who).get(f"/cases/disclosure/{cid}")
                want_status = {"full": 200, "masked": 200, "none": 403, "hidden": 404}[expect]
                assert r.status_code == want_status, (who, relation, r.status_code, r.text[:200])
                assert page.status_code == want_status, (who, relation, page.status_code)
                if expect in ("full", "masked"):
                    body = r.json()
                    full = body["applicant"]["id_number"] == ID_NUMBER and body["applicant"]["phone"] == PHONE
                    assert full == (expect == "full"), (who, relation, body["applicant"])
                    assert (ID_NUMBER in page.text) == (expect == "full"), (who, relation)
                    assert (body["files"] != []) == (expect == "full"), (who, relation)
                dl = api.get(f"/api/disclosures/{cid}/files/{fid}", headers=_api_token(api, who))
                want_dl = {"full": 200, "masked": 403, "none": 403, "hidden": 404}[expect]
                assert dl.status_code == want_dl, (who, relation, dl.status_code)
                seen.append(f"{relation}:{who}:{expect}")
    assert len(seen) == len(RELATIONS) * len(ROLES)


@pytest.mark.parametrize("action", sorted(ACTS))
def test_acting_on_a_case_matrix(world: World, action: str) -> None:
    """POST an action (API) for every role and relation: allowed exactly where the policy says; else 403/404."""
    web = world.web
    with TestClient(web.app) as api:
        for relation in RELATIONS:
            for who in ROLES:
                cid = world.case(relation)
                payload = dict(PAYLOADS[action])
                if action == "reassign":
                    payload["assignee_id"] = world.officer2_id
                r = api.post(f"/api/disclosures/{cid}/actions/{action}", json={"payload": payload},
                             headers=_api_token(api, who))
                seen = _expected_read(who, relation)
                if seen == "hidden":
                    want = 404  # not disclosed
                elif relation != "own":
                    want = 403  # a supervisor sees it, and may not act
                else:
                    want = 200 if who in ACTS[action] else 403
                assert r.status_code == want, (action, who, relation, r.status_code, r.text[:300])


def test_acting_through_the_pages_matches_the_api(world: World) -> None:
    """The page's action form obeys the same policy: another officer's case cannot even be opened to act on."""
    web = world.web
    cid = world.case("own")
    for who in ("officer2", "admin", "sup"):
        c = web.login(who)
        token = csrf_of(c.get("/").text) if c.get("/").status_code == 200 else ""
        r = c.post(f"/cases/disclosure/{cid}/actions/withdraw",
                   data={"reason": "x", "withdrawn_date": "2026-03-02", "csrf_token": token})
        assert r.status_code in (403, 404) or (r.status_code == 303 and "login" in r.headers["location"]), (who, r)
    c = web.login("officer")
    page = c.get(f"/cases/disclosure/{cid}")
    assert page.status_code == 200
    r = c.post(f"/cases/disclosure/{cid}/actions/withdraw",
               data={"reason": "申请人电话撤回", "withdrawn_date": "2026-03-02", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303, r.text[:500]


def test_work_order_phones_follow_the_same_policy(world: World) -> None:
    """12345: the caller's phone in full only for those who see the order in full; another officer gets 403."""
    web = world.web
    with TestClient(web.app) as api:
        front = _api_token(api, "front")
        body = {"order_no": "GD-M-1", "received_at": "2026-03-02 09:00", "caller_name": "王", "caller_phone":
                "13987654321", "category": "投诉", "content": "路灯不亮"}
        oid = api.post("/api/workorders", json=body, headers=front).json()["id"]
        api.post(f"/api/workorders/{oid}/actions/assign", json={"payload": {"assignee_id": web.staff.officer.id}},
                 headers=_api_token(api, "leader"))
        for who, want in (("front", "full"), ("officer", "full"), ("leader", "full"), ("officer2", 403),
                          ("admin", 403), ("sup", "masked"), ("child_sup", 404)):
            r = api.get(f"/api/workorders/{oid}", headers=_api_token(api, who))
            if isinstance(want, int):
                assert r.status_code == want, (who, r.text[:200])
            else:
                assert r.status_code == 200, (who, r.text[:200])
                assert (r.json()["caller"]["phone"] == "13987654321") == (want == "full"), who
        assert api.get("/api/workorders", headers=_api_token(api, "officer2")).json()["items"] == []
        assert api.get("/api/workorders", headers=_api_token(api, "admin")).status_code == 403


def test_lists_follow_the_hierarchy(world: World) -> None:
    """Case lists: a supervisor lists its own agency or one below it (masked), never one beside or above it."""
    web = world.web
    ids = {rel: world.case(rel) for rel in RELATIONS}
    agency = {rel: world.staff[rel].agency_id for rel in RELATIONS}
    with TestClient(web.app) as api:
        sup, child = _api_token(api, "sup"), _api_token(api, "child_sup")
        own = api.get("/api/disclosures", headers=sup).json()["items"]
        assert [i["id"] for i in own] == [ids["own"]]
        below = api.get("/api/disclosures", params={"agency_id": agency["other_agency"]}, headers=sup)
        assert [i["id"] for i in below.json()["items"]] == [ids["other_agency"]]
        assert ID_NUMBER not in below.text and PHONE not in below.text
        assert api.get("/api/disclosures", params={"agency_id": agency["beside"]}, headers=sup).status_code == 404
        assert api.get("/api/disclosures", params={"agency_id": agency["own"]}, headers=child).status_code == 404
        assert [i["id"] for i in api.get("/api/disclosures", headers=child).json()["items"]] == [ids["other_agency"]]
        assert api.get("/api/workorders", params={"agency_id": agency["beside"]}, headers=sup).status_code == 404
    page = web.login("sup").get(f"/cases?agency={agency['beside']}")
    assert page.status_code == 404
    assert web.login("sup").get(f"/cases?agency={agency['other_agency']}").status_code == 200
