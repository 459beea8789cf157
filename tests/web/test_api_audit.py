"""操作记录 through the API (``GET /api/admin/audit``), as ``/admin/audit`` shows it: account changes and failed logins
with their Chinese action and details, newest first, paged by ``before``; for the agencies the caller administers
(an agency's administrator its own, the instance administrator any, ``agency=CODE``), as the other admin endpoints
decide it."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Agency
from tests.conftest import Db
from tests.helpers import make_staff
from tests.web.conftest import Web, token
from workflow.accounts.memberships import grant, revoke
from workflow.accounts.principal import system
from workflow.accounts.users import create_user
from workflow.agencies.registry import create_agency, set_agency_active, update_agency
from workflow.agencies.setup import SetupIn, apply_setup
from workflow.timesource import FixedTime

AUDIT = "/api/admin/audit"


def _other_agency(db: Db, clock: FixedTime) -> None:
    with write_session(db.engine) as s:
        s.add(Agency(code="other", name="某县另一局", settings={}, created_at=clock.now()))
        s.commit()
    make_staff(db.engine, clock.now(), agency_code="other")


def test_role_change_and_failed_login_are_listed(db: Db, clock: FixedTime, client: TestClient, staff) -> None:  # type: ignore[no-untyped-def]
    admin = token(client, "default-admin")
    r = client.put(f"/api/admin/agencies/default/users/{staff.officer.id}/roles", headers=admin,
                   json={"roles": ["officer", "leader"]})
    assert r.status_code == 200, r.text
    assert client.post("/api/token", data={"username": "default-front", "password": "wrong-one"}).status_code == 401
    r = client.get(AUDIT, headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next_before"] is None
    failed, roles = body["items"][0], body["items"][1]
    assert failed["action"] == "login_failed" and failed["action_label"] == "登录失败"
    assert failed["target"] == "default-front" and failed["details"][0].startswith("来源地址 ")
    assert roles == {"id": roles["id"], "at": roles["at"], "actor": "管理员", "action": "set_roles",
                     "action_label": "调整角色", "target": "default-officer",
                     "details": ["角色：承办人 → 负责人、承办人"]}
    assert roles["id"] < failed["id"]
    at = datetime.fromisoformat(roles["at"])
    assert at.tzinfo is not None and at == clock.now()
    assert re.search(r"[+-]\d\d:\d\d$", roles["at"])
    assert "wrong-one" not in r.text and "password123" not in r.text


def test_the_api_says_what_the_page_says(web: Web) -> None:
    with TestClient(web.app) as api:
        admin = token(api, "default-admin")
        api.post(f"/api/admin/agencies/default/users/{web.staff.front.id}/unlock", headers=admin)
        items = api.get(AUDIT, headers=admin).json()["items"]
    page = web.login("admin").get("/admin/audit").text
    assert items and all(f"<td>{e['action_label']}</td><td>{e['target']}</td>" in page for e in items)


def test_paging_by_before(db: Db, clock: FixedTime, client: TestClient, staff) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        client.post("/api/token", data={"username": "default-officer", "password": "wrong-one"})
    admin = token(client, "default-admin")
    everything = client.get(AUDIT, headers=admin).json()
    ids = [e["id"] for e in everything["items"]]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True)
    seen: list[int] = []
    url = f"{AUDIT}?limit=2"
    while True:
        page = client.get(url, headers=admin).json()
        assert len(page["items"]) <= 2
        seen += [e["id"] for e in page["items"]]
        if page["next_before"] is None:
            break
        assert page["next_before"] == page["items"][-1]["id"]
        url = f"{AUDIT}?limit=2&before={page['next_before']}"
    assert seen == ids
    assert client.get(f"{AUDIT}?before={ids[-1]}", headers=admin).json() == {"items": [], "next_before": None}


def test_a_bad_limit_is_refused_in_chinese(db: Db, clock: FixedTime, client: TestClient, staff) -> None:  # type: ignore[no-untyped-def]
    admin = token(client, "default-admin")
    for bad in ("0", "501", "many", "-1"):
        r = client.get(f"{AUDIT}?limit={bad}", headers=admin)
        assert r.status_code == 422, (bad, r.text)
        err = r.json()["error"]
        assert err["code"] == "invalid_input" and [f["field"] for f in err["fields"]] == ["limit"]
        assert re.search(r"[\u4e00-\u9fff]", err["fields"][0]["message"]), err
    assert client.get(f"{AUDIT}?limit=500", headers=admin).status_code == 200


def test_who_sees_which_agencys_log(db: Db, clock: FixedTime, client: TestClient, staff) -> None:  # type: ignore[no-untyped-def]
    _other_agency(db, clock)
    create_user(db.engine, agency_code="default", username="platform", password="password123",
                roles=["instance_admin"], display_name="平台管理员", now=clock.now())
    client.post("/api/token", data={"username": "other-officer", "password": "wrong-one"})
    admin, oadmin = token(client, "default-admin"), token(client, "other-admin")
    officer, leader, platform = token(client, "default-officer"), token(client, "default-leader"), token(client, "platform")
    assert client.get(AUDIT).status_code == 401
    for h in (officer, leader):
        r = client.get(AUDIT, headers=h)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    # an agency's administrator: its own log; another agency's is refused as its users are
    assert [e["target"] for e in client.get(AUDIT, headers=oadmin).json()["items"]] == ["other-officer"]
    assert "other-officer" not in client.get(AUDIT, headers=admin).text
    r = client.get(f"{AUDIT}?agency=other", headers=admin)
    assert r.status_code == 403 and "本机关" in r.json()["error"]["message"]
    assert client.get("/api/admin/agencies/other/users", headers=admin).status_code == 403  # as the others answer
    assert client.get(f"{AUDIT}?agency=default", headers=admin).status_code == 200
    assert client.get(f"{AUDIT}?agency=nosuch", headers=admin).status_code == 404
    # the instance administrator: any agency's
    r = client.get(f"{AUDIT}?agency=other", headers=platform)
    assert r.status_code == 200 and [e["target"] for e in r.json()["items"]] == ["other-officer"]


def test_every_agency_and_membership_step_is_named_in_chinese(db: Db, clock: FixedTime, client: TestClient,
                                                              staff) -> None:  # type: ignore[no-untyped-def]
    """The agency's life (created, first set up, edited, deactivated, activated) and 兼任 granted and removed read in
    Chinese in 操作记录, as every account step does — not as their codes (setup, create_agency)."""
    cli = system(staff.agency_id, "命令行")
    create_agency(db.engine, code="edu", name="某县教育体育局", actor=cli, now=clock.now())
    create_user(db.engine, agency_code="edu", username="edu-admin", password="password123", roles=["admin"],
                display_name="教体局管理员", now=clock.now())
    with read_session(db.engine) as s:
        edu = s.exec(select(Agency).where(Agency.code == "edu")).one()
    assert edu.id is not None
    apply_setup(db.engine, edu.id, SetupIn(name="某县教育体育局", address="某县人民路3号", phone="0878-3120001",
                                           reconsideration_organ="某县人民政府", litigation_court="某县人民法院"),
                actor=cli, now=clock.now())
    update_agency(db.engine, "edu", actor=cli, now=clock.now(), name="某县教育和体育局")
    set_agency_active(db.engine, "edu", False, actor=cli, now=clock.now())
    set_agency_active(db.engine, "edu", True, actor=cli, now=clock.now())
    grant(db.engine, username="default-officer", agency_code="edu", roles=["officer"], actor=cli, now=clock.now())
    revoke(db.engine, username="default-officer", agency_code="edu", actor=cli, now=clock.now())
    items = client.get(AUDIT, headers=token(client, "edu-admin")).json()["items"]
    labels = {e["action"]: e["action_label"] for e in items}
    assert {"create_agency", "setup", "edit_agency", "deactivate_agency", "activate_agency"} <= labels.keys(), labels
    for action, label in labels.items():
        assert label != action and re.search(r"[\u4e00-\u9fff]", label), (action, label)
