"""What the API says about bad input (findings h3 #5, #6, #7, #11): every message is Chinese (pydantic's English never
gets through, nor the framework's, nor Python's exception text), each error names the field as the client sent it (a
model-level check at the field it concerns, no union members in the path), true/false is no number, and even an
unexpected error is an ordinary answer that leaves the connection open."""

from __future__ import annotations

import json
import socket
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from pydantic_core.core_schema import ErrorType
from sqlmodel import select

from db.engine import read_session
from db.models import Disclosure, User, WorkOrder
from states.wording import INPUT_ERROR_FALLBACK, INPUT_ERRORS
from tests.conftest import Db
from tests.helpers import Staff, make_staff, registration
from tests.hotline_helpers import CONVERT, local, order_input
from tests.web.conftest import Live
from web.api import disclosures as disclosures_api
from web.app import create_app
from workflow.hotline.payloads import PayloadError, ReplyPayload, parse_payload
from workflow.input_errors import field_errors
from workflow.timesource import FixedTime

Headers = dict[str, str]


@pytest.fixture
def api(db: Db) -> tuple[TestClient, Staff, Any, FixedTime, Db]:
    clk = FixedTime(local(2026, 3, 2, 10))
    staff = make_staff(db.engine, clk.now())
    app = create_app(db.settings, db.engine, clk, run_scheduler=False)

    def headers(p: Any) -> Headers:
        with read_session(db.engine) as s:
            user = s.get(User, p.id)
        return {"Authorization": f"Bearer {app.state.tokens.issue(user)}"}

    return TestClient(app), staff, headers, clk, db


def _fields(r: Any) -> dict[str, str]:
    return {f["field"]: f["code"] for f in r.json()["error"].get("fields", [])}


def _messages(r: Any) -> list[str]:
    err = r.json()["error"]
    return [err["message"], *(f["message"] for f in err.get("fields", []))]


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _all_chinese(r: Any) -> bool:
    return all(_chinese(m) for m in _messages(r))


# ---------------------------------------------------------------- #5 the field as the client sent it


def test_model_level_errors_name_the_field_they_concern(api) -> None:
    client, staff, h, _, db = api
    front = h(staff.front)
    r = client.post("/api/disclosures", json=registration(id_number="110101199003070970"), headers=front)
    assert r.status_code == 422 and _fields(r) == {"id_number": "invalid_id_number"}, r.text
    r = client.post("/api/disclosures", json=registration(channel="email", confirmed_at="2026-03-02T09:00:00+08:00"),
                    headers=front)
    assert r.status_code == 422 and _fields(r) == {"confirmed_at": "confirmation_before_receipt"}, r.text
    r = client.post("/api/disclosures", json=registration(phone="", email="", address="", obtain_way="collect"),
                    headers=front)
    assert r.status_code == 422 and _fields(r) == {"phone": "contact_required"}, r.text
    # inside a 12345 order's conversion: the applicant's check digit and the way of obtaining
    oid = client.post("/api/workorders", json=order_input(), headers=front).json()["id"]
    applicant: dict[str, Any] = dict(CONVERT["applicant"])  # type: ignore[call-overload]
    request: dict[str, Any] = dict(CONVERT["request"])  # type: ignore[call-overload]
    bad_id = {**CONVERT, "applicant": {**applicant, "id_number": "110101199003070970"}}
    r = client.post(f"/api/workorders/{oid}/actions/convert_to_disclosure", json={"payload": bad_id}, headers=front)
    assert r.status_code == 422 and _fields(r) == {"applicant.id_number": "invalid_id_number"}, r.text
    by_mail = {**CONVERT, "request": {**request, "obtain_way": "post"}}
    r = client.post(f"/api/workorders/{oid}/actions/convert_to_disclosure", json={"payload": by_mail}, headers=front)
    assert r.status_code == 422 and _fields(r) == {"applicant.address": "address_required"}, r.text
    # a control character deep in a payload is named where it is, not as the whole payload
    ctl = {**CONVERT, "applicant": {**applicant, "id_number": "1101\x0701"}}
    r = client.post(f"/api/workorders/{oid}/actions/convert_to_disclosure", json={"payload": ctl}, headers=front)
    assert r.status_code == 422 and _fields(r) == {"payload.applicant.id_number": "control_characters"}, r.text
    r = client.post(f"/api/workorders/{oid}/actions/reply", json={"payload": {"attachment_ids": [1, "a\x07"]}},
                    headers=front)
    assert r.status_code == 422 and _fields(r) == {"payload.attachment_ids.1": "control_characters"}, r.text
    with read_session(db.engine) as s:
        assert not s.exec(select(Disclosure)).all()


