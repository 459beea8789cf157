"""A person in several agencies (issue 16): an agency's administrator makes an officer of another agency an officer
of its own too (兼任); the person switches agency on the pages (or asks the API for a token of that agency) and
acts there with the roles held there; an agency's administrator cannot give roles in another agency, and nobody is
made an instance administrator this way."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from db.engine import write_session
from db.models import Agency, User
from tests.helpers import make_staff, registration
from tests.web.conftest import Web, csrf_of, token
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn


def _other(web: Web) -> None:
    with write_session(web.db.engine) as s:
        s.add(Agency(code="other", name="某县另一局", settings={}, created_at=web.clock.now()))
        s.commit()
    make_staff(web.db.engine, web.clock.now(), agency_code="other")


def test_an_officer_of_another_agency_works_here_too(web: Web) -> None:
    _other(web)
    admin = web.login("admin")
    r = web.post(admin, "/admin/users/members", {"member_username": "other-officer", "roles": "officer"},
                 page="/admin/users")
    assert r.status_code == 303
    users = admin.get("/admin/users").text
    assert 'id="member-other-officer"' in users and "某县另一局" in users
    # the registration form offers them as an officer here
    front = web.login("front")
    assert "承办人李明（兼任）" in front.get("/frontdesk/register").text  # other-officer is 承办人李明 too
    # a case here, given to them
    with write_session(web.db.engine) as s:
        person = s.exec(select(User).where(User.username == "other-officer")).one()
    case = wf.register(web.db.engine, RegisterIn.model_validate(registration(assignee_id=person.id)),
                       web.staff.front, web.clock.now())
    # on the pages: their own agency first, then switch
    c = web.client()
    r = c.post("/login", data={"username": "other-officer", "password": "password123",
                               "csrf_token": csrf_of(c.get("/login").text)})
    assert r.status_code == 303
    home = c.get("/cases/mine")
    assert 'id="switch-agency"' in home.text and case.tracking_no not in home.text
    assert c.get(f"/cases/disclosure/{case.id}").status_code == 404
    page = c.get("/account/agency")
    assert "某县另一局（本人所在机关）" in page.text and "以此机关身份办理" in page.text
    r = c.post("/account/agency", data={"agency": "default", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    mine = c.get("/cases/mine")
    assert case.tracking_no in mine.text
    assert c.get(f"/cases/disclosure/{case.id}").status_code == 200
    # and back
    page = c.get("/account/agency")
    c.post("/account/agency", data={"agency": "other", "csrf_token": csrf_of(page.text)})
    assert c.get(f"/cases/disclosure/{case.id}").status_code == 404
    # revoked: the next page falls back to their own agency
    page = c.get("/account/agency")
    c.post("/account/agency", data={"agency": "default", "csrf_token": csrf_of(page.text)})
    r = web.post(admin, "/admin/users/members/other-officer/revoke", {}, page="/admin/users")
    assert r.status_code == 303
    assert c.get(f"/cases/disclosure/{case.id}").status_code == 404


def test_refusals(web: Web) -> None:
    _other(web)
    with TestClient(web.app) as api:
        admin = token(api, "default-admin")
        r = api.post("/api/admin/agencies/other/members", headers=admin,
                     json={"username": "default-officer", "roles": ["officer"]})
        assert r.status_code == 403 and "本机关" in r.json()["error"]["message"]
        r = api.post("/api/admin/agencies/default/members", headers=admin,
                     json={"username": "other-officer", "roles": ["instance_admin"]})
        assert r.status_code == 422 and r.json()["error"]["code"] == "grant_instance_admin"
        r = api.post("/api/admin/agencies/default/members", headers=admin,
                     json={"username": "default-officer", "roles": ["leader"]})
        assert r.status_code == 422 and r.json()["error"]["code"] == "own_agency"
        r = api.post("/api/admin/agencies/default/members", headers=admin,
                     json={"username": "other-leader", "roles": ["supervisor"]})
        assert r.status_code == 201
        members = api.get("/api/admin/agencies/default/members", headers=admin).json()
        assert [(m["username"], m["roles"]) for m in members] == [("other-leader", ["supervisor"])]
        assert api.delete("/api/admin/agencies/default/members/other-leader", headers=admin).json()["removed"]
        assert api.delete("/api/admin/agencies/default/members/other-leader", headers=admin).status_code == 404
