"""The complete disclosure journey in headless Chromium (Debian package, Playwright), with screenshots.

Clerk registers and prints the receipt → officer requests a correction → the clerk records the
corrected application → the officer replies with a decision → the leader sees it on the dashboard
→ the applicant looks the application up and downloads whatever documents are listed.
Screenshots of every page go to test-artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from states.formats import mask_id
from tests.helpers import registration, resident_id
from tests.web.conftest import Live, drain_outbox
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.timesource import local_dt

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SHOTS = ARTIFACTS / "screenshots"


def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot; the page must fit 1366 px without sideways scrolling."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than the window"


def login(ctx: BrowserContext, live: Live, who: str) -> Page:
    page = ctx.new_page()
    page.on("dialog", lambda d: d.accept())  # confirm() before irreversible actions
    page.goto(live.url + "/login")
    page.fill("#f-username", f"default-{who}")
    page.fill("#f-password", "password123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url
    return page


def open_action(page: Page, action: str) -> None:
    page.click(f"#action-{action} > summary")


def deliver(live: Live) -> None:
    """Drain the outbox as the scheduler would: notices are rendered, sent (.eml here) and stored as files."""
    web = live.web
    stats = drain_outbox(web, instance="journey")
    assert stats.dead == 0


def _history(live: Live) -> None:
    """Earlier applications, so the dashboard's charts have months to show."""
    staff = live.web.staff
    for month, day, reply_day in ((1, 12, 20), (1, 26, 30), (2, 9, 11)):
        now = local_dt(2026, month, day, 10)
        data = registration(received_at=now.isoformat(), assignee_id=staff.officer.id,
                            id_number=resident_id(f"1101051980010{month}{day:02d}0"[:17]))
        r = wf.register(live.web.db.engine, RegisterIn.model_validate(data), staff.front, now)
        wf.act(live.web.db.engine, r.id, "reply", {"category": "disclose", "reason": "provided"}, staff.officer,
               local_dt(2026, month + (reply_day < day), reply_day, 11))


