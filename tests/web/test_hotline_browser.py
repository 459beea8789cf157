"""The 12345 journey in headless Chromium (Debian package, Playwright), with screenshots of every page.

The clerk imports the platform's xlsx (with bad rows: the import report lists them), finds one order, signs for
it and assigns it → the officer finds it in "我的案件", starts handling and requests an extension → the
leader sees the request on the dashboard and records the platform's approval → the officer replies (the reply
sheet is generated and downloaded) → the clerk records the callback (基本满意) → the leader's statistics show
it. Signing for is the desk's action in the transition table (states/hotline.py: DESK), so the clerk signs
for the order and the officer takes it up with "开始办理".
Screenshots go to test-artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from db.engine import read_session
from db.models import Clock, WorkOrder
from tests.fixtures.hotline_gen import make_xlsx
from tests.hotline_helpers import local
from tests.web.conftest import Live
from tests.web.test_journey_browser import ARTIFACTS, deliver, login, open_action, shot

pytestmark = pytest.mark.browser


def _pick_order(live: Live) -> str:
    """An imported order still to be signed for, not urgent, whose handling deadline is more than five days away."""
    now = live.web.clock.now()
    with read_session(live.web.db.engine) as s:
        row = s.exec(select(WorkOrder.order_no).join(Clock, (col(Clock.case_id) == col(WorkOrder.id))
                                                     & (col(Clock.case_kind) == "workorder")
                                                     & (col(Clock.kind) == "handling"))
                     .where(WorkOrder.state == "received", WorkOrder.urgency == "normal",
                            col(Clock.due_at) > now + timedelta(days=5))
                     .order_by(col(WorkOrder.received_at).desc())).first()
    assert row is not None, "the generated file has no suitable order"
    return str(row)


def _submit(page: Page, action: str) -> None:
    page.click(f"#action-{action} button[type=submit]")
    page.wait_for_load_state()


def test_hotline_journey(live: Live, new_context: Any, tmp_path: Path) -> None:
    web = live.web
    st = web.staff
    web.clock.set(local(2026, 3, 16, 9))  # Monday
    xlsx = tmp_path / "12345工单导出.xlsx"
    manifest = make_xlsx(xlsx, 60, bad_fraction=0.1, seed=11, start=local(2026, 1, 15, 8).replace(tzinfo=None))  # received until 16 March 08:00

    # 1. The clerk imports the platform's export; the report lists the bad rows.
    clerk = login(new_context(), live, "front")
    clerk.goto(live.url + "/workorders/import")
    shot(clerk, "h01-import-form")
    clerk.set_input_files("#f-file", str(xlsx))
    clerk.click("#import-form button[type=submit]")
    expect(clerk.locator("#import-report")).to_be_visible()
    expect(clerk.locator("#import-summary")).to_contain_text(f"共 60 行：已新增 {60 - len(manifest)}")
    rows = {int(t) for t in clerk.locator("#import-errors tbody tr td:first-child").all_inner_texts()}
    assert rows == set(manifest)
    expect(clerk.locator("#import-errors")).to_contain_text("缺少工单编号")
    shot(clerk, "h02-import-report")
    with clerk.expect_download() as dl:
        clerk.click("#errors-xlsx")
    assert dl.value.suggested_filename == "import-errors.xlsx"

    # 2. The clerk finds one order, signs for it and assigns it to the officer.
    order_no = _pick_order(live)
    clerk.goto(live.url + "/workorders?state=received")
    expect(clerk.locator("#workorder-list")).to_contain_text("待签收")
    shot(clerk, "h03-workorder-list")
    clerk.fill("#text", order_no)
    clerk.click("form[role=search] button[type=submit]")
    clerk.click(f"#workorder-list a:has-text('{order_no}')")
    expect(clerk.locator("#order-state")).to_have_text("待签收")
    expect(clerk.locator("#clocks")).to_contain_text("签收时限")
    shot(clerk, "h04-order-received")
    order_url = clerk.url
    open_action(clerk, "sign_for")
    _submit(clerk, "sign_for")
    expect(clerk.locator(".flash.ok")).to_contain_text("已完成：签收")
    expect(clerk.locator("#order-state")).to_have_text("已签收")
    open_action(clerk, "assign")
    clerk.select_option("#f-assign-assignee_id", str(st.officer.id))
    _submit(clerk, "assign")
    expect(clerk.locator("#order-assignee")).to_have_text("承办人李明")

    # 3. The officer takes it up from "我的案件" and asks for an extension (before the deadline).
    web.clock.set(local(2026, 3, 16, 10, 30))
    officer = login(new_context(), live, "officer")
    officer.goto(live.url + "/cases/mine")
    expect(officer.locator("#case-list")).to_contain_text(order_no)
    expect(officer.locator("#case-list")).to_contain_text("12345工单")
    shot(officer, "h05-my-cases")
    officer.click(f"#case-list a:has-text('{order_no}')")
    expect(officer.locator("#order-state")).to_have_text("已签收")
    open_action(officer, "start_handling")
    _submit(officer, "start_handling")
    expect(officer.locator("#order-state")).to_have_text("办理中")
    open_action(officer, "request_extension")
    officer.fill("#f-request_extension-reason", "需会同住建部门现场核查")
    officer.fill("#f-request_extension-days", "30")
    _submit(officer, "request_extension")  # over the profile's maximum: the error is at the field
    expect(officer.locator("#err-request_extension-days")).to_have_text("延期天数不能超过10个工作日")
    expect(officer.locator("#f-request_extension-reason")).to_have_value("需会同住建部门现场核查")
    shot(officer, "h06-extension-error")
    officer.fill("#f-request_extension-days", "5")
    _submit(officer, "request_extension")
    expect(officer.locator(".flash.ok")).to_contain_text("申请延期")
    expect(officer.locator("#pending-extension")).to_contain_text("5")
    shot(officer, "h07-extension-requested")
    due_before = officer.locator("#clocks .clock", has_text="办理时限").locator(".due").inner_text()

    # 4. The leader sees the request on the dashboard and records the platform's approval.
    web.clock.set(local(2026, 3, 17, 9))
    leader = login(new_context(), live, "leader")
    leader.goto(live.url + "/leader")
    expect(leader.locator("#wo-extensions")).to_contain_text(order_no)
    expect(leader.locator("#hotline-stats")).to_be_visible()
    shot(leader, "h08-leader-dashboard")
    leader.click(f"#wo-extensions a:has-text('{order_no}')")
    open_action(leader, "approve_extension")
    leader.fill("#f-approve_extension-days", "5")
    leader.fill("#f-approve_extension-note", "热线平台已批准")
    _submit(leader, "approve_extension")
    expect(leader.locator(".flash.ok")).to_contain_text("平台批准延期")
    due_after = leader.locator("#clocks .clock", has_text="办理时限").locator(".due").inner_text()
    assert due_after > due_before, (due_before, due_after)
    expect(leader.locator("#cycles")).to_contain_text("1（5个工作日）")
    shot(leader, "h09-extension-approved")

    # 5. The officer replies; the reply sheet is generated and can be downloaded.
    web.clock.set(local(2026, 3, 19, 15))
    officer = login(new_context(), live, "officer")
    officer.goto(order_url)
    open_action(officer, "reply")
    officer.fill("#f-reply-result_text", "经现场核查，施工单位已调整作业时间，夜间不再施工。已电话告知来电人。")
    shot(officer, "h10-reply-form")
    _submit(officer, "reply")
    expect(officer.locator("#order-state")).to_have_text("已反馈待回访")
    deliver(live)
    officer.reload()
    expect(officer.locator("#documents")).to_contain_text("办理情况回复单")
    link = officer.locator("#documents tr", has_text="办理情况回复单").locator("a", has_text="下载").first
    with officer.expect_download() as dl:
        link.click()
    sheet = ARTIFACTS / "downloads" / dl.value.suggested_filename
    dl.value.save_as(sheet)
    assert sheet.suffix in (".pdf", ".docx") and sheet.stat().st_size > 1000
    expect(officer.locator("#cycles")).to_contain_text("按时")
    shot(officer, "h11-replied")

    # 6. The clerk records the callback: 基本满意.
    web.clock.set(local(2026, 3, 20, 10))
    clerk = login(new_context(), live, "front")
    clerk.goto(order_url)
    open_action(clerk, "record_callback")
    clerk.select_option("#f-record_callback-result", "basically_satisfied")
    clerk.fill("#f-record_callback-note", "来电人表示基本满意")
    _submit(clerk, "record_callback")
    expect(clerk.locator("#order-state")).to_have_text("已回访")
    expect(clerk.locator("#callback-result")).to_contain_text("基本满意")
    expect(clerk.locator("#timeline")).to_contain_text("登记回访结果")
    shot(clerk, "h12-callback-recorded")

    # 7. The leader's statistics count it: one callback, satisfied (满意 + 基本满意).
    leader = login(new_context(), live, "leader")
    leader.goto(live.url + "/leader?from=2026-03-01&to=2026-03-31#statistics")
    expect(leader.locator("#rate-satisfaction")).to_contain_text("100.0%")
    expect(leader.locator("#rate-satisfaction")).to_contain_text("1/1")
    expect(leader.locator("#stats-trend svg")).to_have_count(1)
    shot(leader, "h13-leader-statistics")
    leader.goto(live.url + "/reports")
    shot(leader, "h14-reports")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", due_after)


def test_a_long_import_is_followed_on_its_progress_page(live: Live, new_context: Any, tmp_path: Path,
                                                        held_import: threading.Event) -> None:
    """The upload does not wait for a long import: the clerk sees the rows processed so far, and the page turns
    into the import report by itself when the import ends."""
    live.web.clock.set(local(2026, 3, 16, 9))
    xlsx = tmp_path / "12345工单导出.xlsx"
    manifest = make_xlsx(xlsx, 30, bad_fraction=0.1, seed=7, start=local(2026, 1, 15, 8).replace(tzinfo=None))
    clerk = login(new_context(), live, "front")
    clerk.goto(live.url + "/workorders/import")
    clerk.set_input_files("#f-file", str(xlsx))
    clerk.click("#import-form button[type=submit]")
    expect(clerk.locator("#import-progress")).to_contain_text("正在导入：12345工单导出.xlsx")
    assert re.search(r"/workorders/import/[A-Za-z0-9_-]+$", clerk.url)
    expect(clerk.locator("#import-form")).to_have_count(0)  # nothing to type into a page that refreshes itself
    shot(clerk, "h00-import-progress")
    held_import.set()
    expect(clerk.locator("#import-summary")).to_contain_text(f"共 30 行：已新增 {30 - len(manifest)}", timeout=15000)
    expect(clerk.locator("#import-progress")).to_have_count(0)
    expect(clerk.locator("#import-form")).to_be_visible()
    shot(clerk, "h00-import-finished")
