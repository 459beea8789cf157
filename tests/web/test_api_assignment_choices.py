"""The officers and units a client may assign a case to (finding h3-4): ``GET /api/{kind}/assignment-choices`` answers
what the assignment forms on the case and work-order pages offer — the same workflow function, under the one
policy (the roles that may fire an assigning row) — so an API client can find a valid ``assignee_id`` / ``unit_id``
instead of guessing ids."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from db.engine import write_session
from db.models import Agency, User
from tests.helpers import make_staff
from tests.hotline_helpers import new_order
from tests.web.conftest import Web, register_case, token
from workflow.accounts import memberships
from workflow.accounts.admin import set_active
from workflow.accounts.principal import system
from workflow.accounts.users import create_user
from workflow.cases.form_choices import CHOICE_FIELDS
from workflow.disclosure.kind import DISCLOSURE
from workflow.disclosure.payloads import PAYLOADS as DISCLOSURE_PAYLOADS
from workflow.hotline.kind import HOTLINE
from workflow.hotline.payloads import PAYLOADS as HOTLINE_PAYLOADS

DISCLOSURES = "/api/disclosures/assignment-choices"
WORKORDERS = "/api/workorders/assignment-choices"


def _options(page: str) -> dict[str, str]:
    """The officer choices of a page's assignment form: id → label."""
    select_ = re.search(r'<select[^>]*name="assignee_id"[^>]*>(.*?)</select>', page, re.S)
    assert select_, "no assignee select on the page"
    return {v: html.unescape(label) for v, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>',
                                                               select_.group(1))}


def _units(page: str) -> dict[str, str]:
    select_ = re.search(r'<select[^>]*name="unit_id"[^>]*>(.*?)</select>', page, re.S)
    assert select_, "no unit select on the page"
    return {v: html.unescape(label) for v, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>',
                                                               select_.group(1))}


def test_the_choices_are_those_of_the_pages_forms(web: Web) -> None:
    staff = web.staff
    case = register_case(web, assignee_id=None)
    oid = new_order(web.db.engine, staff.front, web.clock.now())
    front = web.login("front")
    with TestClient(web.app) as api:
        h = token(api, "default-front")
        d = api.get(DISCLOSURES, headers=h)
        w = api.get(WORKORDERS, headers=h)
    assert d.status_code == 200 and w.status_code == 200, (d.text, w.text)
    officers = d.json()["officers"]
    named = [(o["id"], o["display_name"], o["unit"], o["member"], o["label"]) for o in officers]
    assert named[:2] == [(staff.officer.id, "承办人李明", "综合科", False, "承办人李明（综合科）"),
                         (staff.officer2.id, "承办人赵强", "法规科", False, "承办人赵强（法规科）")]  # by name
    assert {o["id"] for o in officers} - {staff.officer.id, staff.officer2.id} == {1}  # the first-run 系统管理员
    assert staff.front.id not in {o["id"] for o in officers}  # not an officer
    assert d.json()["units"] == []  # an application is given to an officer, never to a unit
    assert w.json()["officers"] == officers
    # key for key what the pages' forms offer: the disclosure's 分办 form, the work order's 指派 form with its units
    page_officers = _options(front.get(f"/cases/disclosure/{case.id}").text)
    assert page_officers == {str(o["id"]): o["label"] for o in officers}
    order_page = front.get(f"/workorders/{oid}").text
    assert _options(order_page) == page_officers
    assert _units(order_page) == {str(u["id"]): u["name"] for u in w.json()["units"]}
    assert [u["name"] for u in w.json()["units"]] == ["综合科", "法规科"]


