"""Bad input: the error is shown next to its field, what was typed stays, and nothing is written."""

from __future__ import annotations

import re
from typing import Any, Literal, get_args, get_origin

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import Agency, ApprovalRequest, CalendarNotice, Disclosure, Event, NumberSeries, Outbox, User
from tests.helpers import resident_id, uscc
from tests.web.conftest import Web, count, csrf_of, register_case, sessions
from web.pages.forms import model_fields
from web.pages.hotline.forms import WorkOrderIntake, convert_fields, intake_fields
from workflow.disclosure.payloads import PAYLOADS, RegisterIn
from workflow.hotline.payloads import PAYLOADS as HOTLINE_PAYLOADS

WRITES = (Disclosure, Event, Outbox, NumberSeries, ApprovalRequest)


def snapshot(web: Web) -> dict[str, int]:
    return {m.__name__: count(web, m) for m in WRITES}


def field_error(html: str, name: str) -> str:
    m = re.search(rf'<p class="field-error" id="err-{re.escape(name)}">([^<]*)</p>', html)
    assert m, f"no error slot for {name}"
    return m.group(1)


def form(web: Web, **over: str) -> dict[str, str]:
    data = {"applicant_type": "natural", "applicant_category": "natural", "applicant_name": "张三",
            "id_type": "resident_id", "id_number": resident_id(), "phone": "13800138000",
            "email": "zhangsan@example.com", "address": "某县人民路1号", "description": "某项目的招标文件",
            "form_wanted": "electronic", "obtain_way": "email", "channel": "in_person",
            "received_at": "2026-03-02T09:30"}
    data.update(over)
    return data


def post_register(web: Web, data: dict[str, str]) -> Any:
    c = web.login("front")
    return web.post(c, "/frontdesk/register", data)


@pytest.mark.parametrize(("over", "field", "message"), [
    ({"id_number": "110105194912310021"}, "id_number", "校验码不正确"),
    ({"id_number": "11010519491331002X"}, "id_number", "出生日期无效"),
    ({"applicant_type": "organization", "applicant_category": "business", "id_type": "uscc",
      "id_number": uscc()[:-1] + ("0" if uscc()[-1] != "0" else "1")}, "id_number", "统一社会信用代码校验码不正确"),
    ({"applicant_type": "organization"}, "applicant_category", "法人或者其他组织应选择类别"),
    ({"phone": "", "email": "", "address": "", "obtain_way": "collect"}, "phone", "至少填写一种联系方式"),
    ({"email": "not-an-email"}, "email", "电子邮箱格式不正确"),
    ({"channel": "email"}, "confirmed_at", "确认收到的时间"),
    ({"received_at": "2026-03-09T09:30"}, "received_at", "不能晚于当前时间"),
    ({"postal_code": "12345"}, "postal_code", "6位数字"),
    ({"applicant_name": ""}, "applicant_name", "此项为必填项"),
])
def test_bad_registration_shows_the_error_at_the_field_keeps_input_and_writes_nothing(
        web: Web, over: dict[str, str], field: str, message: str) -> None:
    before = snapshot(web)
    data = form(web, description="《关于某某事项的通知》及附件 <b>&", **over)
    r = post_register(web, data)
    assert r.status_code == 422
    assert message in field_error(r.text, field)
    assert 'class="field field-' in r.text and "has-error" in r.text
    assert "《关于某某事项的通知》及附件 &lt;b&gt;&amp;" in r.text  # kept (and escaped)
    if over.get("id_number"):
        assert f'value="{over["id_number"]}"' in r.text
    assert snapshot(web) == before


def test_empty_registration_lists_every_missing_field(web: Web) -> None:
    before = snapshot(web)
    r = post_register(web, {"channel": "", "received_at": ""})
    assert r.status_code == 422
    for name in ("applicant_type", "applicant_category", "applicant_name", "id_type", "id_number", "description",
                 "form_wanted", "obtain_way", "channel", "received_at"):
        assert field_error(r.text, name) == "此项为必填项", name
    assert snapshot(web) == before


