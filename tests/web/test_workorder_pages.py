"""12345 pages: the list (filters, paging, masking), the order page (record, cycles, clocks, timeline, documents,
only the allowed actions as forms with expected_version), action errors at their fields, stale forms,
attachments with the reply, the reply export, conversion to a disclosure application, and "我的案件"
mixing both kinds by the nearest deadline."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
from sqlmodel import select

from db.engine import read_session
from db.models import Disclosure, Event, StoredFile, WorkOrder
from tests.helpers import resident_id
from tests.hotline_helpers import local, order_input
from tests.web.conftest import Web, count, csrf_of, register_case, sessions
from workflow.hotline import actions as wf


def order(web: Web, **over: Any) -> int:
    """An order received on Monday 2 March 2026 09:15 (the fixture clock is 10:00 that day)."""
    return wf.intake(web.db.engine, wf.record_from_input(order_input(**over)), web.staff.front, web.clock.now()).id


def act(web: Web, oid: int, action: str, who: str = "front", **payload: Any) -> None:
    wf.act(web.db.engine, oid, action, payload, getattr(web.staff, who), web.clock.now())


def assigned(web: Web, oid: int, who: str = "officer") -> int:
    act(web, oid, "sign_for")
    act(web, oid, "assign", assignee_id=getattr(web.staff, who).id)
    return oid


def actions_offered(html: str) -> set[str]:
    return set(re.findall(r'id="action-([a-z_]+)"', html))


def version(c: Any, url: str) -> str:
    m = re.search(r'name="expected_version" value="(\d+)"', c.get(url).text)
    assert m, url
    return m.group(1)


def field_error(html: str, fid: str) -> str:
    m = re.search(rf'id="err-{re.escape(fid)}">([^<]*)<', html)
    assert m, f"no error slot for {fid}"
    return m.group(1)


def test_list_filters_paging_and_masked_phones(web: Web) -> None:
    ids = [order(web, caller_phone=f"139{i:08d}", category="咨询" if i % 3 else "投诉",
                 urgency="紧急" if i == 7 else "一般", title=f"第{i}号诉求") for i in range(30)]
    assigned(web, ids[4])
    c = web.login("front")
    page1 = c.get("/workorders").text
    assert "共 30 件" in page1 and len(re.findall(r'href="/workorders/(\d+)"', page1)) == 25
    assert "13900000029" not in page1 and "139****0029" in page1
    nxt = re.search(r'id="next-page" href="\?([^"]+)"', page1)
    assert nxt
    page2 = c.get("/workorders?" + nxt.group(1).replace("&amp;", "&")).text
    assert len(re.findall(r'href="/workorders/(\d+)"', page2)) == 5 and "回到第一页" in page2

    def listed(query: str) -> set[int]:
        return {int(i) for i in re.findall(r'<a href="/workorders/(\d+)">', c.get("/workorders?" + query).text)}

    assert listed("category=complaint") == {ids[i] for i in range(0, 30, 3)}
    assert listed("urgency=urgent") == {ids[7]}
    assert listed("state=signed_for") == {ids[4]}
    assert listed(f"assignee={web.staff.officer.id}") == {ids[4]}
    assert listed("text=第12号") == {ids[12]}
    assert listed("caller=13900000013") == {ids[13]}
    assert listed("overdue=1") == set()
    web.clock.set(local(2026, 3, 4, 9))  # sign-for (1 WD) was due 3 March 24:00: all but the signed one overdue
    c = web.fresh("front")
    overdue = c.get("/workorders?overdue=1").text
    assert "共 29 件" in overdue and 'class="overdue"' in overdue
    assert ids[4] not in listed("overdue=1") and listed("overdue=1&category=complaint") == {
        ids[i] for i in range(0, 30, 3)}


def test_order_page_shows_record_cycles_clocks_and_the_desks_actions(web: Web) -> None:
    oid = order(web, caller_phone="13987654321")
    html = web.login("front").get(f"/workorders/{oid}").text
    assert 'id="order-state">待签收' in html and "13987654321" in html  # in full on the order page
    for section in ("record", "cycles", "documents", "timeline", "clocks", "actions"):
        assert f'id="{section}"' in html, section
    assert "签收时限" in html and "办理时限" in html and "计算说明" in html and "2026-03-03 24:00" in html
    assert "平台派单" in html and "接收工单" in html
    assert actions_offered(html) == {"sign_for", "assign", "return_order", "convert_to_disclosure", "merge"}
    assert 'name="expected_version" value="1"' in html
    assert "投诉" in html and 'name="applicant.id_number"' in html  # the conversion's 条例第二十九条 details


def test_officer_gets_the_handlers_actions_only_on_their_own_order(web: Web) -> None:
    oid = assigned(web, order(web))
    mine = web.login("officer").get(f"/workorders/{oid}").text
    assert actions_offered(mine) == {"start_handling", "reply", "request_termination"}
    assert "sign_for" not in actions_offered(mine)
    assert web.login("leader").get(f"/workorders/{oid}").status_code == 200


def test_action_errors_at_their_fields_keep_the_input_and_write_nothing(web: Web) -> None:
    oid = assigned(web, order(web))
    act(web, oid, "start_handling", "officer")
    c = web.login("officer")
    url = f"/workorders/{oid}"
    events = count(web, Event)
    r = web.post(c, url + "/actions/request_extension", {"reason": "需要现场核实", "days": "30",
                                                           "expected_version": version(c, url)}, page=url)
    assert r.status_code == 422
    assert field_error(r.text, "request_extension-days") == "延期天数不能超过10个工作日"
    assert "需要现场核实" in r.text and 'id="action-request_extension" open' in r.text
    r = web.post(c, url + "/actions/reply", {"result_text": "  ", "expected_version": version(c, url)}, page=url)
    assert r.status_code == 422 and field_error(r.text, "reply-result_text") == "办理结果为必填项"
    assert count(web, Event) == events


def test_stale_form_is_refused_with_409(web: Web) -> None:
    oid = order(web)
    c = web.login("front")
    page = c.get(f"/workorders/{oid}").text
    act(web, oid, "sign_for")  # someone else signs for it meanwhile
    r = c.post(f"/workorders/{oid}/actions/assign", data={
        "assignee_id": str(web.staff.officer.id), "expected_version": "1", "csrf_token": csrf_of(page)})
    assert r.status_code == 409 and "已被他人修改" in r.text
    with read_session(web.db.engine) as s:
        row = s.get(WorkOrder, oid)
        assert row is not None and row.assignee_id is None


def test_attachment_goes_with_the_reply_and_the_reply_sheet_is_listed(web: Web) -> None:
    from tests.web.conftest import Live
    from tests.web.test_journey_browser import deliver

    oid = assigned(web, order(web))
    c = web.login("officer")
    url = f"/workorders/{oid}"
    token = csrf_of(c.get(url).text)
    r = c.post(url + "/files", data={"category": "reply_attachment", "csrf_token": token},
               files={"file": ("现场照片.pdf", b"%PDF-1.4 photo", "application/pdf")})
    assert r.status_code == 303
    bad = c.post(url + "/files", data={"category": "reply_attachment", "csrf_token": token},
                 files={"file": ("x.pdf", b"not a pdf", "application/pdf")})
    assert bad.status_code == 422 and "文件类型不受支持" in field_error(bad.text, "upload-file")
    page = c.get(url).text
    fid = re.search(r'name="attachment_ids" value="(\d+)"', page)
    assert fid and "现场照片.pdf" in page
    r = c.post(url + "/actions/reply", data={"result_text": "已到现场处理，噪音已停止。", "attachment_ids": fid.group(1),
                                             "expected_version": version(c, url), "csrf_token": token})
    assert r.status_code == 303, r.text[:400]
    deliver(Live("", web))
    page = c.get(url).text
    assert 'id="order-state">已反馈待回访' in page and "附件：现场照片.pdf" in page
    assert "12345政务服务便民热线办理情况回复单" in page
    with read_session(web.db.engine) as s:
        files = s.exec(select(StoredFile).where(StoredFile.case_kind == "workorder", StoredFile.case_id == oid)).all()
    sheet = next(f for f in files if f.notice_type == "workorder.reply_sheet")
    got = c.get(f"{url}/files/{sheet.id}")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    assert web.login("officer2").get(f"{url}/files/{sheet.id}").status_code == 403


def test_reply_export_download(web: Web) -> None:
    oid = assigned(web, order(web, order_no="EXP-0001"))
    act(web, oid, "reply", "officer", result_text="已处理")
    c = web.login("front")
    assert "起始日期" in c.get("/workorders/export").text
    bad = c.get("/workorders/export?since=昨天")
    assert bad.status_code == 422 and "无法识别的日期" in field_error(bad.text, "since") and 'value="昨天"' in bad.text
    r = c.get("/workorders/export?since=2026-03-01&until=2026-03-02&format=xlsx")
    assert r.status_code == 200 and r.headers["x-row-count"] == "1"
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert any("EXP-0001" in [str(v) for v in row] for row in rows[1:])
    assert web.login("officer").get("/workorders/export").status_code == 403


def test_convert_to_disclosure_from_the_order_page(web: Web) -> None:
    oid = order(web, caller_name="李桂兰")
    c = web.login("front")
    url = f"/workorders/{oid}"
    page = c.get(url).text
    assert 'name="applicant.applicant_name"' in page and 'value="李桂兰"' in page
    data = {"reason": "属于政府信息公开申请", "applicant.applicant_type": "natural",
            "applicant.applicant_category": "natural", "applicant.applicant_name": "李桂兰",
            "applicant.id_type": "resident_id", "applicant.id_number": "110105194912310021",
            "applicant.phone": "13987654321", "request.description": "鹿城镇滨江路工地的施工许可文件",
            "request.form_wanted": "electronic", "request.obtain_way": "online", "expected_version": version(c, url)}
    before = count(web, Disclosure)
    r = web.post(c, url + "/actions/convert_to_disclosure", data, page=url)
    assert r.status_code == 422 and "校验码" in field_error(r.text, "convert_to_disclosure-applicant.id_number")
    assert count(web, Disclosure) == before
    data["applicant.id_number"] = resident_id("11010519491231002")
    r = web.post(c, url + "/actions/convert_to_disclosure", data, page=url)
    assert r.status_code == 303
    assert "已登记依申请公开申请" in c.get(r.headers["location"]).text
    assert count(web, Disclosure) == before + 1


def test_my_cases_mixes_both_kinds_nearest_deadline_first(web: Web) -> None:
    case = register_case(web)  # its reply, 2026-03-30 (the correction-notice window binds nobody: no deadline)
    complaint = assigned(web, order(web, category="投诉"))  # handling 15 WD: 2026-03-23
    consult = assigned(web, order(web, category="咨询"))  # handling 3 WD: 2026-03-05
    other = assigned(web, order(web, category="求助"), who="officer2")
    html = web.login("officer").get("/cases/mine").text
    links = re.findall(r'<a href="(/(?:workorders|cases/disclosure)/\d+)">', html)
    assert links == [f"/workorders/{consult}", f"/workorders/{complaint}", f"/cases/disclosure/{case.id}"]
    rows = re.findall(r"<td>(办理时限|补正告知期限) (2026-03-\d\d)<br>", html)
    rows = re.findall(r"<td>(办理时限|补正告知期限|答复期限) (2026-03-\d\d)<br>", html)
    assert rows == [("办理时限", "2026-03-05"), ("办理时限", "2026-03-23"), ("答复期限", "2026-03-30")]
    assert f"/workorders/{other}" not in html and "12345工单" in html and "139****4321" in html
    assert "13987654321" not in html
    leader = web.login("leader").get("/cases?open=1").text
    assert f"/workorders/{other}" in leader


def test_the_order_pages_read_their_forms_choices_with_the_orders(web: Web) -> None:
    """The order page's assign form offers the agency's officers and units, and the list its officers to filter by,
    read with the orders in the page's one session (they used to be read again for each form that showed them);
    posting an action reads no choices at all."""
    oid = order(web)
    c = web.login("front")
    for url in (f"/workorders/{oid}", "/workorders", "/workorders/export"):
        c.get(url)  # the login's and the agency's caches warm
    with sessions(web) as login:
        c.get("/workorders/export")  # the export form reads nothing but who is asking
    with sessions(web) as taken:
        html = c.get(f"/workorders/{oid}").text
    assert f'<option value="{web.staff.officer.id}"' in html and ">综合科</option>" in html  # the fixture's unit
    assert taken[0] == login[0] + 1  # the order page's one session
    with sessions(web) as taken:
        listed = c.get("/workorders").text
    assert f'<option value="{web.staff.officer.id}"' in listed
    assert taken[0] == login[0] + 1  # the list's one session
    with sessions(web) as taken:
        r = c.post(f"/workorders/{oid}/actions/sign_for", data={"expected_version": "1", "csrf_token": csrf_of(html)})
    assert r.status_code == 303
    assert taken[0] == login[0] + 1  # the action's one transaction
