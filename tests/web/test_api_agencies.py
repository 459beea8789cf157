"""Agencies as administered objects through the admin API (issue 16): the instance administrator creates a county
government with departments and a town, edits and moves them, sets up their administrators; refusals are clear —
a duplicate code (409), a cycle (422), deactivating an agency with open cases (409, saying what is open and what
to do), an agency administrator touching another agency (403)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from db.engine import read_session
from db.models import User
from tests.conftest import Db
from tests.helpers import make_staff, registration
from tests.web.conftest import token
from workflow.accounts.users import create_user
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.timesource import FixedTime


def _instance_admin(db: Db, clock: FixedTime) -> None:
    create_user(db.engine, agency_code="default", username="platform", password="password123",
                roles=["instance_admin"], display_name="平台管理员", now=clock.now())


def _post(client: TestClient, url: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
    return client.post(url, headers=headers, json=body or {})


def test_instance_admin_builds_a_county(db: Db, clock: FixedTime, client: TestClient) -> None:
    _instance_admin(db, clock)
    h = token(client, "platform")
    r = _post(client, "/api/admin/agencies", h, {"code": "county", "name": "某某县人民政府"})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "government" and r.json()["remedy_proposal"] is None
    for code, name in (("land", "某某县自然资源局"), ("edu", "某某县教育体育局"), ("town", "某某县甲镇人民政府")):
        r = _post(client, "/api/admin/agencies", h, {"code": code, "name": name, "parent": "county"})
        assert r.status_code == 201, r.text
    land = client.get("/api/admin/agencies/land", headers=h).json()
    assert land["parent"] == "county" and land["kind"] == "department"
    assert land["remedy_proposal"]["reconsideration_organ"] == "某某县人民政府"
    assert land["remedy_proposal"]["litigation_court"] == "某某县人民法院"
    assert {m["field"] for m in land["missing_notice_settings"]} >= {"address", "phone"}
    town = client.get("/api/admin/agencies/town", headers=h).json()
    assert town["kind"] == "government" and town["remedy_proposal"]["reconsideration_organ"] == "某某县人民政府"
    assert client.get("/api/admin/agencies/county", headers=h).json()["children"] == ["edu", "land", "town"]
    listed = client.get("/api/admin/agencies", headers=h).json()
    assert [(a["code"], a["depth"]) for a in listed if a["code"] != "default"] == [
        ("county", 0), ("edu", 1), ("land", 1), ("town", 1)]
    # its administrator, then the administrator's own settings
    r = _post(client, "/api/admin/agencies/land/users", h, {"username": "land-admin", "password": "password123",
                                                            "roles": ["admin"], "display_name": "自然资源局管理员"})
    assert r.status_code == 201, r.text
    la = token(client, "land-admin")
    r = client.patch("/api/admin/agencies/land", headers=la, json={"settings": {
        "address": "某某县人民路1号", "phone": "0871-1234567", "reconsideration_organ": "某某县人民政府",
        "litigation_court": "某某县人民法院"}})
    assert r.status_code == 200, r.text
    assert r.json()["missing_notice_settings"] == [] and r.json()["settings"]["phone"] == "0871-1234567"


def test_refusals_are_clear(db: Db, clock: FixedTime, client: TestClient) -> None:
    _instance_admin(db, clock)
    h = token(client, "platform")
    assert _post(client, "/api/admin/agencies", h, {"code": "county", "name": "某某县人民政府"}).status_code == 201
    assert _post(client, "/api/admin/agencies", h, {"code": "land", "name": "某某县自然资源局",
                                                    "parent": "county"}).status_code == 201
    dup = _post(client, "/api/admin/agencies", h, {"code": "land", "name": "另一个局"})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "agency_code_taken"
    assert "land" in dup.json()["error"]["message"] and "已被使用" in dup.json()["error"]["message"]
    bad = _post(client, "/api/admin/agencies", h, {"code": "土地", "name": "某局"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "code"
    cycle = client.patch("/api/admin/agencies/county", headers=h, json={"parent": "land"})
    assert cycle.status_code == 422 and cycle.json()["error"]["fields"][0]["code"] == "hierarchy_cycle"
    unknown = _post(client, "/api/admin/agencies", h, {"code": "x", "name": "某局", "parent": "nowhere"})
    assert unknown.status_code == 422 and "nowhere" in unknown.json()["error"]["fields"][0]["message"]

    # an agency with an open case cannot be deactivated; the answer says what is open and what to do
    land_staff = make_staff(db.engine, clock.now(), agency_code="land")
    wf.register(db.engine, RegisterIn.model_validate(registration()), land_staff.front, clock.now())
    r = _post(client, "/api/admin/agencies/land/deactivate", h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "agency_has_open_cases"
    assert "1件未办结的依申请公开申请" in r.json()["error"]["message"] and "办结" in r.json()["error"]["message"]
    r = _post(client, "/api/admin/agencies/county/deactivate", h)
    assert r.status_code == 409 and "某某县自然资源局" in r.json()["error"]["message"]

    # an agency administrator may not edit, create or deactivate another agency
    la = token(client, "land-admin")  # make_staff's administrator of the land office
    for resp in (client.patch("/api/admin/agencies/county", headers=la, json={"name": "改名"}),
                 client.patch("/api/admin/agencies/county", headers=la, json={"settings": {"phone": "1"}}),
                 client.get("/api/admin/agencies/county", headers=la),
                 _post(client, "/api/admin/agencies/county/users", la, {"username": "x1", "password": "password123",
                                                                        "roles": ["officer"]})):
        assert resp.status_code == 403, resp.text
        assert "本机关" in resp.json()["error"]["message"]
    for resp in (_post(client, "/api/admin/agencies", la, {"code": "y", "name": "某局"}),
                 client.patch("/api/admin/agencies/land", headers=la, json={"parent": ""}),
                 _post(client, "/api/admin/agencies/land/deactivate", la)):
        assert resp.status_code == 403 and "平台管理员" in resp.json()["error"]["message"], resp.text
    # nor make an instance administrator
    r = _post(client, "/api/admin/agencies/land/users", la, {"username": "x2", "password": "password123",
                                                             "roles": ["instance_admin"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "grant_instance_admin"
    # the agency list shows an agency administrator only its own agency
    assert [a["code"] for a in client.get("/api/admin/agencies", headers=la).json()] == ["land"]


def test_deactivate_and_reactivate_an_empty_agency(db: Db, clock: FixedTime, client: TestClient) -> None:
    _instance_admin(db, clock)
    h = token(client, "platform")
    _post(client, "/api/admin/agencies", h, {"code": "old", "name": "某某县撤并办"})
    r = _post(client, "/api/admin/agencies/old/deactivate", h)
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["deactivated_at"]
    r = _post(client, "/api/admin/agencies", h, {"code": "new", "name": "某局", "parent": "old"})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["code"] == "inactive_parent"
    r = _post(client, "/api/admin/agencies/old/users", h, {"username": "late", "password": "password123",
                                                           "roles": ["officer"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "inactive_agency"
    assert _post(client, "/api/admin/agencies/old/activate", h).json()["active"] is True


def test_staff_of_a_deactivated_agency_cannot_log_in(db: Db, clock: FixedTime, client: TestClient) -> None:
    _instance_admin(db, clock)
    h = token(client, "platform")
    _post(client, "/api/admin/agencies", h, {"code": "old", "name": "某某县撤并办"})
    make_staff(db.engine, clock.now(), agency_code="old")
    before = token(client, "old-front")
    assert client.get("/api/me", headers=before).status_code == 200
    assert _post(client, "/api/admin/agencies/old/deactivate", h).status_code == 200
    client.app.state.tokens.forget_user(_me_id(client, h, "old-front", db))  # a token verified seconds ago is cached
    assert client.get("/api/me", headers=before).status_code == 401  # tokens issued before end with it
    r = client.post("/api/token", data={"username": "old-front", "password": "password123"})
    assert r.status_code == 401 and "已停用" in r.text


def _me_id(client: TestClient, h: dict[str, str], username: str, db: Db) -> int:
    with read_session(db.engine) as s:
        return int(s.exec(select(User.id).where(User.username == username)).one())


def test_login_names_and_emails_of_new_accounts_are_checked(db: Db, clock: FixedTime, client: TestClient) -> None:
    """A login name is Latin letters, digits and . _ - (a letter or digit first): no look-alikes, spaces, slashes,
    invisible characters or emoji; two names differing only in case are one name. An e-mail address has the
    applicant's shape."""
    make_staff(db.engine, clock.now())
    la = token(client, "default-admin")

    def create(**over: Any) -> Any:
        body = {"username": "wang.wu", "password": "password123", "roles": ["officer"], **over}
        return _post(client, "/api/admin/agencies/default/users", la, body)

    for name in ("DEFAULT-ADMIN", "Default-Officer"):
        r = create(username=name)
        assert r.status_code == 422, r.text
        assert [(f["field"], f["code"]) for f in r.json()["error"]["fields"]] == [("username", "username_taken")]
        assert "不区分大小写" in r.json()["error"]["message"]
    for name in ("a\u200bb", "a b", "a/b", "😀", "王五", "-wang", ".", "..", "wаng"):  # "а" is Cyrillic
        r = create(username=name)
        assert r.status_code == 422, (name, r.text)
        assert [(f["field"], f["code"]) for f in r.json()["error"]["fields"]] == [("username", "invalid_username")]
        assert "英文字母、数字" in r.json()["error"]["message"]
    for email in ("😀👨‍👩‍👧", "wang@", "wang wu@x.cn"):
        r = create(email=email)
        assert r.status_code == 422, r.text
        assert [(f["field"], f["code"], f["message"]) for f in r.json()["error"]["fields"]] == [
            ("email", "invalid_email", "电子邮箱格式不正确")]
    with read_session(db.engine) as s:
        assert s.exec(select(User).where(User.username == "wang.wu")).first() is None
    for name in ("wang.wu", "x", "u1_2-3", "W.Wu"):
        assert create(username=name, email="wang.wu@mail.gov.cn").status_code == 201