def test_good_registration_then_receipt_shows_the_code_once(web: Web) -> None:
    r = post_register(web, form(web, assignee_id=str(web.staff.officer.id)))
    assert r.status_code == 303
    c = web.clients["front"]
    first = c.get(r.headers["location"])
    code = re.search(r'id="query-code">([A-Z0-9]{10})<', first.text)
    assert code and "2026年3月30日" in first.text
    again = c.get(r.headers["location"])
    assert code.group(1) not in again.text and "仅在登记时显示一次" in again.text
    assert count(web, Disclosure) == 1


def test_receipt_names_the_registering_clerk_and_is_dated_the_registration_day(web: Web) -> None:
    """Findings h2 #7: the page printed whoever viewed it as 登记人 and the receipt date under the seal; the PDF
    接收回执 is dated the registration day, and the registrar is the clerk who registered the application."""
    r = post_register(web, form(web, received_at="2026-02-27T09:30"))  # received on Friday, registered on Monday
    assert r.status_code == 303
    with read_session(web.db.engine) as s:
        row = s.exec(select(Disclosure)).one()
        clerk = s.get(User, row.registered_by)
        assert clerk is not None
    page = web.login("leader").get(r.headers["location"]).text
    assert re.search(r'id="registrar">([^<]*)<', page).group(1) == clerk.display_name  # type: ignore[union-attr]
    assert clerk.display_name != web.staff.leader.label
    assert re.search(r'id="receipt-date">2026年2月27日', page)
    assert re.search(r'id="receipt-issued">([^<]*)<', page).group(1) == "2026年3月2日"  # type: ignore[union-attr]


