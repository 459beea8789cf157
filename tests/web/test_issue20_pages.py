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


LOCAL = """year: 2026
document: 某县人民政府关于火把节放假的通知
scope: default
holidays:
  - {name: 火把节, start: 2026-03-20, end: 2026-03-20}
"""


def test_calendar_import_says_what_the_preview_said_and_the_case_shows_old_and_new(web: Web) -> None:
    from tests.web.conftest import register_case
    from workflow.sweeps.run import run_all

    case = register_case(web)  # reply due 2026-03-30
    register_case(web, applicant_name="李四")
    admin = web.login("admin")
    page = admin.get("/admin/calendar").text
    pv = admin.post("/admin/calendar/preview", data={"text": LOCAL, "csrf_token": csrf_of(page)})
    m = re.search(r"期限将变动的未结案件（(\d+)）", pv.text)
    assert m and int(m.group(1)) == 2
    assert "预览：2026 年 本机关地方安排（" in pv.text  # whose arrangement, not the scope's code
    token = csrf_of(pv.text)
    r = admin.post("/admin/calendar/import", data={"text": LOCAL, "filename": "notice.yaml", "csrf_token": token})
    assert r.status_code == 303
    flash = admin.get(r.headers["location"]).text
    assert "2 个未结期限的到期日将变动（与预览一致）" in flash
    assert "上传文件 notice.yaml" in flash and "import:" not in flash
    run_all(web.db.engine, web.clock.now(), settings=web.db.settings, only=("recompute",))
    timeline = web.login("officer").get(f"/cases/disclosure/{case.id}").text
    assert "答复期限：2026-03-30 → 2026-03-31（按新的节假日安排重新计算）" in timeline


def test_the_calendar_page_shows_the_months_with_holidays_and_make_up_days(web: Web) -> None:
    page = web.login("admin").get("/admin/calendar?year=2026").text
    assert 'id="month-view"' in page and "2026年节假日和调休" in page
    feb = re.search(r'<table class="month" id="month-2">(.*?)</table>', page, re.S)
    assert feb
    # 春节 2026: 2月15日至23日放假; 2月14日（星期六）、2月28日（星期六）调休上班
    assert '<td class="holiday" title="放假：春节">16</td>' in feb.group(1)
    assert '<td class="workday" title="调休上班：春节">14</td>' in feb.group(1)


def test_a_year_without_its_notice_shows_the_fixed_date_holidays_as_provisional(web: Web) -> None:
    page = web.login("admin").get("/admin/calendar?year=2027").text
    note = re.search(r'id="year-provisional">([^<]+)<', page)
    assert note and note.group(1).startswith("2027年全国节假日安排尚未导入：暂按周末和元旦、劳动节、国庆节的法定日期计算")
    jan = re.search(r'<table class="month" id="month-1">(.*?)</table>', page, re.S)
    assert jan and '<td class="holiday" title="放假：元旦（法定日期，暂定）">1</td>' in jan.group(1)
    assert 'id="year-provisional"' not in web.login("admin").get("/admin/calendar?year=2026").text
