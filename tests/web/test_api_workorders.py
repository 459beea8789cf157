"""12345 work-order API: idempotent intake (201/200), bad input → 422 in Chinese with nothing written,
list filters and masking, detail, actions with 409 on a stale version, import upload, reply export."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from db.engine import read_session
from db.models import Clock, Event, User, WorkOrder
from tests.fixtures.hotline_gen import make_xlsx
from tests.helpers import make_staff
from tests.hotline_helpers import local, order_input
from web.app import create_app
from workflow.timesource import FixedTime


@pytest.fixture
def api(db):
    clk = FixedTime(local(2026, 3, 2, 10))
    staff = make_staff(db.engine, clk.now())
    app = create_app(db.settings, db.engine, clk, run_scheduler=False)
    client = TestClient(app)

    def headers(p):
        with read_session(db.engine) as s:
            user = s.get(User, p.id)
        return {"Authorization": f"Bearer {app.state.tokens.issue(user)}"}

    return client, staff, headers, clk, db


def _count(db, model) -> int:
    with read_session(db.engine) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_intake_201_then_200_and_update_flag(api):
    client, staff, h, _, db = api
    body = order_input(order_no="API-0001")
    r = client.post("/api/workorders", json=body, headers=h(staff.front))
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["created"] is True and first["state"] == "received"
    r = client.post("/api/workorders", json=body, headers=h(staff.front))
    assert r.status_code == 200 and r.json()["created"] is False and r.json()["updated"] is False
    r = client.post("/api/workorders", json={**body, "urgency": "紧急"}, headers=h(staff.front))
    assert r.status_code == 200 and r.json()["updated"] is True and r.json()["id"] == first["id"]
    assert r.json()["changes"]["urgency"] == {"old": "normal", "new": "urgent"}
    assert _count(db, WorkOrder) == 1


@pytest.mark.parametrize(("over", "field", "fragment"), [
    ({"category": "闲聊"}, "category", "未知的诉求类型“闲聊”（可选：咨询、求助、投诉、举报、意见建议）"),
    ({"received_at": "昨天下午"}, "received_at", "无法识别的时间“昨天下午”"),
    ({"platform_due_at": "2026-03-01 18:00"}, "platform_due_at", "办理时限早于来电时间"),
    ({"order_no": None}, "order_no", "缺少工单编号"),
    ({"colour": "red"}, "colour", "不认识的字段"),
])
def test_bad_input_is_422_in_chinese_and_nothing_written(api, over, field, fragment):
    client, staff, h, _, db = api
    body = {k: v for k, v in {**order_input(), **over}.items()}
    r = client.post("/api/workorders", json=body, headers=h(staff.front))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_input"
    assert any(f["field"] == field and fragment in f["message"] for f in err["fields"]), err
    assert _count(db, WorkOrder) == _count(db, Clock) == 0
    with read_session(db.engine) as s:
        assert s.exec(select(func.count()).select_from(Event).where(Event.case_kind == "workorder")).one() == 0


def test_several_problems_reported_together(api):
    client, staff, h, _, _ = api
    r = client.post("/api/workorders", json={"order_no": "", "category": "表扬", "received_at": "2026-02-30 10:00"},
                    headers=h(staff.front))
    fields = {f["field"]: f["code"] for f in r.json()["error"]["fields"]}
    assert fields == {"order_no": "required", "category": "unknown_value", "received_at": "invalid_datetime",
                      "content": "required"}


@pytest.mark.parametrize(("over", "field", "code", "fragment"), [
    ({"caller_phone": -1}, "caller_phone", "invalid_phone", "联系电话格式不正确"),
    ({"caller_phone": 10**30}, "caller_phone", "invalid_phone", "联系电话格式不正确"),
    ({"caller_phone": "😀👨‍👩‍👧"}, "caller_phone", "invalid_phone", "联系电话格式不正确"),
    ({"caller_phone": "保密"}, "caller_phone", "invalid_phone", "没有号码时留空"),
    ({"received_at": "1900-01-01 00:00"}, "received_at", "too_old", "来电时间早于十年前"),
    ({"received_at": "0001-01-01"}, "received_at", "too_old", "来电时间早于十年前"),  # was a 422 without a field
    ({"platform_due_at": "2199-01-01 10:00"}, "platform_due_at", "too_late", "办理时限晚于来电时间一年以上"),
])
def test_an_impossible_phone_or_time_is_refused_at_its_field(api, over, field, code, fragment):
    client, staff, h, _, db = api
    r = client.post("/api/workorders", json=order_input(**over), headers=h(staff.front))
    assert r.status_code == 422, r.text
    assert [(f["field"], f["code"]) for f in r.json()["error"]["fields"]] == [(field, code)]
    assert fragment in r.json()["error"]["fields"][0]["message"]
    assert _count(db, WorkOrder) == 0


@pytest.mark.parametrize("phone", [13800138000, "0871-12345678", "+86 138 0013 8000", "(0871)1234567-8001",
                                   "138****5678", ""])
def test_phone_numbers_as_written_are_taken(api, phone):
    client, staff, h, _, _ = api
    r = client.post("/api/workorders", json=order_input(caller_phone=phone, received_at="2025-03-02 09:15",
                                                        platform_due_at="2026-03-01 18:00"), headers=h(staff.front))
    assert r.status_code == 201, r.text


def test_list_filters_mask_and_detail(api):
    client, staff, h, clk, _ = api
    ids = []
    for over in ({"category": "咨询", "caller_phone": "13987654321"}, {"category": "投诉", "urgency": "紧急"},
                 {"category": "投诉", "content": "农贸市场占道经营", "caller_name": "王建华"}):
        ids.append(client.post("/api/workorders", json=order_input(**over), headers=h(staff.front)).json()["id"])
    # The one policy (states.policy): an officer lists only the orders assigned to them, as on the pages.
    assert client.get("/api/workorders", headers=h(staff.officer)).json()["items"] == []
    r = client.get("/api/workorders", params={"category": "complaint"}, headers=h(staff.leader))
    assert {i["id"] for i in r.json()["items"]} == set(ids[1:])
    r = client.get("/api/workorders", params={"urgency": "urgent"}, headers=h(staff.leader))
    assert [i["id"] for i in r.json()["items"]] == [ids[1]]
    r = client.get("/api/workorders", params={"text": "占道"}, headers=h(staff.leader))
    assert [i["id"] for i in r.json()["items"]] == [ids[2]]
    r = client.get("/api/workorders", params={"caller": "13987654321"}, headers=h(staff.leader))
    item = next(i for i in r.json()["items"] if i["id"] == ids[0])
    assert item["caller_phone_masked"] == "139****4321" and "caller_phone" not in item
    r = client.get("/api/workorders", params={"limit": 2}, headers=h(staff.leader))
    page1 = r.json()
    assert len(page1["items"]) == 2 and page1["next_cursor"]
    page2 = client.get("/api/workorders", params={"limit": 2, "cursor": page1["next_cursor"]},
                       headers=h(staff.leader)).json()
    assert [i["id"] for i in page1["items"] + page2["items"]] == sorted(ids, reverse=True)
    clk.set(local(2026, 3, 4, 10))  # sign-for windows (1 WD, urgent 2 h) have run out
    r = client.get("/api/workorders", params={"overdue": True}, headers=h(staff.leader))
    assert {i["id"] for i in r.json()["items"]} == set(ids)
    d = client.get(f"/api/workorders/{ids[1]}", headers=h(staff.front)).json()
    assert {c["kind"] for c in d["clocks"]} == {"sign_for", "return_window", "handling"}
    assert all(c["explanation"] for c in d["clocks"])
    assert d["cycles"][0]["cycle"] == 1 and d["events"][0]["label"] == "接收工单"
    assert {"sign_for", "return_order"} <= {a["action"] for a in d["allowed_actions"]}
    assert d["caller"]["phone"] == "13987654321"
    assert client.get("/api/workorders/99999", headers=h(staff.front)).status_code == 404


def test_actions_and_stale_version_409(api):
    client, staff, h, _, _ = api
    oid = client.post("/api/workorders", json=order_input(), headers=h(staff.front)).json()["id"]
    v = client.get(f"/api/workorders/{oid}", headers=h(staff.front)).json()["version"]
    r = client.post(f"/api/workorders/{oid}/actions/sign_for", json={"expected_version": v, "payload": {}},
                    headers=h(staff.front))
    assert r.status_code == 200 and r.json()["state"] == "signed_for"
    r = client.post(f"/api/workorders/{oid}/actions/assign",
                    json={"expected_version": v, "payload": {"assignee_id": staff.officer.id}}, headers=h(staff.leader))
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_version"
    r = client.post(f"/api/workorders/{oid}/actions/reply", json={"payload": {"result_text": "x"}},
                    headers=h(staff.officer))
    assert r.status_code == 403  # not assigned to them
    r = client.post(f"/api/workorders/{oid}/actions/record_callback", json={"payload": {}}, headers=h(staff.front))
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_action"
    assert "return_order" in r.json()["error"]["allowed_actions"]
    r = client.post(f"/api/workorders/{oid}/actions/assign", json={"payload": {"assignee_id": "李明"}},
                    headers=h(staff.front))
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["message"] == "承办人应为整数"
    r = client.post(f"/api/workorders/{oid}/actions/fly", json={"payload": {}}, headers=h(staff.front))
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_action"


def _platform_export(clk, tmp_path, rows: int, *, seed: int):
    """On 1 June 2026, a platform export of ``rows`` orders (5 % bad): (bad rows, the upload's files)."""
    clk.set(local(2026, 6, 1, 10))
    path = tmp_path / "export.xlsx"
    manifest = make_xlsx(path, rows, bad_fraction=0.05, seed=seed)
    return manifest, {"file": ("平台导出.xlsx", path.read_bytes(), "application/octet-stream")}


def _finished(client, url: str, headers: dict[str, str]) -> dict:
    """Poll a background import's status until it is no longer running (at most 20 s)."""
    import time

    for _ in range(400):
        status = client.get(url, headers=headers).json()
        if status["state"] != "running":
            return status
        assert status["processed"] >= 0
        time.sleep(0.05)
    raise AssertionError(f"still running: {status}")


def test_import_in_the_background_reports_progress_then_the_result(api, tmp_path):
    """``background=true``: 202 with a status URL at once; the status says running, then done with the report
    (or failed with the problem); an officer may not import or read an import's status."""
    client, staff, h, clk, db = api
    manifest, files = _platform_export(clk, tmp_path, 80, seed=9)
    r = client.post("/api/workorders/import", files=files, data={"background": "true"}, headers=h(staff.front))
    assert r.status_code == 202, r.text
    url = r.json()["status_url"]
    assert r.json()["state"] == "running" and url == f"/api/workorders/import/{r.json()['job']}"
    status = _finished(client, url, h(staff.front))
    assert status["state"] == "done" and status["filename"] == "平台导出.xlsx", status
    rep = status["report"]
    assert (rep["total"], rep["created"], rep["error_rows"]) == (80, 80 - len(manifest), len(manifest))
    assert _count(db, WorkOrder) == 80 - len(manifest)
    bad = {"file": ("x.xlsx", b"not a workbook", "application/octet-stream")}
    r = client.post("/api/workorders/import", files=bad, data={"background": "true"}, headers=h(staff.front))
    status = _finished(client, r.json()["status_url"], h(staff.front))
    assert status["state"] == "failed" and "无法读取Excel文件" in status["errors"]["file"][0]
    assert client.get(url, headers=h(staff.officer)).status_code == 403
    assert client.post("/api/workorders/import", files=files, data={"background": "true"},
                       headers=h(staff.officer)).status_code == 403
    missing = client.get("/api/workorders/import/" + "x" * 24, headers=h(staff.front))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_import_upload_and_export(api, tmp_path):
    client, staff, h, clk, db = api
    manifest, files = _platform_export(clk, tmp_path, 120, seed=4)
    r = client.post("/api/workorders/import", files=files, data={"dry_run": "true"}, headers=h(staff.front))
    assert r.status_code == 200, r.text
    assert r.json()["dry_run"] is True and _count(db, WorkOrder) == 0
    r = client.post("/api/workorders/import", files=files, headers=h(staff.front))
    rep = r.json()
    assert (rep["total"], rep["created"], rep["error_rows"]) == (120, 120 - len(manifest), len(manifest))
    assert {e["row"] for e in rep["errors"]} == set(manifest)
    r = client.post("/api/workorders/import", files=files, headers=h(staff.front))
    assert (r.json()["created"], r.json()["unchanged"]) == (0, 120 - len(manifest))
    bad = {"file": ("x.xlsx", b"not a workbook", "application/octet-stream")}
    r = client.post("/api/workorders/import", files=bad, headers=h(staff.front))
    assert r.status_code == 422 and "无法读取Excel文件" in r.json()["error"]["message"]

    oid = client.get("/api/workorders", params={"limit": 1}, headers=h(staff.front)).json()["items"][0]["id"]
    for action, who, payload in (("sign_for", staff.front, {}), ("assign", staff.front, {"assignee_id": staff.officer.id}),
                                 ("reply", staff.officer, {"result_text": "已安排人员现场处理=SUM(A1)"})):
        assert client.post(f"/api/workorders/{oid}/actions/{action}", json={"payload": payload},
                           headers=h(who)).status_code == 200
    r = client.get("/api/workorders/export", params={"since": "2026-06-01", "format": "jsonl"},
                   headers=h(staff.front))
    assert r.status_code == 200 and r.headers["x-row-count"] == "1"
    row = json.loads(r.text.splitlines()[0])
    assert row["result"] == "办理完毕" and row["handler"] == "承办人李明" and row["replied_at"].endswith("+08:00")
    r = client.get("/api/workorders/export", params={"since": "2026-06-01", "format": "xlsx"},
                   headers=h(staff.front))
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(1, 1).value == "工单编号" and ws.cell(2, 3).value == "已安排人员现场处理=SUM(A1)"
    assert client.get("/api/workorders/export", params={"since": "2026-06-02"},
                      headers=h(staff.front)).headers["x-row-count"] == "0"
    r = client.get("/api/workorders/export", params={"since": "六月"}, headers=h(staff.front))
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "since"
    # a date as ``until`` includes that day (as on the export page and in the CLI); a time is exclusive
    for until, rows in (("2026-06-01", "1"), ("2026-06-02", "1"), ("2026-06-01 00:01", "0")):
        assert client.get("/api/workorders/export", params={"since": "2026-06-01", "until": until},
                          headers=h(staff.front)).headers["x-row-count"] == rows, until
    r = client.get("/api/workorders/export", params={"since": "2026-06-02", "until": "2026-06-01"},
                   headers=h(staff.front))
    assert r.status_code == 422 and r.json()["error"]["fields"][0] == {
        "field": "until", "code": "invalid_datetime", "message": "截止时间应晚于起始时间"}
    assert client.get("/api/workorders/export", params={"since": "2026-06-01"},
                      headers=h(staff.officer)).status_code == 403


def test_an_import_over_the_size_limit_is_413(api, monkeypatch):
    from web import import_jobs

    client, staff, h, _clk, db = api
    monkeypatch.setattr(import_jobs, "MAX_UPLOAD_BYTES", 100)
    r = client.post("/api/workorders/import", files={"file": ("a.jsonl", b"{}\n" * 50, "")}, headers=h(staff.front))
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    assert _count(db, WorkOrder) == 0


def test_a_jsonl_line_python_cannot_read_is_that_rows_problem(api, tmp_path):
    """A 5,000-digit number, a line nested 100,000 deep, NaN or a lone surrogate answered 500 and imported nothing:
    each is now a row error (invalid_json, in Chinese) and the good rows around it are imported (findings h3 #3)."""
    client, staff, h, _, db = api

    def good(n: int) -> str:
        return json.dumps({"工单编号": f"JL-{n}", "来电时间": "2026-03-02 09:15", "诉求类型": "咨询", "诉求内容": "问"},
                          ensure_ascii=False)

    bad = ['{"工单编号": "BIG1", "来电号码": ' + "1" * 5001 + "}", "[" * 100_000 + "]" * 100_000,
           '{"工单编号": "NAN1", "来电号码": NaN}', '{"工单编号": "SUR1", "来电人": "\\ud800"}']
    lines = [good(1), good(2), *bad, good(3)]
    body = ("\n".join(lines) + "\n").encode()
    r = client.post("/api/workorders/import", files={"file": ("partial.jsonl", body, "application/x-ndjson")},
                    headers=h(staff.front))
    assert r.status_code == 200, r.text[:500]
    rep = r.json()
    assert (rep["total"], rep["created"], rep["error_rows"]) == (7, 3, 4), rep
    assert {(e["row"], e["code"]) for e in rep["errors"]} == {(3, "invalid_json"), (4, "invalid_json"),
                                                            (5, "invalid_json"), (6, "invalid_json")}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["problem"]) for e in rep["errors"]), rep["errors"]
    assert _count(db, WorkOrder) == 3