def test_receipt_page_gives_the_agencys_portal_look_up_page_at_the_public_address(
        web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same address the notices print (settings.public_url), not the one the clerk's browser used."""
    from settings import get_settings

    monkeypatch.setenv("BANLI_PUBLIC_URL", "https://gk.example.gov.cn")
    get_settings.cache_clear()
    try:
        r = post_register(web, form(web))
        page = web.clients["front"].get(r.headers["location"]).text
    finally:
        monkeypatch.delenv("BANLI_PUBLIC_URL")
        get_settings.cache_clear()
    with read_session(web.db.engine) as s:
        code = s.exec(select(Agency)).first().code  # type: ignore[union-attr]
    assert f"可在 https://gk.example.gov.cn/gongkai/{code}/chaxun 查询办理进度" in page


def version_of(page: str) -> str:
    m = re.search(r'name="expected_version" value="(\d+)"', page)
    assert m
    return m.group(1)


def _case_page(web: Web, who: str, case_id: int) -> tuple[Any, str]:
    c = web.login(who)
    page = c.get(f"/cases/disclosure/{case_id}").text
    return c, page


def test_bad_action_input_is_shown_in_that_action_form_and_writes_nothing(web: Web) -> None:
    case = register_case(web)
    c, page = _case_page(web, "officer", case.id)
    before = snapshot(web)
    r = c.post(f"/cases/disclosure/{case.id}/actions/request_extension",
               data={"days": "30", "reason": "材料较多，需要调取档案", "csrf_token": csrf_of(page), "expected_version": version_of(page)})
    assert r.status_code == 422
    assert "不能大于 20" in field_error(r.text, "request_extension-days")
    assert re.search(r'<details class="action" id="action-request_extension" open>', r.text)
    assert 'value="30"' in r.text and "材料较多，需要调取档案" in r.text
    assert snapshot(web) == before


def test_reply_without_the_detail_its_reason_needs(web: Web) -> None:
    case = register_case(web)
    c, page = _case_page(web, "officer", case.id)
    before = snapshot(web)
    r = c.post(f"/cases/disclosure/{case.id}/actions/reply",
               data={"category": "unavailable", "reason": "not_responsible", "text": "经查",
                     "detail.responsible_contact": "0878-1234567", "csrf_token": csrf_of(page)})
    assert r.status_code == 422
    assert field_error(r.text, "reply-detail-responsible_agency") == "此项为必填项"
    assert '<option value="not_responsible" data-required="responsible_agency,responsible_contact" selected>' in r.text
    assert 'value="0878-1234567"' in r.text
    assert snapshot(web) == before
    mismatch = c.post(f"/cases/disclosure/{case.id}/actions/reply",
                      data={"category": "refuse", "reason": "provided", "csrf_token": csrf_of(page)})
    assert "答复类型与理由不匹配" in field_error(mismatch.text, "reply-reason")
    assert snapshot(web) == before


def test_a_stale_form_says_someone_else_changed_the_case(web: Web) -> None:
    case = register_case(web)
    c, page = _case_page(web, "officer", case.id)
    version = re.search(r'name="expected_version" value="(\d+)"', page)
    assert version
    leader = web.login("leader")
    web.clock.advance(minutes=1)
    lr = web.post(leader, f"/cases/disclosure/{case.id}/actions/reassign",
             {"assignee_id": str(web.staff.officer.id), "reason": "确认承办"}, page=f"/cases/disclosure/{case.id}")
    assert lr.status_code == 303, lr.text
    before = snapshot(web)
    r = c.post(f"/cases/disclosure/{case.id}/actions/request_correction",
               data={"items": "请写明文件名称", "expected_version": version.group(1), "csrf_token": csrf_of(page)})
    assert r.status_code == 409
    assert "该案件已被他人修改" in r.text and "请写明文件名称" in r.text
    assert snapshot(web) == before
    fresh_version = re.search(r'name="expected_version" value="(\d+)"', r.text)
    assert fresh_version and fresh_version.group(1) != version.group(1)


def test_bad_agency_settings_are_refused_field_by_field(web: Web) -> None:
    c = web.login("admin")
    page = c.get("/admin/agency").text
    data = dict(re.findall(r'name="([a-z_]+)" id="f-[a-z_]+" value="([^"]*)"', page))
    data.update({"correction_period_wd": "0", "ladder_reply": "五天", "csrf_token": csrf_of(page)})
    with read_session(web.db.engine) as s:
        before = s.exec(select(Agency)).one().settings
    r = c.post("/admin/agency", data=data)
    assert r.status_code == 422
    assert "不能小于 1" in field_error(r.text, "correction_period_wd")
    assert "只能填写数字" in field_error(r.text, "ladder_reply")  # issue 16: no JSON in front of the admin
    assert 'value="0"' in r.text
    with read_session(web.db.engine) as s:
        assert s.exec(select(Agency)).one().settings == before


def test_bad_new_user_is_refused_and_nothing_is_created(web: Web) -> None:
    c = web.login("admin")
    n = count(web, User)
    r = web.post(c, "/admin/users", {"username": "new-clerk", "display_name": "新人", "password": "short",
                                     "roles": "front_desk"})
    assert r.status_code == 422 and "至少需要 8 个字符" in field_error(r.text, "password")
    assert 'value="new-clerk"' in r.text
    r = web.post(c, "/admin/users", {"username": "new-clerk", "password": "long-enough-1"})
    assert "至少需要一个角色" in field_error(r.text, "roles")
    assert count(web, User) == n


def test_bad_holiday_notice_lists_problems_by_line_and_imports_nothing(web: Web) -> None:
    c = web.login("admin")
    n = count(web, CalendarNotice)
    text = "year: 2027\ndocument: 国办发明电〔2026〕1号\nholidays:\n  - {name: 元旦, start: 2027-01-05, end: 2027-01-01}\n"
    r = web.post(c, "/admin/calendar/preview", {"text": text}, page="/admin/calendar")
    assert r.status_code == 422 and "第 4 行" in r.text
    assert "国办发明电〔2026〕1号" in r.text  # the text is kept for correction
    assert count(web, CalendarNotice) == n


@pytest.mark.parametrize("action", sorted(PAYLOADS))
def test_every_action_form_has_exactly_its_models_fields_with_chinese_labels(action: str) -> None:
    model = PAYLOADS[action]
    specs = model_fields(model)
    expected = [n for n, f in model.model_fields.items() if get_origin(f.annotation) is not dict]
    assert [s.name for s in specs] == expected
    for s in specs:
        assert s.label != s.name and re.search(r"[\u4e00-\u9fff]", s.label), (action, s.name)
        ann = model.model_fields[s.name].annotation
        args = [a for a in get_args(ann) if a is not type(None)] or [ann]
        if get_origin(args[0]) is Literal:
            assert s.kind == "select" and all(re.search(r"[\u4e00-\u9fff]", lbl) for _, lbl in s.options)
        if args[0] is bool:
            assert s.kind == "checkbox"


@pytest.mark.parametrize("action", sorted(HOTLINE_PAYLOADS))
def test_every_workorder_action_form_has_exactly_its_models_fields_with_chinese_labels(action: str) -> None:
    model = HOTLINE_PAYLOADS[action]
    specs = model_fields(model)
    expected = [n for n, f in model.model_fields.items()
                if get_origin(next((a for a in get_args(f.annotation) if a is not type(None)), f.annotation)) is not dict]
    assert [s.name for s in specs] == expected
    for s in specs:
        assert s.label != s.name and re.search(r"[\u4e00-\u9fff]", s.label), (action, s.name)
        if s.kind == "select":
            assert s.options and all(re.search(r"[\u4e00-\u9fff]", lbl) for _, lbl in s.options), (action, s.name)
    if action == "convert_to_disclosure":  # the 条例第二十九条 details come from the disclosure input models
        for s in convert_fields():
            assert re.search(r"[\u4e00-\u9fff]", s.label), s.name


def test_workorder_intake_form_labels_and_options_are_chinese() -> None:
    specs = intake_fields()
    assert [s.name for s in specs] == list(WorkOrderIntake.model_fields)
    for s in specs:
        assert re.search(r"[\u4e00-\u9fff]", s.label), s.name
        for _, lbl in s.options:
            assert re.search(r"[\u4e00-\u9fff]", lbl), (s.name, lbl)


def test_registration_form_labels_are_chinese() -> None:
    for s in model_fields(RegisterIn):
        assert re.search(r"[\u4e00-\u9fff]", s.label), s.name


def test_every_agency_setting_has_a_chinese_label_and_section() -> None:
    from web.pages.admin.agency import LABELS
    from workflow.agencies.config import AgencyConfig

    missing = [name for name in AgencyConfig.model_fields if name not in LABELS]
    assert missing == []


def test_the_case_pages_read_their_forms_choices_with_the_case(web: Web) -> None:
    """The case page's assign form and the case list's filter offer the agency's officers, read with the case (or
    the list) in the page's one session — they used to be read again for each form that showed them; posting an
    action reads none."""
    case = register_case(web, assignee_id=None)
    c = web.login("front")
    url = f"/cases/disclosure/{case.id}"
    for u in (url, "/cases", "/workorders/export"):
        c.get(u)  # the login's and the agency's caches warm
    with sessions(web) as login:
        c.get("/workorders/export")  # a form that reads nothing but who is asking
    with sessions(web) as taken:
        page = c.get(url).text
    assert 'id="action-assign"' in page and f'<option value="{web.staff.officer.id}"' in page
    assert taken[0] == login[0] + 1
    with sessions(web) as taken:
        listed = c.get("/cases").text
    assert f'<option value="{web.staff.officer.id}"' in listed
    assert taken[0] == login[0] + 1
    with sessions(web) as taken:
        r = c.post(url + "/actions/assign", data={"assignee_id": str(web.staff.officer.id),
                                                  "expected_version": version_of(page), "csrf_token": csrf_of(page)})
    assert r.status_code == 303, r.text
    assert taken[0] == login[0] + 1  # the action's one transaction