def test_union_fields_are_named_without_their_members(api) -> None:
    client, staff, h, _, db = api
    front = h(staff.front)
    for phone, code in ((1.5, "int_from_float"), ([1], "string_type"), ({"a": 1}, "string_type")):
        r = client.post("/api/workorders", json=order_input(caller_phone=phone), headers=front)
        assert r.status_code == 422 and r.json()["error"]["fields"] == [
            {"field": "caller_phone", "code": code, "message": INPUT_ERRORS[code]}], (phone, r.text)
    r = client.post("/api/workorders", content=b'{"order_no": "A1", "caller_phone": NaN}',
                    headers={**front, "content-type": "application/json"})
    assert r.status_code == 422 and _fields(r) == {"caller_phone": "finite_number"}, r.text
    r = client.post("/api/workorders", json=order_input(assisting_units=["城管局", 3]), headers=front)
    assert r.status_code == 422 and _fields(r) == {"assisting_units.1": "string_type"}, r.text
    assert _all_chinese(r)
    with read_session(db.engine) as s:
        assert not s.exec(select(WorkOrder)).all()


def test_union_members_are_dropped_from_paths_but_keys_are_kept() -> None:
    errors = [{"type": "string_type", "loc": ("body", "x", "function-after[f(), str]"), "msg": "m"},
              {"type": "int_from_float", "loc": ("body", "x", "int"), "msg": "m"},
              {"type": "string_type", "loc": ("body", "y", "list[str]", 2), "msg": "m"},
              {"type": "list_type", "loc": ("body", "y", "constrained-str"), "msg": "m"},
              {"type": "int_parsing", "loc": ("body", "settings", "ladders", "urge", 0), "msg": "m"}]
    assert [(f["field"], f["code"]) for f in field_errors(errors)] == [
        ("x", "int_from_float"), ("y.2", "string_type"), ("settings.ladders.urge.0", "int_parsing")]


# ---------------------------------------------------------------- #6 Chinese only


def test_every_pydantic_error_type_reads_in_chinese() -> None:
    for typ in get_args(ErrorType):
        [f] = field_errors([{"type": typ, "loc": ("body", "x"), "msg": "Input should be English", "ctx": {}}])
        assert _chinese(f["message"]) and "Input" not in f["message"], (typ, f)
    # a type this pydantic does not know yet, or a template whose context is missing: the fallback, in Chinese
    [f] = field_errors([{"type": "too_long", "loc": ("x",), "msg": "List should have at most 2 items"}])
    assert f["message"] == INPUT_ERROR_FALLBACK
    # our own errors (PydanticCustomError) keep their Chinese message
    [f] = field_errors([{"type": "invalid_phone", "loc": ("phone",), "msg": "联系电话格式不正确"}])
    assert f == {"field": "phone", "code": "invalid_phone", "message": "联系电话格式不正确"}


def test_no_english_reaches_the_client(api) -> None:
    client, staff, h, _, _ = api
    front, admin = h(staff.front), h(staff.admin)
    case = client.post("/api/disclosures", json=registration(), headers=front).json()["id"]
    lead = h(staff.leader)
    url = f"/api/disclosures/{case}/actions/assign"
    checks = [
        (url, {"payload": {"assignee_id": staff.officer.id}, "effective_at": "2026-03-02T09:00:00"}, lead,
         {"effective_at": "timezone_aware"}),
        (url, {"expected_version": 1.5, "payload": {"assignee_id": staff.officer.id}}, lead,
         {"expected_version": "int_from_float"}),
        ("/api/admin/agencies/default/users", {"username": "wang", "password": "password123", "roles": []}, admin,
         {"roles": "too_short"}),
        ("/api/admin/agencies/default/users", {"username": "wang", "password": "password123", "roles": ["god"]},
         admin, {"roles": "unknown_role"}),
        ("/api/workorders", json.dumps(order_input(caller_name="\ud800")).encode(), front,  # a lone surrogate
         {"caller_name": "string_unicode"}),
        ("/api/disclosures", {**registration(), "obtain_way": "fax"}, front, {"obtain_way": "literal_error"}),
    ]
    for path, body, who, expected in checks:
        r = client.post(path, content=body if isinstance(body, bytes) else json.dumps(body).encode(),
                        headers={**who, "content-type": "application/json"})
        assert r.status_code == 422 and _fields(r) == expected, (path, body, r.text)
        assert _all_chinese(r) and "Input" not in r.text and "is not a valid" not in r.text, r.text
    r = client.post("/api/disclosures", json={**registration(), "obtain_way": "fax"}, headers=front)
    message = next(f["message"] for f in r.json()["error"]["fields"] if f["field"] == "obtain_way")
    assert message.startswith("取值无效，可选：") and " or " not in message and "'" not in message, message
    r = client.post("/api/admin/agencies/default/users", json={"username": "wang", "password": "password123",
                                                               "roles": ["officer", "god"]}, headers=admin)
    assert "“god”" in r.json()["error"]["message"] and "officer（承办人）" in r.json()["error"]["message"]


