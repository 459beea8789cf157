"""Issue 20 (must show), in headless Chromium: the case page lists the actions not available now with their reasons,
the leader's dashboard shows the caseload per officer, and the portal fits a 390 px phone screen. Screenshots go to
test-artifacts/screenshots/ (issue20-*.png)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.hotline_helpers import order_input
from tests.web.conftest import Live, register_case
from tests.web.test_journey_browser import SHOTS, login, shot
from workflow.disclosure import actions as dwf
from workflow.hotline import actions as hwf
from workflow.timesource import local_dt

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _world(live: Live) -> Any:
    web = live.web
    case = register_case(web)  # received Monday 2 March 2026: the correction window ends 11 March
    dwf.act(web.db.engine, case.id, "request_extension", {"days": 10, "reason": "需要调取档案"}, web.staff.officer,
            web.clock.now())
    register_case(web, received_at="2026-01-05T09:00:00+08:00", applicant_name="李四")
    register_case(web, assignee_id=web.staff.officer2.id, applicant_name="王五")
    oid = hwf.intake(web.db.engine, hwf.record_from_input(order_input(urgency="紧急", received_at="2026-03-02 09:30:00")),
                     web.staff.front, web.clock.now()).id
    mine = hwf.intake(web.db.engine, hwf.record_from_input(order_input()), web.staff.front, web.clock.now()).id
    hwf.act(web.db.engine, mine, "sign_for", {}, web.staff.front, web.clock.now())
    hwf.act(web.db.engine, mine, "assign", {"assignee_id": web.staff.officer.id}, web.staff.front, web.clock.now())
    assert oid
    web.clock.set(local_dt(2026, 3, 12, 10, 0))
    return case


def test_unavailable_actions_caseload_and_the_portal_on_a_phone(live: Live, new_context: Any) -> None:
    case = _world(live)
    case_id = case.id
    officer = login(new_context(), live, "officer")
    officer.goto(f"{live.url}/cases/disclosure/{case_id}")
    gone = officer.locator("#unavailable")
    expect(gone).to_contain_text("发出补正告知")
    expect(gone).to_contain_text("补正告知须在收到申请之日起7个工作日内发出（条例第三十条），已于3月11日届满")
    expect(gone).to_contain_text("已申请延期答复，待负责人审批")
    expect(officer.locator("h1 .badge.pending")).to_have_text("延期待负责人审批")
    expect(officer.locator("#clocks .clock", has_text="补正告知期限")).to_contain_text("已届满")
    gone.scroll_into_view_if_needed()
    shot(officer, "issue20-case-unavailable-actions")
    # the reply form shows only the fields the chosen answer has
    officer.click("#action-reply > summary")
    officer.select_option("#f-reply-category", "unavailable")
    expect(officer.locator("#field-reply-documents")).to_be_hidden()
    expect(officer.locator("#field-reply-public_interest_reason")).to_be_hidden()
    officer.select_option("#f-reply-category", "refuse")
    expect(officer.locator("#field-reply-documents")).to_be_hidden()
    expect(officer.locator("#field-reply-third_party_objection")).to_be_visible()
    officer.select_option("#f-reply-category", "disclose")
    expect(officer.locator("#field-reply-documents")).to_be_visible()

    leader = login(new_context(), live, "leader")
    leader.goto(f"{live.url}/leader#caseload")
    row = leader.locator(f"#load-officer-{live.web.staff.officer.id}")
    expect(row).to_contain_text("承办人李明")
    expect(leader.locator("#load-officer-none")).to_contain_text("未分办／未指派")
    leader.locator("#caseload").scroll_into_view_if_needed()
    shot(leader, "issue20-dashboard-caseload")
    leader.locator("#caseload-officer").screenshot(path=str(SHOTS / "issue20-dashboard-caseload-table.png"))
    row.locator("a.overdue").first.click()
    expect(leader.locator("h1")).to_contain_text("案件查询（依申请公开）")
    expect(leader.locator("#case-list")).to_contain_text("李四")

    phone = new_context().new_page()
    phone.set_viewport_size(PHONE)
    for path, name in (("/gongkai/default", "portal-home"), ("/gongkai/default/shenqing", "portal-apply"),
                       ("/gongkai/default/chaxun", "portal-lookup")):
        phone.goto(live.url + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path}: {width}px wide on a {PHONE['width']}px screen"
        shot(phone, f"issue20-{name}-390px")  # shot() also fails on any sideways scrolling
    phone.goto(live.url + "/gongkai/default/chaxun")  # the applicant's own case, looked up
    phone.fill("#f-tracking_no", case.tracking_no)
    phone.fill("#f-query_code", case.query_code)
    phone.click("form[action$='/chaxun'] button[type=submit]")
    expect(phone.locator("main")).to_contain_text(case.tracking_no)
    shot(phone, "issue20-portal-case-390px")
    phone.goto(live.url + "/gongkai/default/shenqing")
    phone.click("form button[type=submit]")  # nothing filled in: every error at its field
    expect(phone.locator(".has-error .field-error").first).to_be_visible()
    shot(phone, "issue20-portal-apply-errors-390px")
