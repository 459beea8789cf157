"""A person in several agencies (issue 16): an agency's administrator makes an officer of another agency an officer
of its own too (兼任); the person switches agency on the pages (or asks the API for a token of that agency) and
acts there with the roles held there; an agency's administrator cannot give roles in another agency, and nobody is
made an instance administrator this way."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from db.engine import write_session
from db.models import Agency, User
from tests.helpers import make_staff, registration
from tests.web.conftest import Web, csrf_of, token
from workflow.accounts.users import create_user
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


def _set_active(web: Web, model: type[Agency] | type[User], column: str, value: str, active: bool) -> None:
    with write_session(web.db.engine) as s:
        row = s.exec(select(model).where(getattr(model, column) == value)).one()
        row.active = active
        s.add(row)
        s.commit()


def test_an_agency_admin_learns_nothing_of_names_it_may_not_use(web: Web) -> None:
    """Adding a member names a person of another agency; a name that is no one, a deactivated account, or a person
    of a deactivated agency all get one answer (422 at ``username``), and taking away what no one holds here is 404
    whatever the name. The instance administrator, who sees every account, is told which it is."""
    _other(web)
    with write_session(web.db.engine) as s:
        s.add(Agency(code="gone", name="某县已撤销局", settings={}, created_at=web.clock.now()))
        s.commit()
    make_staff(web.db.engine, web.clock.now(), agency_code="gone")
    _set_active(web, Agency, "code", "gone", False)
    _set_active(web, User, "username", "other-officer2", False)
    create_user(web.db.engine, agency_code="default", username="platform", password="password123",
                roles=["instance_admin"], display_name="平台管理员", now=web.clock.now())
    with TestClient(web.app) as api:
        admin, platform = token(api, "default-admin"), token(api, "platform")

        def add(h: dict[str, str], name: str) -> Any:
            return api.post("/api/admin/agencies/default/members", headers=h, json={"username": name,
                                                                                    "roles": ["officer"]})

        answers = []
        for name in ("nosuch", "other-officer2", "gone-officer"):
            r = add(admin, name)
            assert r.status_code == 422, r.text
            err = r.json()["error"]
            assert [(f["field"], f["code"]) for f in err["fields"]] == [("username", "not_found")]
            answers.append(err["message"].replace(name, "NAME"))
        assert len(set(answers)) == 1 and "请核对用户名" in answers[0]
        told = [add(platform, name).json()["error"]["message"] for name in ("nosuch", "other-officer2", "gone-officer")]
        assert told == ["用户 nosuch 不存在，不能兼任", "用户 other-officer2 已停用，不能兼任",
                        "用户 gone-officer 所在的某县已撤销局已停用，不能兼任"]

        # taking away: 404 for a name that is no one and for a person who holds nothing here alike
        for name in ("nosuch", "other-officer"):
            r = api.delete(f"/api/admin/agencies/default/members/{name}", headers=admin)
            assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", r.text
        # a member deactivated since can still be taken off the list
        assert add(admin, "other-leader").status_code == 201
        _set_active(web, User, "username", "other-leader", False)
        r = api.delete("/api/admin/agencies/default/members/other-leader", headers=admin)
        assert r.status_code == 200 and r.json()["removed"], r.text


def test_the_page_says_when_there_was_nothing_to_take_away(web: Web) -> None:
    _other(web)
    admin = web.login("admin")
    r = web.post(admin, "/admin/users/members/nosuch/revoke", {}, page="/admin/users")
    assert r.status_code == 303
    assert "nosuch 在本机关没有兼任" in admin.get(r.headers["location"]).text
