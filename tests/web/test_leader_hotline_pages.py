"""The leader dashboard's 12345 figures (by state, overdue by officer and unit with drill-downs, extension
requests waiting for the platform), its statistics section and downloads, and the 统计报表 page."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import openpyxl

from db.engine import write_session
from db.models import Agency
from tests.hotline_helpers import local, order_input
from tests.web.conftest import Web
from workflow.accounts.users import create_user_in
from workflow.hotline import actions as wf


def order(web: Web, who: str | None = None, **over: Any) -> int:
    st = web.staff
    oid = wf.intake(web.db.engine, wf.record_from_input(order_input(**over)), st.front, web.clock.now()).id
    if who:
        wf.act(web.db.engine, oid, "sign_for", {}, st.front, web.clock.now())
        wf.act(web.db.engine, oid, "assign", {"assignee_id": getattr(st, who).id}, st.front, web.clock.now())
        wf.act(web.db.engine, oid, "start_handling", {}, getattr(st, who), web.clock.now())
    return oid


def listed(c: Any, url: str) -> set[int]:
    return {int(i) for i in re.findall(r'<a href="/workorders/(\d+)">', c.get(url).text)}


def test_dashboard_12345_figures_and_drilldowns(web_any: Web) -> None:
    web = web_any
    st = web.staff
    a = order(web, "officer", category="咨询")  # handling 3 WD: due 2026-03-05
    b = order(web, "officer2", category="咨询")
    c = order(web, None)  # never signed for: sign-for due 2026-03-03
    d = order(web, "officer", category="投诉")  # due 2026-03-23
    e = order(web, None, urgency="紧急")  # sign-for (2 working hours) and handling (same day) both overdue
    wf.act(web.db.engine, d, "request_extension", {"reason": "需协调住建部门", "days": 5}, st.officer, web.clock.now())
    web.clock.set(local(2026, 3, 9, 10))
    leader = web.fresh("leader")
    html = leader.get("/leader").text
    assert re.search(r'id="stat-wo-overdue"><div class="n">4</div>', html)
    assert re.search(r'id="stat-wo-open"><div class="n">5</div>', html)
    # the disclosure box counts applications only (issue 20: the kinds are never added up in one number)
    assert re.search(r'id="stat-overdue"><div class="n">0</div>', html)
    # the caseload counts cases, not clocks (e is late twice), like the list it drills down to
    assert re.search(r'<tr id="load-officer-none">(?:(?!</tr>).)*<a class="overdue" href="/cases\?kind=workorder&open=1'
                     r'&overdue=1&assignee=none">2</a>', html, re.S)
    officers = re.findall(r'<a href="/workorders\?overdue=1&assignee=(\d+)">([^<]+)</a></td><td class="num wo">(\d+)', html)
    assert {(int(u), n, int(k)) for u, n, k in officers} == {(st.officer.id, "承办人李明", 1),
                                                             (st.officer2.id, "承办人赵强", 1)}
    assert re.search(r'state=received">未指派</a></td><td class="num wo">2<', html)
    units = re.findall(r'<a href="/workorders\?overdue=1&unit=(\d+)">([^<]+)</a></td><td class="num wo">(\d+)', html)
    assert {(n, int(k)) for _, n, k in units} == {("综合科", 1), ("法规科", 1)}
    assert listed(leader, "/workorders?overdue=1") == {a, b, c, e}
    assert listed(leader, "/cases?overdue=1&open=1") == {a, b, c, e}
    assert listed(leader, f"/workorders?overdue=1&assignee={st.officer.id}") == {a}
    assert listed(leader, f"/workorders?overdue=1&unit={units[0][0]}") == ({a} if units[0][1] == "综合科" else {b})
    ext = re.search(r'id="wo-extensions">(.*?)</section>', html, re.S)
    assert ext and f'href="/workorders/{d}"' in ext.group(1) and "需协调住建部门" in ext.group(1)
    assert re.search(r'id="stat-wo-extensions"><div class="n">1</div>', html)
    by_state = dict(re.findall(r'state=([a-z_]+)">[^<]+</a></td><td class="num wo">(\d+)', html))
    assert by_state == {"received": "2", "handling": "3"}


def test_dashboard_statistics_section_and_downloads(web: Web) -> None:
    st = web.staff
    oid = order(web, "officer", category="咨询")
    wf.act(web.db.engine, oid, "reply", {"result_text": "已答复"}, st.officer, local(2026, 3, 3, 10))
    wf.act(web.db.engine, oid, "record_callback", {"result": "基本满意"}, st.front, local(2026, 3, 4, 10))
    web.clock.set(local(2026, 3, 9, 10))
    c = web.fresh("leader")
    html = c.get("/leader").text
    assert "办理统计（2026-01-01 至 2026-03-09）" in html
    row = re.search(r'id="rate-satisfaction"><td class="nowrap">回访满意率</td><td class="num">([^<]+)</td>'
                    r'<td class="num nowrap">(\d+)/(\d+)</td>', html)
    assert row and row.groups() == ("100.0%", "1", "1")
    assert re.search(r'id="rate-handling_on_time">.*?100.0%.*?1/1', html)
    assert html.count("<svg") == 3 and "12345工单按月趋势" in html
    links = dict((label, href.replace("&amp;", "&")) for href, label in re.findall(
        r'<a class="btn secondary small" href="(/reports/annual\?[^"]+)">([^<]+)</a>', html))
    assert set(links) == {"网页", "XLSX", "DOCX", "JSON"}
    assert "申请人情况" in c.get(links["网页"]).text
    assert c.get(links["JSON"]).json()["year"] == 2025
    assert zipfile.ZipFile(io.BytesIO(c.get(links["DOCX"]).content)).namelist()
    assert openpyxl.load_workbook(io.BytesIO(c.get(links["XLSX"]).content)).sheetnames[0] == "表二 主动公开"
    m = re.search(r'id="stats-xlsx" href="([^"]+)"', html)
    assert m
    wb = openpyxl.load_workbook(io.BytesIO(c.get(m.group(1).replace("&amp;", "&")).content))
    overview = {r[0]: r[1:4] for r in wb["12345_概况"].iter_rows(min_row=2, values_only=True)}
    assert overview["回访满意率"] == (1, 1, 1.0)
    narrow = c.get("/leader?from=2026-02-01&to=2026-02-28").text
    assert "办理统计（2026-02-01 至 2026-02-28）" in narrow and re.search(r'id="rate-satisfaction">.*?—', narrow)
    bad = c.get("/leader?from=2026-03-01&to=2026-02-01").text
    assert "截止日期早于起始日期，已按本年度显示" in bad


def test_reports_page_picks_year_and_format(web: Web) -> None:
    c = web.login("leader")
    page = c.get("/reports").text
    assert 'name="year"' in page and "2019年版" in page and "2021年版" in page and 'name="agency"' not in page
    r = c.get("/reports/annual?year=2025&format=json&report_format=2019")
    assert r.status_code == 200 and len(r.json()["table3"]["rows"]) == 23
    r = c.get("/reports/annual?year=2025&format=xlsx&report_format=2021")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats") and "attachment" in r.headers[
        "content-disposition"]
    bad = c.get("/reports/annual?year=1999&format=html")
    assert bad.status_code == 422 and "年度应在2019至2100之间" in bad.text
    bad = c.get("/reports/stats.xlsx?from=2026-03-01&to=2026-01-01")
    assert bad.status_code == 422 and "截止日期不能早于起始日期" in bad.text
    assert web.login("admin").get("/reports/annual?year=2025&format=html").status_code == 200
    assert web.login("officer").get("/reports/annual?year=2025&format=html").status_code == 403
    assert c.get("/reports/annual?year=2025&format=json&agency=other").status_code == 403


def test_reports_page_lets_a_supervisor_choose_an_agency(web: Web) -> None:
    with write_session(web.db.engine) as s:
        agency = s.get(Agency, web.staff.agency_id)
        assert agency is not None
        other = Agency(code="B", name="乙局", settings={}, created_at=web.clock.now(), parent_id=agency.id)
        s.add(other)
        create_user_in(s, agency=agency, username="default-sup", password="password123", roles=["supervisor"],
                       display_name="监督员", now=web.clock.now())
        s.commit()
    c = web.login("sup")
    page = c.get("/reports").text
    assert 'name="agency"' in page and "乙局" in page and "本机关及下级机关（汇总，各机关并列）" in page
    r = c.get("/reports/annual?year=2025&format=json&agency=B")
    assert r.status_code == 200
    assert c.get("/reports/annual?year=2025&format=json&agency=NOPE").status_code == 404
