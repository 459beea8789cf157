"""User administration through the API (finding h3-4), as ``/admin/users`` does it: the list, deactivate /
activate, reset the password, change the roles, unlock, end the sessions — the page's workflow functions under the
same policy (an agency's administrator its own agency; the instance administrator any) — so that an administrator
can lock a compromised account out without the browser."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from db.engine import write_session
from db.models import Agency
from tests.helpers import make_staff
from tests.web.conftest import Web, token
from workflow.accounts.audit_trail import audit_page
from workflow.accounts.users import create_user

USERS = "/api/admin/agencies/{code}/users"


def _url(user_id: int | None = None, op: str = "", code: str = "default") -> str:
    base = USERS.format(code=code)
    return base if user_id is None else f"{base}/{user_id}/{op}"


def _listed(api: TestClient, h: dict[str, str], username: str) -> dict[str, Any]:
    r = api.get(_url(), headers=h)
    assert r.status_code == 200, r.text
    return next(a for a in r.json() if a["username"] == username)


def _bearer(api: TestClient, username: str, password: str = "password123") -> int:
    r = api.post("/api/token", data={"username": username, "password": password})
    return r.status_code


def test_the_list_is_the_pages(web: Web) -> None:
    browser = web.login("officer")
    assert browser.get("/cases/mine").status_code == 200
    page = web.login("admin").get("/admin/users").text
    with TestClient(web.app) as api:
        r = api.get(_url(), headers=token(api, "default-admin"))
    assert r.status_code == 200, r.text
    users = r.json()
    assert [u["username"] for u in users] == sorted(u["username"] for u in users)
    for u in users:
        assert u["username"] in page
    officer = next(u for u in users if u["username"] == "default-officer")
    assert officer == {"id": web.staff.officer.id, "username": "default-officer", "display_name": "承办人李明",
                       "unit": "综合科", "roles": ["officer"], "active": True, "locked": False, "sessions": 1}


def test_deactivating_locks_a_compromised_account_out_at_once(web: Web) -> None:
    browser = web.login("officer")
    oid = web.staff.officer.id
    with TestClient(web.app) as api:
        admin = token(api, "default-admin")
        stolen = token(api, "default-officer")
        assert api.get("/api/me", headers=stolen).status_code == 200
        r = api.post(_url(oid, "deactivate"), headers=admin)
        assert r.status_code == 200, r.text
        assert r.json()["active"] is False and r.json()["sessions"] == 0
        assert api.get("/api/me", headers=stolen).status_code == 401  # at once: the token cache forgot it
        assert _bearer(api, "default-officer") == 401
        assert browser.get("/cases/mine").status_code in (302, 303)
        r = api.post(_url(oid, "activate"), headers=admin)
        assert r.status_code == 200 and r.json()["active"] is True
        assert _bearer(api, "default-officer") == 200
        assert api.get("/api/me", headers=stolen).status_code == 401  # what was ended stays ended
        r = api.post(_url(web.staff.admin.id, "deactivate"), headers=admin)
        assert r.status_code == 422 and r.json()["error"]["code"] == "self_deactivate"
    actions = [e.action for e in audit_page(web.db.engine, web.staff.agency_id).entries
               if e.payload.get("username") == "default-officer"]
    assert actions[:2] == ["activate", "deactivate"]


def test_reset_password_and_roles(web: Web) -> None:
    oid = web.staff.officer.id
    with TestClient(web.app) as api:
        admin = token(api, "default-admin")
        old = token(api, "default-officer")
        r = api.post(_url(oid, "password"), headers=admin, json={"password": "short"})
        assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "password"
        assert "至少" in r.json()["error"]["message"]
        r = api.post(_url(oid, "password"), headers=admin, json={"password": "reset-secret-1"})
        assert r.status_code == 200 and r.json()["username"] == "default-officer", r.text
        assert api.get("/api/me", headers=old).status_code == 401
        assert _bearer(api, "default-officer") == 401 and _bearer(api, "default-officer", "reset-secret-1") == 200
        # roles: replaced, and the account's tokens act with the new ones
        officer = token(api, "default-officer", "reset-secret-1")
        r = api.put(_url(oid, "roles"), headers=admin, json={"roles": ["officer", "leader"]})
        assert r.status_code == 200 and r.json()["roles"] == ["leader", "officer"], r.text
        assert sorted(api.get("/api/me", headers=officer).json()["roles"]) == ["leader", "officer"]  # at once
        for roles, code in ((["god"], "unknown_role"), ([], "no_role"), (["instance_admin"], "grant_instance_admin")):
            r = api.put(_url(oid, "roles"), headers=admin, json={"roles": roles})
            assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
        r = api.put(_url(web.staff.admin.id, "roles"), headers=admin, json={"roles": ["officer"]})
        assert r.status_code == 422 and r.json()["error"]["code"] == "self_demote"
        assert _listed(api, admin, "default-officer")["roles"] == ["leader", "officer"]


def test_unlock_and_end_sessions(web: Web) -> None:
    browser = web.login("front")
    fid = web.staff.front.id
    with TestClient(web.app) as api:
        admin = token(api, "default-admin")
        front = token(api, "default-front")
        for _ in range(web.db.settings.login_max_failures):
            _bearer(api, "default-front", "wrong-pass")
        assert _bearer(api, "default-front") == 429
        assert _listed(api, admin, "default-front")["locked"] is True
        r = api.post(_url(fid, "unlock"), headers=admin)
        assert r.status_code == 200 and r.json()["locked"] is False
        assert _bearer(api, "default-front") == 200
        assert _listed(api, admin, "default-front")["sessions"] == 1
        r = api.post(_url(fid, "end-sessions"), headers=admin)
        assert r.status_code == 200, r.text
        assert r.json()["sessions_ended"] == 1 and r.json()["sessions"] == 0
        assert api.get("/api/me", headers=front).status_code == 401
    assert browser.get("/cases").status_code in (302, 303)
    actions = {e.action for e in audit_page(web.db.engine, web.staff.agency_id).entries}
    assert {"unlock", "end_sessions"} <= actions


def _other_agency(web: Web) -> None:
    with write_session(web.db.engine) as s:
        s.add(Agency(code="other", name="某县另一局", settings={}, created_at=web.clock.now()))
        s.commit()
    make_staff(web.db.engine, web.clock.now(), agency_code="other")


def test_who_may_administer_which_accounts(web: Web) -> None:
    _other_agency(web)
    create_user(web.db.engine, agency_code="default", username="platform", password="password123",
                roles=["instance_admin"], display_name="平台管理员", now=web.clock.now())
    with TestClient(web.app) as api:
        admin, officer = token(api, "default-admin"), token(api, "default-officer")
        oadmin, platform = token(api, "other-admin"), token(api, "platform")
        assert api.get(_url()).status_code == 401
        assert api.get(_url(), headers=officer).status_code == 403
        r = api.get(_url(), headers=oadmin)
        assert r.status_code == 403 and "本机关" in r.json()["error"]["message"]
        r = api.post(_url(web.staff.officer.id, "deactivate"), headers=oadmin)
        assert r.status_code == 403
        other_users = api.get(_url(code="other"), headers=oadmin).json()
        other_officer_id = next(u["id"] for u in other_users if u["username"] == "other-officer")
        # an account of another agency, named through one's own: not found; a made-up id too
        for uid in (other_officer_id, 999_999):
            r = api.post(_url(uid, "unlock"), headers=admin)
            assert r.status_code == 404 and r.json()["error"]["message"] == "用户不存在", r.text
        assert api.get(_url(code="nosuch"), headers=admin).status_code == 404
        # the instance administrator's account is the instance administrator's to manage
        platform_id = next(u["id"] for u in api.get(_url(), headers=admin).json() if u["username"] == "platform")
        r = api.post(_url(platform_id, "password"), headers=admin, json={"password": "taken-over-1"})
        assert r.status_code == 403 and "平台管理员" in r.json()["error"]["message"]
        # who manages every agency's users
        assert api.get(_url(code="other"), headers=platform).status_code == 200
        r = api.post(_url(other_officer_id, "deactivate", code="other"), headers=platform)
        assert r.status_code == 200 and r.json()["active"] is False


def test_the_page_still_explains_a_refusal(web: Web) -> None:
    """The users page and the API share the checks: the page shows their message where it showed it before."""
    admin = web.login("admin")
    r = web.post(admin, "/admin/users/999999/unlock", {}, page="/admin/users")
    assert r.status_code == 303
    assert "用户不存在" in admin.get(r.headers["location"]).text
