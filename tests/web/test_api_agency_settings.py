"""Agency settings the workflow cannot use are refused when saved (findings h3 #1): ``PATCH
/api/admin/agencies/{code}`` answers 422 ``invalid_input`` naming each setting at its place in the body
(``settings.tracking_format``) with one Chinese message, writes nothing — the kind and parent of the same request
included — and registration and 12345 intake go on working. Settings stored before the checks existed still load,
and the agency can go on saving its other settings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Agency, Event
from tests.conftest import Db
from tests.helpers import Staff, make_staff, registration
from tests.hotline_helpers import order_input
from tests.web.conftest import token
from web.app import create_app
from workflow.accounts.users import create_user
from workflow.timesource import FixedTime

URL = "/api/admin/agencies/default"
CJK = re.compile(r"[\u4e00-\u9fff]")

# (setting, value, the message says): every class of value the findings saw stored with 200
BAD: list[tuple[str, Any, str]] = [
    ("tracking_format", "{year}{seq", "花括号不成对"),
    ("tracking_format", "noseq", "须含序号"),
    ("tracking_format", "{__class__}", "只能写 year"),
    ("tracking_format", "{year.__class__}{seq}", "只能写 year"),
    ("tracking_format", "{seq:099999999d}", "补零位数"),
    ("tracking_format", "{seq}号", "须含年份"),
    ("submission_format", "{seq", "花括号不成对"),
    ("reply_doc_format", "{year}{seq}{x}", "只能写 year"),
    ("notice_doc_format", "{0}", "只能写 year"),
    ("reply_doc_format", "公开复" * 30 + "{year}{seq}", "编号过长"),
    ("hotline_profile", "nope", "时限方案"),
    ("working_hours", ["25:00-26:00"], "不是有效的时间"),
    ("working_hours", ["12:00-09:00"], "结束时间应晚于开始时间"),
    ("working_hours", [], "至少填写一个"),
    ("working_hours", ["abc"], "24小时制"),
    ("working_hours", ["09:00-12:00", "11:00-18:00"], "重叠"),
    ("hotline_overrides", {"x": 1}, "未知的覆盖项"),
    ("hotline_overrides", {"handling": {"amount": 1000000, "unit": "wd"}}, "数值过大"),
    ("hotline_overrides", {"handling.nonsense": {"amount": 3, "unit": "wd"}}, "未知的诉求类型"),
    ("reply_wd", -1, "1到20"),
    ("reply_wd", 0, "1到20"),
    ("reply_wd", 21, "第三十三条"),
    ("correction_notice_wd", 1000000, "1到7"),
    ("consultation_wd", -3, "15到30"),
    ("fee_payment_wd", 0, "20到60"),
    ("supervise_after_wd", -1, "1到60"),
    ("reminder_ladder_wd", [-5, 1000000], "0到250"),
    ("digest_time", "99:99", "24小时制"),
    ("seal_text", "某" * 41, "不超过40个字符"),
    ("timezone", "Mars/Olympus", "北京时间"),
    ("timezone", "America/New_York", "北京时间"),
    ("backfill_roles", ["god"], "未知的角色"),
    ("mail_attachments", ["exe"], "PDF"),
    ("email", "notanemail", "电子邮箱格式不正确"),
    ("postal_code", "abc", "6位数字"),
    ("seal_text", "   ", "不能只有空格"),
    ("fee_payment_how", "", "缴费方式"),
    ("reconsideration_organ", "某" * 100_000, "不超过200个字符"),
    ("lookup_url", "javascript:alert(1)", "http"),
    ("report_row_overrides", {"disclose.already_public": "9.9"}, "表三中没有"),
    ("calendar_scopes", [""], "地方节假日安排"),
]


@pytest.fixture
def api(sqlite_db: Db, clock: FixedTime) -> Iterator[tuple[TestClient, Staff, Db]]:
    staff = make_staff(sqlite_db.engine, clock.now())
    app = create_app(sqlite_db.settings, sqlite_db.engine, clock, run_scheduler=False)
    with TestClient(app) as c:
        yield c, staff, sqlite_db


def _stored(db: Db) -> tuple[str, dict[str, Any], int]:
    with read_session(db.engine) as s:
        agency = s.exec(select(Agency).where(Agency.code == "default")).one()
        events = len(s.exec(select(Event).where(Event.case_kind == "agency")).all())
        return agency.name, dict(agency.settings or {}), events


@pytest.mark.parametrize(("setting", "value", "says"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_a_setting_the_workflow_cannot_use_is_refused_at_its_field(api: Any, setting: str, value: Any,
                                                                    says: str) -> None:
    client, _, db = api
    admin = token(client, "default-admin")
    before = _stored(db)
    r = client.patch(URL, headers=admin, json={"settings": {setting: value}})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_input"
    assert [f["field"] for f in err["fields"]] == [f"settings.{setting}"]
    message = err["fields"][0]["message"]
    assert says in message and CJK.search(message) and len(message) < 300, message
    assert "error" not in message.lower() and "/" not in message.replace("http://", "").replace("https://", "")
    assert _stored(db) == before  # nothing written, nothing audited


def test_every_bad_setting_is_named_at_once_and_nothing_is_written(api: Any) -> None:
    client, _, db = api
    admin = token(client, "default-admin")
    before = _stored(db)
    r = client.patch(URL, headers=admin, json={"name": "", "settings": {
        "tracking_format": "noseq", "timezone": "Mars/Olympus", "reply_wd": 0, "seal_text": "印\n章",
        "reminder_ladders_wd": {"bogus": [1], "reply": [500]}, "nonsense": 1, "correction_period_wd": 0}})
    assert r.status_code == 422, r.text
    fields = {f["field"]: f["message"] for f in r.json()["error"]["fields"]}
    # the shapes first (an unknown key, a value outside the model's own bounds) ...
    assert set(fields) == {"settings.nonsense", "settings.correction_period_wd"}, fields
    r = client.patch(URL, headers=admin, json={"name": "", "settings": {
        "tracking_format": "noseq", "timezone": "Mars/Olympus", "reply_wd": 0, "seal_text": "印\n章",
        "reminder_ladders_wd": {"bogus": [1], "reply": [500]}}})
    assert r.status_code == 422, r.text
    fields = {f["field"]: f["message"] for f in r.json()["error"]["fields"]}
    # ... then every value at once, one message each
    assert set(fields) == {"name", "settings.tracking_format", "settings.timezone", "settings.reply_wd",
                           "settings.seal_text", "settings.reminder_ladders_wd.bogus",
                           "settings.reminder_ladders_wd.reply"}, fields
    assert fields["settings.seal_text"] == "不能包含换行、制表符等控制字符"
    assert all(CJK.search(m) for m in fields.values())
    assert _stored(db) == before


def test_a_refused_patch_moves_nothing_either(sqlite_db: Db, clock: FixedTime) -> None:
    """Kind and parent are refused with the settings of the same request: no half-applied PATCH."""
    make_staff(sqlite_db.engine, clock.now())
    app = create_app(sqlite_db.settings, sqlite_db.engine, clock, run_scheduler=False)
    create_user(sqlite_db.engine, agency_code="default", username="platform", password="password123",
                roles=["instance_admin"], display_name="平台管理员", now=clock.now())
    with TestClient(app) as client:
        h = token(client, "platform")
        assert client.post("/api/admin/agencies", headers=h, json={"code": "county", "name": "某某县人民政府"}
                           ).status_code == 201
        before = client.get(URL, headers=h).json()
        kind = "other" if before["kind"] != "other" else "department"
        r = client.patch(URL, headers=h, json={"parent": "county", "kind": kind, "settings": {"reply_wd": 99}})
        assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "settings.reply_wd"
        assert client.get(URL, headers=h).json() == before


def test_registration_and_intake_keep_working_after_refused_patches(api: Any) -> None:
    client, staff, _ = api
    admin, front = token(client, "default-admin"), token(client, "default-front")
    for setting, value, _says in BAD:
        assert client.patch(URL, headers=admin, json={"settings": {setting: value}}).status_code == 422
    r = client.post("/api/disclosures", json=registration(assignee_id=staff.officer.id), headers=front)
    assert r.status_code == 201, r.text
    assert r.json()["tracking_no"] == "依申〔2026〕0001号"
    r = client.post("/api/workorders", json=order_input(), headers=front)
    assert r.status_code == 201, r.text


def test_good_values_are_saved_and_used(api: Any) -> None:
    client, staff, _ = api
    admin, front = token(client, "default-admin"), token(client, "default-front")
    r = client.patch(URL, headers=admin, json={"settings": {
        "tracking_format": "青自然依申〔{year}〕{seq:05d}号", "hotline_profile": "sichuan",
        "working_hours": ["08:30-12:00", "14:00-17:30"], "timezone": "Asia/Shanghai", "reply_wd": 15,
        "hotline_overrides": {"handling.complaint": {"amount": 10, "unit": "wd"}}, "digest_time": "07:45",
        "backfill_roles": ["leader"], "email": "gk@example.gov.cn", "postal_code": "675000", "seal_text": "",
        "reminder_ladders_wd": {"reply": [5, 1, 0]}, "report_row_overrides": {"disclose.already_public": "3.6.3"},
        "lookup_url": "https://gk.example.gov.cn/chaxun"}})
    assert r.status_code == 200, r.text
    assert r.json()["settings"]["reply_wd"] == 15 and r.json()["settings"]["digest_time"] == "07:45"
    r = client.post("/api/disclosures", json=registration(assignee_id=staff.officer.id), headers=front)
    assert r.status_code == 201 and r.json()["tracking_no"] == "青自然依申〔2026〕00001号", r.text
    assert client.post("/api/workorders", json=order_input(), headers=front).status_code == 201


def test_settings_stored_before_the_checks_still_load_and_the_others_can_be_saved(api: Any) -> None:
    """A value saved before the checks existed (or written by hand) is read as it is; saving another setting is
    not refused for it — only a value that changes is checked."""
    client, _, db = api
    with write_session(db.engine) as s:
        agency = s.exec(select(Agency).where(Agency.code == "default")).one()
        agency.settings = {**(agency.settings or {}), "reply_wd": 25, "email": "gk at example", "seal_text": " ",
                           "some_old_key": "kept"}
        s.add(agency)
        s.commit()
    admin = token(client, "default-admin")
    shown = client.get(URL, headers=admin)
    assert shown.status_code == 200 and shown.json()["settings"]["reply_wd"] == 25
    r = client.patch(URL, headers=admin, json={"settings": {"phone": "0878-3120000"}})
    assert r.status_code == 200, r.text
    assert r.json()["settings"]["phone"] == "0878-3120000" and r.json()["settings"]["reply_wd"] == 25
    r = client.patch(URL, headers=admin, json={"settings": {"reply_wd": 26}})  # changing it: checked
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "settings.reply_wd"
    with read_session(db.engine) as s:
        assert s.exec(select(Agency).where(Agency.code == "default")).one().settings["some_old_key"] == "kept"
