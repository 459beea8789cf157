"""Issue 20 (5) on the pages: the receipt of a back-dated application says its reply period has run out; the 12345
export form starts with today's replies; the calendar import template downloads."""

from __future__ import annotations

import re

from tests.web.conftest import Web, csrf_of


def test_the_receipt_of_a_back_dated_application_says_it_is_overdue(web: Web) -> None:
    front = web.login("front")
    page = front.get("/frontdesk/register").text
    data = {"applicant_type": "natural", "applicant_category": "natural", "applicant_name": "张三",
            "id_type": "resident_id", "id_number": "11010519491231002X", "phone": "13800138000",
            "description": "2025年本县农村道路建设项目的招标文件", "form_wanted": "paper", "obtain_way": "post",
            "address": "某县人民路1号", "postal_code": "675000", "channel": "in_person",
            "received_at": "2026-01-05T09:00", "csrf_token": csrf_of(page)}
    r = front.post("/frontdesk/register", data=data)
    assert r.status_code == 303, r.text[:3000]
    receipt = front.get(r.headers["location"]).text
    m = re.search(r'id="late-receipt">([^<]+)', receipt)
    assert m and "答复期限已于" in m.group(1) and "登记时即已逾期" in m.group(1)
    fresh = front.post("/frontdesk/register", data={**data, "received_at": "2026-03-02T09:00",
                                                    "csrf_token": csrf_of(front.get("/frontdesk/register").text)})
    assert 'id="late-receipt"' not in front.get(fresh.headers["location"]).text


def test_export_form_defaults_to_today_and_the_calendar_template_downloads(web: Web) -> None:
    page = web.login("front").get("/workorders/export").text
    assert 'name="since" id="f-since" value="2026-03-02"' in page and 'name="until" id="f-until" value="2026-03-02"' in page
    r = web.login("admin").get("/admin/calendar/template.yaml")
    assert r.status_code == 200 and "year: 2027" in r.text and "节假日安排导入模板" in r.text
