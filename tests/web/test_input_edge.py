"""Input sanitation at the edge (issue 15): control characters refused at the field, multi-line text kept with
``\\n`` only, NUL bytes refused everywhere (anonymous endpoints included), integer ids and cursors range-checked,
dates and statistics periods bounded, a missing stored file a 404 — never a 500, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Disclosure, StoredFile
from tests.helpers import registration
from tests.web.conftest import Web, csrf_of, token
from tests.web.portal_helpers import application
from tests.web.test_portal_pages import field_error, post_application
from tests.workflow.sweep_helpers import at, register_on

CRLF_NAME = "张三\r\nBcc: all@example.com"
HUGE = "99999999999999999999"  # beyond SQLite's int64 too


def _fields(r) -> dict[str, str]:
    body = r.json()["error"]
    return {f["field"]: f["code"] for f in body.get("fields", [])}


def test_crlf_name_refused_at_the_field_by_the_api(client, staff, db) -> None:
    front = token(client, "default-front")
    data = registration(received_at=at(date(2026, 3, 2), 9).isoformat(), applicant_name=CRLF_NAME)
    r = client.post("/api/disclosures", json=data, headers=front)
    assert r.status_code == 422, r.text
    assert _fields(r) == {"applicant_name": "control_characters"}
    assert "换行" in r.json()["error"]["fields"][0]["message"]
    for field in ("address", "phone", "contact_person", "document_ref"):
        r = client.post("/api/disclosures", json={**data, "applicant_name": "张三", field: "某\t地"}, headers=front)
        assert r.status_code == 422 and _fields(r) == {field: "control_characters"}, (field, r.text)
    # multi-line text keeps its line breaks as \n only (CR LF, CR, tab normalised)
    r = client.post("/api/disclosures", json={**data, "applicant_name": "张三",
                                              "description": "第一行\r\n第二行\r第三行\t完"}, headers=front)
    assert r.status_code == 201, r.text
    with read_session(db.engine) as s:
        row = s.get(Disclosure, r.json()["id"])
        assert row.description == "第一行\n第二行\n第三行 完" and row.applicant_name == "张三"
    r = client.post("/api/disclosures", json={**data, "applicant_name": "张三", "description": "响铃\x07"},
                    headers=front)
    assert r.status_code == 422 and _fields(r) == {"description": "control_characters"}


def test_crlf_name_refused_at_the_field_in_the_portal(web_any: Web) -> None:
    web = web_any
    c = web.client()
    r = post_application(web, c, application(applicant_name=CRLF_NAME))
    assert r.status_code == 422, r.text[:300]
    assert "不能包含换行、制表符等控制字符" in field_error(r.text, "applicant_name")
    with read_session(web.db.engine) as s:
        assert not s.exec(select(Disclosure)).all()
    # a multi-line description is fine, and stored with \n
    r = post_application(web, c, application(description="第一段\r\n第二段"))
    assert r.status_code in (200, 303), r.text[:300]
    with read_session(web.db.engine) as s:
        [row] = s.exec(select(Disclosure)).all()
        assert row.description == "第一段\n第二段"


def test_crlf_caller_name_refused_by_the_workorder_api(client, staff, db) -> None:
    front = token(client, "default-front")
    order = {"order_no": "GD-1", "received_at": "2026-03-02 09:15", "category": "投诉", "caller_name": "王五\n",
             "caller_phone": 13800138000, "content": "第一行\r\n第二行"}
    r = client.post("/api/workorders", json={**order, "caller_name": "王\n五"}, headers=front)
    assert r.status_code == 422 and _fields(r) == {"caller_name": "control_characters"}, r.text
    r = client.post("/api/workorders", json={**order, "caller_name": "王五"}, headers=front)
    assert r.status_code == 201, r.text


def test_nul_bytes_are_422_everywhere(client, staff, db) -> None:
    # anonymous endpoints first: the token form, the public status query, the look-up page
    r = client.post("/api/token", data={"username": "default-admin\x00", "password": "x"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "nul_character"
    r = client.get("/api/public/status", params={"tracking_no": "依申\x00", "query_code": "abc"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "control_characters"
    page = client.get("/chaxun", headers={"accept": "text/html"})
    r = client.post("/chaxun", data={"tracking_no": "依申\x00", "query_code": "x", "csrf_token": csrf_of(page.text)},
                    headers={"accept": "text/html"})
    assert r.status_code == 422 and "空字符" in r.text and r.headers["content-type"].startswith("text/html")
    front = token(client, "default-front")
    data = registration(received_at=at(date(2026, 3, 2), 9).isoformat())
    raw = json.dumps({**data, "description": "申请\u0000内容"})  # written as \\u0000 in the JSON text
    r = client.post("/api/disclosures", content=raw, headers={**front, "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "nul_character"
    # a literal backslash followed by u0000 is text, not a NUL
    r = client.post("/api/disclosures", json={**data, "description": "路径 C:\\u0000 说明"}, headers=front)
    assert r.status_code == 201, r.text
    r = client.get("/api/disclosures", params={"text": "a\x00"}, headers=front)
    assert r.status_code == 422


def test_ids_and_cursors_are_range_checked(client, staff, db) -> None:
    officer = token(client, "default-officer")
    admin = token(client, "default-admin")
    for big in ("2147483648", HUGE, "-2147483648"):
        for url in (f"/api/disclosures/{big}", f"/api/workorders/{big}", f"/api/disclosures/1/files/{big}",
                    f"/api/disclosures/{big}/fee-preview?method=page&quantity=1"):
            r = client.get(url, headers=officer)
            assert r.status_code == 404, (url, r.status_code, r.text)
        r = client.post(f"/api/admin/outbox/{big}/retry", headers=admin)
        assert r.status_code == 404, r.text
        r = client.get(f"/api/public/files/{big}", params={"tracking_no": "x", "query_code": "y"})
        assert r.status_code == 404
    for params in ({"assignee": HUGE}, {"agency_id": "2147483648"}):
        for url in ("/api/disclosures", "/api/workorders"):
            r = client.get(url, params=params, headers=officer)
            assert r.status_code == 422 and _fields(r) == {next(iter(params)): "out_of_range"}, (url, r.text)
    for last in (2**40, 2**70, "x", True, 1.5):
        cursor = base64.urlsafe_b64encode(json.dumps([0, last]).encode()).decode()
        for url in ("/api/disclosures", "/api/workorders"):
            r = client.get(url, params={"cursor": cursor}, headers=officer)
            assert r.status_code == 422 and _fields(r) == {"cursor": "invalid_cursor"}, (url, last, r.text)
    r = client.get("/api/disclosures", params={"cursor": "A" * 5000}, headers=officer)
    assert r.status_code == 422
    # in a body: an id or a version the databases cannot hold is refused at its field
    case = register_on(db.engine, staff, date(2026, 3, 2), assign=False)
    lead = token(client, "default-leader")
    r = client.post(f"/api/disclosures/{case}/actions/assign", json={"payload": {"assignee_id": 2**40}}, headers=lead)
    assert r.status_code == 422 and "assignee_id" in r.text, r.text
    r = client.post(f"/api/disclosures/{case}/actions/assign", json={"expected_version": 2**63,
                                                                     "payload": {"assignee_id": 1}}, headers=lead)
    assert r.status_code == 422 and _fields(r) == {"expected_version": "out_of_range"}, r.text


def test_pages_answer_404_for_ids_beyond_range(web_any: Web) -> None:
    officer = web_any.login("officer")
    for url in (f"/cases/disclosure/{HUGE}", "/cases/disclosure/2147483648", f"/workorders/{HUGE}"):
        r = officer.get(url)
        assert r.status_code == 404 and "记录不存在" in r.text, (url, r.status_code)
    admin = web_any.login("admin")
    r = admin.get("/admin/audit", params={"before": HUGE})
    assert r.status_code == 422 and "数值超出允许范围" in r.text


def test_dates_and_periods_are_bounded(client, staff, db) -> None:
    r = client.get("/api/calendar/add-workdays", params={"start": "9999-12-30", "days": 5})
    assert r.status_code == 422 and _fields(r) == {"start": "date_out_of_range"}, r.text
    assert client.get("/api/calendar/add-workdays", params={"start": "2199-12-20", "days": 3660}).status_code == 200
    leader = token(client, "default-leader")
    r = client.get("/api/reports/stats", params={"from": "1000-01-01", "to": "5000-12-31"}, headers=leader)
    assert r.status_code == 422 and set(_fields(r)) == {"from", "to"}, r.text
    r = client.get("/api/reports/stats", params={"from": "2010-01-01", "to": "2025-12-31"}, headers=leader)
    assert r.status_code == 422 and _fields(r) == {"from": "period_too_long"}, r.text
    assert "10年" in r.json()["error"]["fields"][0]["message"]
    r = client.get("/api/reports/stats", params={"from": "2016-01-01", "to": "2025-12-31"}, headers=leader)
    assert r.status_code == 200, r.text
    r = client.get("/api/disclosures", params={"due_before": "0001-01-01T00:00:00+00:00"},
                   headers=token(client, "default-officer"))
    assert r.status_code == 422 and _fields(r) == {"due_before": "date_out_of_range"}
    front = token(client, "default-front")
    r = client.post("/api/disclosures", json=registration(received_at="9999-12-31T09:00:00+08:00"), headers=front)
    assert r.status_code == 422 and "received_at" in _fields(r), r.text


def test_a_missing_stored_file_is_404_through_the_api(client, staff, db) -> None:
    case = register_on(db.engine, staff, date(2026, 3, 2))
    with write_session(db.engine) as s:
        f = StoredFile(agency_id=staff.agency_id, sha256="0" * 64, size=3, filename="材料.pdf",
                       content_type="application/pdf", category="application", case_kind="disclosure",
                       case_id=case, created_at=at(date(2026, 3, 2)))
        s.add(f)
        s.commit()
        fid = f.id
    r = client.get(f"/api/disclosures/{case}/files/{fid}", headers=token(client, "default-officer"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("field", ["display_name", "username"])
def test_account_names_are_single_line(web: Web, field: str) -> None:
    admin = web.login("admin")
    values = {"username": "wang", "display_name": "王五", "password": "password123", "roles": "officer",
              field: "王\r\n五"}
    r = web.post(admin, "/admin/users", values)
    assert r.status_code in (303, 422)
    page = admin.get("/admin/users").text if r.status_code == 303 else r.text
    assert "不能包含换行" in page