def test_a_chosen_officer_and_unit_are_accepted(web: Web) -> None:
    oid = new_order(web.db.engine, web.staff.front, web.clock.now())
    with TestClient(web.app) as api:
        h = token(api, "default-front")
        choices = api.get(WORKORDERS, headers=h).json()
        officer = next(o for o in choices["officers"] if o["display_name"] == "承办人赵强")
        unit = next(u for u in choices["units"] if u["name"] == "综合科")
        r = api.post(f"/api/workorders/{oid}/actions/sign_for", headers=h, json={"payload": {}})
        assert r.status_code == 200, r.text
        r = api.post(f"/api/workorders/{oid}/actions/assign", headers=h,
                     json={"payload": {"assignee_id": officer["id"], "unit_id": unit["id"]}})
        assert r.status_code == 200, r.text
        d = api.get(f"/api/workorders/{oid}", headers=token(api, "default-leader")).json()
    assert d["assignee"]["id"] == officer["id"] and d["unit_id"] == unit["id"]


def test_only_the_roles_that_assign_may_read_them(web: Web) -> None:
    create_user(web.db.engine, agency_code="default", username="default-sup", password="password123",
                roles=["supervisor"], display_name="监督员", now=web.clock.now())
    with TestClient(web.app) as api:
        for url in (DISCLOSURES, WORKORDERS):
            assert api.get(url).status_code == 401
            assert api.get(url, headers=token(api, "default-leader")).status_code == 200
            for who in ("default-officer", "default-admin", "default-sup"):
                r = api.get(url, headers=token(api, who))
                assert r.status_code == 403, (url, who, r.text)
                err = r.json()["error"]
                assert err["code"] == "forbidden" and "指派" in err["message"]


def _other_agency(web: Web) -> None:
    with write_session(web.db.engine) as s:
        s.add(Agency(code="other", name="某县另一局", settings={}, created_at=web.clock.now()))
        s.commit()
    make_staff(web.db.engine, web.clock.now(), agency_code="other")


def _user_id(web: Web, username: str) -> int:
    with write_session(web.db.engine) as s:
        uid = s.exec(select(User.id).where(User.username == username)).one()
    assert uid is not None
    return uid


def test_members_of_other_agencies_inactive_accounts_and_the_agency_acted_in(web: Web) -> None:
    _other_agency(web)
    now = web.clock.now()
    memberships.grant(web.db.engine, username="other-officer", agency_code="default", roles=["officer"],
                      actor=web.staff.admin, now=now)
    memberships.grant(web.db.engine, username="default-front", agency_code="other", roles=["front_desk"],
                      actor=system(web.staff.agency_id, "命令行"), now=now)
    set_active(web.db.engine, web.staff.officer2.id, False, agency_id=web.staff.agency_id, actor=web.staff.admin,
               now=now)
    member = _user_id(web, "other-officer")
    with TestClient(web.app) as api:
        body: dict[str, Any] = api.get(WORKORDERS, headers=token(api, "default-front")).json()
        # the deactivated officer is gone; the officer of another agency follows, without a unit
        assert [(o["id"], o["label"], o["member"], o["unit"]) for o in body["officers"] if o["id"] != 1] == [
            (web.staff.officer.id, "承办人李明（综合科）", False, "综合科"), (member, "承办人李明（兼任）", True, "")]
        # a token acting in the other agency (the front desk holds a seat there) answers that agency's choices
        r = api.post("/api/token", data={"username": "default-front", "password": "password123", "agency": "other"})
        assert r.status_code == 200, r.text
        there = api.get(WORKORDERS, headers={"Authorization": f"Bearer {r.json()['access_token']}"}).json()
    ids = {o["id"] for o in there["officers"]}
    assert ids == {_user_id(web, "other-officer"), _user_id(web, "other-officer2")}
    assert web.staff.officer.id not in ids


def test_the_rows_documented_payloads_name_the_forms_fields() -> None:
    """The API reads which rows choose an officer or a unit from the transition tables' documented payloads; the
    pages from the payload models: both say the same for every assigning action."""
    for kind, payloads in ((DISCLOSURE, DISCLOSURE_PAYLOADS), (HOTLINE, HOTLINE_PAYLOADS)):
        for t in kind.machine.table:
            model = payloads.get(t.trigger)
            fields = set(model.model_fields) if model is not None else set()
            assert CHOICE_FIELDS & set(t.payload) == CHOICE_FIELDS & fields, (kind.name, t.trigger)
