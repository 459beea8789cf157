"""Admin, leader and error pages in headless Chromium: real uploads, inline validation, screenshots."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Live, register_case
from tests.web.test_journey_browser import SHOTS, login, open_action, shot
from workflow.timesource import local_dt

pytestmark = pytest.mark.browser

LOCAL = """year: 2026
document: 某县人民政府关于火把节放假的通知
scope: default
holidays:
  - {name: 火把节, start: 2026-03-20, end: 2026-03-20}
"""


def test_admin_pages(live: Live, new_context: Any, tmp_path: Any) -> None:
    register_case(live.web)
    admin = login(new_context(), live, "admin")
    admin.goto(live.url + "/admin/users")
    expect(admin.locator("#users")).to_contain_text("default-officer")
    shot(admin, "20-admin-users")
    admin.fill("#f-username", "x")
    admin.fill("#f-password", "short")
    admin.check("#create-user input[name=roles][value=front_desk]")
    admin.click("#create-user button[type=submit]")
    expect(admin.locator("#err-password")).to_contain_text("至少需要 8 个字符")
    expect(admin.locator("#f-username")).to_have_value("x")
    shot(admin, "21-admin-users-error")

    notice = tmp_path / "huobajie.yaml"
    notice.write_text(LOCAL, encoding="utf-8")
    admin.goto(live.url + "/admin/calendar")
    shot(admin, "22-admin-calendar")
    # the file field reads in Chinese whatever the browser's language (its native button and text are the browser's)
    expect(admin.locator("label.file-pick[for=f-file]")).to_have_text("选择文件")
    expect(admin.locator("#f-file ~ .file-chosen")).to_have_text("未选择文件")
    admin.set_input_files("#f-file", str(notice))
    expect(admin.locator("#f-file ~ .file-chosen")).to_have_text("huobajie.yaml")
    admin.click("#upload button[type=submit]")
    expect(admin.locator("#day-changes")).to_contain_text("火把节")
    expect(admin.locator("#moved-clocks")).to_contain_text("2026-03-31")
    shot(admin, "23-admin-calendar-preview")
    admin.click("#confirm-import")
    expect(admin.locator(".flash.ok")).to_contain_text("已导入 2026 年")

    admin.goto(live.url + "/admin/agency")
    shot(admin, "24-admin-agency")
    admin.fill("#f-correction_period_wd", "0")
    admin.click("form[action='/admin/agency'] button[type=submit]")
    expect(admin.locator("#err-correction_period_wd")).to_contain_text("不能小于 1")
    admin.goto(live.url + "/admin/system")
    shot(admin, "25-admin-system")
    admin.goto(live.url + "/leader")
    expect(admin.locator("h1")).to_have_text("没有权限")
    shot(admin, "26-forbidden")


def test_overdue_case_extension_and_bad_registration(live: Live, new_context: Any) -> None:
    web = live.web
    case = register_case(web)
    web.clock.set(local_dt(2026, 3, 25, 9))
    officer = login(new_context(), live, "officer")
    officer.goto(live.url + f"/cases/disclosure/{case.id}")
    open_action(officer, "request_extension")
    officer.fill("#f-request_extension-days", "30")
    officer.fill("#f-request_extension-reason", "涉及多个科室")
    officer.click("#action-request_extension button[type=submit]")
    expect(officer.locator("#err-request_extension-days")).to_contain_text("不能大于 20")
    expect(officer.locator("#f-request_extension-reason")).to_have_value("涉及多个科室")
    shot(officer, "30-action-error")
    officer.fill("#f-request_extension-days", "10")
    officer.click("#action-request_extension button[type=submit]")
    expect(officer.locator(".flash.ok")).to_contain_text("申请延期答复")

    leader = login(new_context(), live, "leader")
    leader.goto(live.url + "/leader")
    expect(leader.locator("#extensions")).to_contain_text("申请延长 10 个工作日")
    shot(leader, "31-leader-pending-extension")
    leader.click("#extensions button:has-text('批准')")
    expect(leader.locator(".flash.ok")).to_have_text("已批准延期")

    web.clock.set(local_dt(2026, 4, 20, 9))  # past the extended deadline (2026-04-14)
    officer = login(new_context(), live, "officer")
    officer.goto(live.url + "/cases/mine")
    expect(officer.locator("#case-list tr.overdue")).to_have_count(1)
    shot(officer, "32-my-cases-overdue")

    clerk = login(new_context(), live, "front")
    clerk.goto(live.url + "/frontdesk/register")
    clerk.fill("#f-applicant_name", "某某科技有限公司")
    clerk.select_option("#f-applicant_type", "organization")
    clerk.select_option("#f-id_type", "uscc")
    clerk.fill("#f-id_number", "91350100M000100Y4A")
    clerk.locator("#f-id_number").blur()
    expect(clerk.locator("#err-id_number")).to_contain_text("统一社会信用代码")
    clerk.fill("#f-description", "某项目环评批复")
    clerk.click("form[action='/frontdesk/register'] button[type=submit]")
    expect(clerk.locator("#form-error-summary")).to_be_visible()
    expect(clerk.locator("#err-form_wanted")).to_have_text("此项为必填项")
    expect(clerk.locator("#err-id_number")).to_contain_text("统一社会信用代码校验码不正确")  # from the server
    expect(clerk.locator("#f-applicant_name")).to_have_value("某某科技有限公司")
    shot(clerk, "33-register-errors")
    clerk.goto(live.url + "/nothing-here")
    expect(clerk.locator("h1")).to_have_text("页面不存在")
    assert (SHOTS / "33-register-errors.png").exists()


def test_supervisor_overview_in_the_browser(live: Live, new_context: Any) -> None:
    from tests.web.test_supervisor_pages import _world

    _world(live.web)
    sup = login(new_context(), live, "sup")
    assert sup.url.endswith("/supervisor")
    expect(sup.locator("#agencies tbody tr").first).to_have_attribute("data-agency", "default")
    expect(sup.locator("#agencies")).to_contain_text("某县另一局")
    shot(sup, "40-supervisor-overview")
    sup.locator("#agencies tr[data-agency=other] td a").first.click()  # the agency's name: its dashboard
    expect(sup.locator("h1")).to_have_text("某县另一局")
    expect(sup.locator("#stat-open")).to_contain_text("1")
    shot(sup, "40b-supervisor-department-dashboard")
    sup.go_back()
    sup.locator("#agencies tr[data-agency=other] td.num a").first.click()  # its open applications
    expect(sup.locator("#other-agency")).to_contain_text("正在查看其他机关的案件")
    expect(sup.locator("#case-list")).to_contain_text("申请人3")
    shot(sup, "41-supervisor-other-agency-cases")