@pytest.mark.parametrize("body", [b'{"applicant_name": "\xff\xfe"}', '{"applicant_name": "张三"}'.encode("gbk"),
                                  b"[" * 50_000 + b"]" * 50_000])  # deeper than any recursion limit a test sets
def test_an_unreadable_body_is_400_in_chinese(api, body: bytes) -> None:
    client, staff, h, _, _ = api
    r = client.post("/api/disclosures", content=body, headers={**h(staff.front), "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request", r.text
    assert _all_chinese(r) and "parsing" not in r.text


def test_an_unreadable_multipart_body_is_400_in_chinese(api) -> None:
    client, staff, h, _, _ = api
    oid = client.post("/api/workorders", json=order_input(), headers=h(staff.front)).json()["id"]
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{'a' * 5000}.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--{boundary}--\r\n").encode()
    r = client.post(f"/api/workorders/{oid}/files", content=body,
                    headers={**h(staff.front), "content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 400 and _all_chinese(r) and "multipart" not in r.text, r.text


# ---------------------------------------------------------------- #7 true/false is no number


def test_true_and_false_are_not_numbers(api) -> None:
    client, staff, h, _, db = api
    front, lead = h(staff.front), h(staff.leader)
    case = client.post("/api/disclosures", json=registration(), headers=front).json()["id"]
    url = f"/api/disclosures/{case}/actions/assign"
    r = client.post(url, json={"expected_version": True, "payload": {"assignee_id": staff.officer.id}}, headers=lead)
    assert r.status_code == 422 and _fields(r) == {"expected_version": "int_type"}, r.text
    r = client.post(url, json={"expected_version": 1, "payload": {"assignee_id": True}}, headers=lead)
    assert r.status_code == 422 and _fields(r) == {"assignee_id": "int_type"}, r.text
    assert _all_chinese(r)
    r = client.post("/api/disclosures", json=registration(assignee_id=False), headers=front)
    assert r.status_code == 422 and _fields(r) == {"assignee_id": "int_type"}, r.text
    r = client.post("/api/workorders", json=order_input(caller_phone=True), headers=front)
    assert r.status_code == 422 and _fields(r) == {"caller_phone": "int_type"}, r.text
    oid = client.post("/api/workorders", json=order_input(), headers=front).json()["id"]
    r = client.post(f"/api/workorders/{oid}/actions/assign", json={"payload": {"assignee_id": True}}, headers=lead)
    assert r.status_code == 422 and _fields(r) == {"assignee_id": "invalid_payload"}, r.text
    assert r.json()["error"]["fields"][0]["message"] == "承办人应为整数"
    with pytest.raises(PayloadError) as e:
        parse_payload(ReplyPayload, {"result_text": "已办理", "attachment_ids": [3, False]})
    assert e.value.problems == [("attachment_ids", "附件应为整数")]
    # the yes/no fields still take true/false, the numbers still take numbers
    r = client.post("/api/disclosures", json=registration(oral=True), headers=front)
    assert r.status_code == 201, r.text
    r = client.post(url, json={"expected_version": 1, "payload": {"assignee_id": staff.officer.id}}, headers=lead)
    assert r.status_code == 200, r.text
    with read_session(db.engine) as s:
        assert s.get(Disclosure, case).assignee_id == staff.officer.id  # type: ignore[union-attr]


# ---------------------------------------------------------------- #11 a 500 keeps the connection


def _boom(*_: Any, **__: Any) -> Any:
    raise RuntimeError("a bug")


def test_an_unexpected_error_is_answered_not_raised(api, monkeypatch: pytest.MonkeyPatch) -> None:
    client, staff, h, _, _ = api  # TestClient raises what the app raises: nothing here
    monkeypatch.setattr(disclosures_api, "disclosure_list", _boom)
    r = client.get("/api/disclosures", headers=h(staff.leader))
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error", r.text
    assert r.headers["x-request-id"]  # answered inside the request log: the id is there to find the trace
    assert _all_chinese(r)


def _http(sock: socket.socket, path: str, token: str) -> tuple[int, bytes]:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        body += chunk
    return int(head.split(b" ")[1]), body


def test_a_500_keeps_the_keep_alive_connection(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn closed the connection after a 500 (Starlette re-raised the exception after answering), so the
    client's next, valid request on it failed with a reset (findings h3 #11)."""
    web = live.web
    with read_session(web.db.engine) as s:
        token = web.app.state.tokens.issue(s.get(User, web.staff.leader.id))
    monkeypatch.setattr(disclosures_api, "disclosure_list", _boom)
    host, port = live.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        status, body = _http(sock, "/api/disclosures", token)
        assert status == 500 and json.loads(body)["error"]["code"] == "internal_error"
        monkeypatch.undo()
        status, body = _http(sock, "/api/disclosures", token)  # the same connection
        assert status == 200, body