def test_disclosure_journey(live: Live, new_context: Any) -> None:
    web = live.web
    _history(live)

    # 1. The clerk logs in and registers an application; the receipt is shown and printed.
    clerk_ctx = new_context()
    anon = clerk_ctx.new_page()
    anon.goto(live.url + "/login")
    expect(anon.locator("html")).to_have_attribute("lang", "zh-CN")
    shot(anon, "01-login")
    anon.close()
    clerk = login(clerk_ctx, live, "front")
    clerk.goto(live.url + "/frontdesk/register")
    clerk.fill("#f-applicant_name", "王小红")
    clerk.select_option("#f-id_type", "resident_id")
    clerk.fill("#f-id_number", "110105194912310021")  # wrong check digit: the page says so at once
    clerk.locator("#f-id_number").blur()
    expect(clerk.locator("#err-id_number")).to_contain_text("校验码不正确")
    clerk.fill("#f-id_number", resident_id("11010519491231002"))
    clerk.locator("#f-id_number").blur()
    expect(clerk.locator("#err-id_number")).to_be_empty()
    clerk.fill("#f-phone", "13912345678")
    clerk.fill("#f-email", "wangxh@example.com")
    clerk.fill("#f-address", "某县人民路8号")
    clerk.fill("#f-description", "2025年本县农村公路养护资金的分配文件")
    clerk.select_option("#f-form_wanted", "electronic")
    clerk.select_option("#f-obtain_way", "email")
    clerk.select_option("#f-assignee_id", str(web.staff.officer.id))
    shot(clerk, "02-register")
    clerk.click("form[action='/frontdesk/register'] button[type=submit]")
    expect(clerk.locator("#receipt")).to_be_visible()
    tracking_no = clerk.inner_text("#tracking-no").strip()
    query_code = clerk.inner_text("#query-code").strip()
    assert tracking_no.startswith("依申〔2026〕") and len(query_code) == 10
    expect(clerk.locator("#reply-due")).to_contain_text("2026年3月30日")
    shot(clerk, "03-receipt")
    clerk.evaluate("window.__printed = 0; window.print = () => { window.__printed += 1; }; 0")  # (a function value would be called)
    clerk.click("[data-print]")
    assert clerk.evaluate("window.__printed") == 1
    clerk.emulate_media(media="print")
    expect(clerk.locator("header.topbar")).to_be_hidden()
    expect(clerk.locator("#query-code")).to_be_visible()
    shot(clerk, "04-receipt-print")
    ARTIFACTS.mkdir(exist_ok=True)
    clerk.pdf(path=str(ARTIFACTS / "receipt.pdf"), format="A4")
    clerk.emulate_media(media="screen")
    case_url = clerk.locator("a", has_text="查看案件").get_attribute("href")
    assert case_url
    deliver(live)

    # 2. The officer finds it in "my cases" and requests a correction (条例第三十条).
    web.clock.set(local_dt(2026, 3, 4, 9, 30))
    officer = login(new_context(), live, "officer")
    officer.goto(live.url + "/cases/mine")
    expect(officer.locator("#case-list")).to_contain_text(tracking_no)
    shot(officer, "05-my-cases")
    officer.click(f"text={tracking_no}")
    expect(officer.locator("#case-state")).to_have_text("办理中")
    expect(officer.locator("#id-number")).to_contain_text("110105194912310")  # in full for the assignee
    shot(officer, "06-case-handling")
    open_action(officer, "request_correction")
    officer.fill("#f-request_correction-items", "请写明所需文件的名称或文号\n请说明所需信息的年度范围")
    officer.click("#action-request_correction button[type=submit]")
    expect(officer.locator(".flash.ok")).to_contain_text("发出补正告知")
    expect(officer.locator("#case-state")).to_have_text("待申请人补正")
    deliver(live)
    officer.reload()
    expect(officer.locator("#documents")).to_contain_text("补正告知书")
    shot(officer, "07-case-awaiting-correction")

    # 3. The applicant brings the corrected application; the clerk records it (a new day: new logins,
    #    the sessions of 3 March timed out long ago).
    web.clock.set(local_dt(2026, 3, 9, 15))
    clerk.goto(live.url + case_url)
    expect(clerk.locator(".flash.info")).to_contain_text("登录已超时")
    clerk = login(new_context(), live, "front")
    clerk.goto(live.url + case_url)
    open_action(clerk, "receive_correction")
    clerk.click("#action-receive_correction button[type=submit]")
    expect(clerk.locator("#case-state")).to_have_text("办理中")
    expect(clerk.locator("#clocks")).to_contain_text("补正后重新起算")

    # 4. The officer replies with a decision chosen in the picker (the detail fields follow the reason).
    web.clock.set(local_dt(2026, 3, 16, 10))
    officer = login(new_context(), live, "officer")
    officer.goto(live.url + case_url)
    open_action(officer, "reply")
    officer.select_option("#f-reply-category", "unavailable")
    officer.select_option("#f-reply-reason", "not_responsible")
    expect(officer.locator("[data-detail=responsible_agency]")).to_be_visible()
    expect(officer.locator("[data-detail=published_where]")).to_be_hidden()
    officer.fill("#f-reply-detail-responsible_agency", "某县交通运输局")
    officer.fill("#f-reply-detail-responsible_contact", "0878-1234567")
    shot(officer, "08-reply-form")
    officer.click("#action-reply button[type=submit]")
    expect(officer.locator("#case-state")).to_have_text("已答复")
    expect(officer.locator("#decision")).to_contain_text("不属于本机关负责公开")
    deliver(live)
    officer.reload()
    expect(officer.locator("#documents")).to_contain_text("答复书")
    reply_link = officer.locator("#documents tr", has_text="答复书").locator("a", has_text="下载").first
    with officer.expect_download() as staff_dl:
        reply_link.click()
    assert staff_dl.value.suggested_filename.endswith(".pdf")
    shot(officer, "09-case-replied")

    # 5. The leader sees it on the dashboard.
    leader = login(new_context(), live, "leader")
    leader.goto(live.url + "/leader")
    expect(leader.locator("#by-state")).to_contain_text("已答复")
    expect(leader.locator("#by-state tr", has_text="已答复").locator("td.num")).to_have_text("4")
    expect(leader.locator("#charts svg")).to_have_count(2)
    shot(leader, "10-leader-dashboard")
    leader.click("#by-state a:has-text('已答复')")
    expect(leader.locator("#case-list")).to_contain_text(tracking_no)
    expect(leader.locator("#case-list")).to_contain_text(mask_id(resident_id("11010519491231002")))  # masked
    expect(leader.locator("#case-list")).not_to_contain_text(resident_id("11010519491231002"))
    shot(leader, "11-leader-drilldown")

    # 6. The applicant looks it up (no login) and downloads whatever is addressed to them.
    applicant = new_context().new_page()
    applicant.goto(live.url + "/chaxun")
    applicant.fill("#f-tracking_no", tracking_no)
    applicant.fill("#f-query_code", "WRONGCODE1")
    applicant.click("button[type=submit]")
    expect(applicant.locator("#lookup-error")).to_have_text("未找到该申请：请核对受理编号和查询码")
    applicant.fill("#f-query_code", query_code)
    applicant.click("button[type=submit]")
    expect(applicant.locator("#state-text")).to_have_text("已作出答复，请查收答复书。")
    shot(applicant, "12-applicant-lookup")
    downloads = applicant.locator("#documents li")
    # the receipt (kept with its query code so it can be reprinted; only the code's holder sees this list), the
    # correction notice and the reply
    assert downloads.count() == 3
    names = []
    for i in range(downloads.count()):
        with applicant.expect_download() as dl:
            downloads.nth(i).locator("button").click()
        path = ARTIFACTS / "downloads" / dl.value.suggested_filename
        dl.value.save_as(path)
        names.append(dl.value.suggested_filename)
        if path.suffix == ".pdf":
            assert path.read_bytes().startswith(b"%PDF-")
    assert sum("接收回执" in n for n in names) == 1 and sum("补正告知书" in n for n in names) == 1
    reply = next(n for n in names if "答复书" in n)
    assert reply.endswith(".pdf")
    text = subprocess.run(["pdftotext", str(ARTIFACTS / "downloads" / reply), "-"], capture_output=True,
                          text=True, check=False).stdout
    if text:  # poppler-utils present: the reply names the decision and the responsible agency
        assert "某县交通运输局" in text
