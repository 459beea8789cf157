"""The online applicant's journey in headless Chromium, with a real SMTP sink.

The applicant reads the guide and downloads the form (DOCX, PDF), applies online on a Friday night with an
attachment and gets the submission email; a clerk confirms it on Monday (the receipt date) and the applicant
gets the receipt email with the tracking number; the officer asks for a correction, the applicant uploads it
through the look-up, the clerk records it, the officer replies, and the applicant downloads the reply.
Screenshots go to test-artifacts/screenshots/portal-*.png.
"""

from __future__ import annotations

import subprocess
import zipfile
from datetime import date
from email.message import EmailMessage
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Agency
from tests.helpers import resident_id
from tests.web.conftest import Live, drain_outbox
from tests.web.portal_helpers import solve
from tests.web.test_journey_browser import ARTIFACTS, login, open_action, shot
from workflow.calendar.service import agency_calendar
from workflow.timesource import local_dt

pytestmark = [pytest.mark.browser, pytest.mark.smtp]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def deliver(live: Live, port: int) -> None:
    """Drain the outbox to the SMTP sink, as the scheduler would."""
    web = live.web
    settings = web.db.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                                  "mail_from": "gongkai@example.gov.cn"})
    stats = drain_outbox(web, settings=settings, instance="portal")
    assert stats.dead == 0


def text_of(msg: EmailMessage) -> str:
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def lookup(page: Page, base: str, number: str, code: str) -> None:
    page.goto(base + "/chaxun")
    page.fill("#f-tracking_no", number)
    page.fill("#f-query_code", code)
    page.click("form[action$='/chaxun'] button[type=submit]")
    expect(page.locator("#lookup-result")).to_be_visible()


def test_online_application_journey(live: Live, new_context: Any, smtp_sink: Any, tmp_path: Any) -> None:
    sink, port = smtp_sink
    web = live.web
    base = live.url + "/gongkai/default"
    with write_session(web.db.engine) as s:
        agency = s.exec(select(Agency).order_by(col(Agency.id))).first()
        assert agency is not None
        agency.settings = {"phone": "0878-3120000", "address": "某县人民路8号", "postal_code": "675000",
                           "office_name": "某县某局办公室", "reconsideration_organ": "某县人民政府",
                           "litigation_court": "某县人民法院",
                           "email": "gongkai@example.gov.cn", "lookup_url": base + "/chaxun"}
        s.add(agency)
        s.commit()
        agency_name = agency.name
        from workflow.agencies.cache import invalidate
        invalidate()  # settings written directly: drop the per-process agency cache

    # 1. Friday night: the guide, the form in both formats.
    web.clock.set(local_dt(2026, 3, 6, 21, 30))
    applicant = new_context().new_page()
    applicant.on("dialog", lambda d: d.accept())
    applicant.goto(live.url + "/gongkai")
    expect(applicant.locator("h1")).to_contain_text("政府信息公开指南")
    expect(applicant.locator("#office")).to_contain_text("某县人民路8号")
    shot(applicant, "portal-01-guide")
    for fmt in ("docx", "pdf"):
        with applicant.expect_download() as dl:
            applicant.click(f"#download-{fmt}")
        path = tmp_path / f"form.{fmt}"
        dl.value.save_as(path)
        assert dl.value.suggested_filename == f"{agency_name}政府信息公开申请表.{fmt}"
        if fmt == "docx":
            with zipfile.ZipFile(path) as z:
                assert "某县人民路8号" in z.read("word/document.xml").decode()
        else:
            assert path.read_bytes().startswith(b"%PDF-")
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=False).stdout
            if text:
                assert "政府信息公开申请表" in text

    # 2. The online form: the ID's check digit is checked as it is typed; an attachment; the challenge.
    applicant.click("nav.portal-nav >> text=在线申请")
    applicant.fill("#f-applicant_name", "李小梅")
    applicant.fill("#f-id_number", "530102198506120040")
    applicant.locator("#f-id_number").blur()
    expect(applicant.locator("#err-id_number")).to_contain_text("校验码不正确")
    applicant.fill("#f-id_number", resident_id("53010219850612004"))
    applicant.locator("#f-id_number").blur()
    expect(applicant.locator("#err-id_number")).to_be_empty()
    applicant.fill("#f-email", "lixm@example.com")
    applicant.fill("#f-phone", "13908781234")
    applicant.fill("#f-address", "某县文化路12号")
    applicant.fill("#f-description", "2025年本县城区老旧小区改造项目的实施方案")
    applicant.select_option("#f-form_wanted", "electronic")
    applicant.select_option("#f-obtain_way", "online")
    scan = tmp_path / "身份证.pdf"
    scan.write_bytes(PDF)
    applicant.set_input_files("#f-attachments", str(scan))
    applicant.fill("#f-challenge_answer", "-1")  # wrong first: a new question, what was typed stays
    applicant.click("#apply-form button[type=submit]")
    expect(applicant.locator("#err-challenge_answer")).to_contain_text("答案不正确")
    expect(applicant.locator("#f-applicant_name")).to_have_value("李小梅")
    applicant.set_input_files("#f-attachments", str(scan))  # files are never kept by a browser after an error
    applicant.fill("#f-challenge_answer", str(solve(applicant.inner_text("#challenge-question"))))
    shot(applicant, "portal-02-apply")
    applicant.click("#apply-form button[type=submit]")
    expect(applicant.locator("#submitted")).to_be_visible()
    submission_no = applicant.inner_text("#submission-no").strip()
    code = applicant.inner_text("#query-code").strip()
    assert submission_no == "网申2026000001" and len(code) == 10
    shot(applicant, "portal-03-submitted")
    deliver(live, port)
    ack = sink.messages[-1]
    assert ack["To"].addresses[0].addr_spec == "lixm@example.com" and submission_no in str(ack["Subject"])
    assert code in text_of(ack)

    # 3. Monday: the clerk confirms it — the receipt date is today, not Friday.
    monday = local_dt(2026, 3, 9, 9, 30)
    web.clock.set(monday)
    clerk = login(new_context(), live, "front")
    clerk.click("nav >> text=网上申请")
    item = clerk.locator(".queue-item", has_text=submission_no)
    expect(item).to_contain_text("2天12小时")
    expect(item.locator(".attachments")).to_contain_text("身份证.pdf")
    shot(clerk, "portal-04-queue")
    item.locator("form[action$='/confirm_submission'] button").click()
    expect(clerk.locator(".flash.ok")).to_contain_text("已确认受理，受理编号 依申〔2026〕0001号")
    expect(clerk.locator("#case-state")).to_have_text("已登记待分办")
    shot(clerk, "portal-05-confirmed")
    with read_session(web.db.engine) as s:
        cal = agency_calendar(s, s.exec(select(Agency).order_by(col(Agency.id))).one())
    due = cal.add_workdays_date(date(2026, 3, 9), 20)  # 条例第三十三条: 20 working days from the receipt date
    assert due == date(2026, 4, 7)
    deliver(live, port)
    receipt = sink.messages[-1]
    body = text_of(receipt)
    assert "依申〔2026〕0001号" in str(receipt["Subject"]) and "依申〔2026〕0001号" in body
    assert "收到申请之日：2026年3月9日" in body and "答复期限：2026年4月7日前" in body
    assert any(p.get_filename() == "政府信息公开申请接收回执-依申〔2026〕0001号.pdf" for p in receipt.iter_attachments())

    # 4. The applicant follows the case with the tracking number and the same code.
    lookup(applicant, base, "依申〔2026〕0001号", code)
    expect(applicant.locator("#receipt-date")).to_have_text("2026年3月9日")
    expect(applicant.locator("#reply-due")).to_contain_text("2026年4月7日前")
    expect(applicant.locator("#documents")).to_contain_text("政府信息公开申请接收回执")
    shot(applicant, "portal-06-registered")

    # 5. Assigned on the case page the confirmation opened; on Tuesday the officer asks for a correction.
    open_action(clerk, "assign")
    clerk.select_option("#f-assign-assignee_id", str(web.staff.officer.id))
    clerk.click("#action-assign button[type=submit]")
    expect(clerk.locator("#case-state")).to_have_text("办理中")
    case_url = clerk.url
    web.clock.set(local_dt(2026, 3, 10, 10))
    officer = login(new_context(), live, "officer")
    officer.goto(case_url)
    open_action(officer, "request_correction")
    officer.fill("#f-request_correction-items", "请写明所需实施方案所属的小区名称")
    officer.click("#action-request_correction button[type=submit]")
    expect(officer.locator("#case-state")).to_have_text("待申请人补正")
    deliver(live, port)
    assert "补正告知书" in str(sink.messages[-1]["Subject"])

    # 6. Wednesday night the applicant uploads the correction; the case waits for the clerk.
    web.clock.set(local_dt(2026, 3, 11, 22))
    lookup(applicant, base, "依申〔2026〕0001号", code)
    expect(applicant.locator("#correction-items")).to_contain_text("小区名称")
    applicant.fill("#f-note", "所需为幸福里小区的实施方案")
    corr = tmp_path / "补正说明.pdf"
    corr.write_bytes(PDF + b"% correction\n")
    applicant.set_input_files("#f-attachments", str(corr))
    applicant.click("#upload-section button[type=submit]")
    expect(applicant.locator("#lookup-message")).to_contain_text("补正材料已提交")
    expect(applicant.locator("#my-uploads")).to_contain_text("补正说明.pdf")
    shot(applicant, "portal-07-correction-uploaded")

    # 7. Thursday the clerk records it: received today, the reply period restarts from today.
    web.clock.set(local_dt(2026, 3, 12, 9))
    clerk = login(new_context(), live, "front")
    clerk.goto(live.url + "/frontdesk/online")
    corr_item = clerk.locator("#corrections .queue-item", has_text="依申〔2026〕0001号")
    expect(corr_item).to_contain_text("补正说明.pdf")
    shot(clerk, "portal-08-correction-queue")
    corr_item.locator("button").click()
    expect(clerk.locator(".flash.ok")).to_contain_text("已登记收到补正材料")
    new_due = cal.add_workdays_date(date(2026, 3, 12), 20)

    # 8. The officer replies; the applicant downloads the reply.
    web.clock.set(local_dt(2026, 3, 20, 15))
    officer = login(new_context(), live, "officer")
    officer.goto(case_url)
    def reply() -> None:
        open_action(officer, "reply")
        officer.select_option("#f-reply-category", "disclose")
        officer.select_option("#f-reply-reason", "provided")
        officer.fill("#f-reply-documents", "幸福里小区老旧小区改造实施方案")
        officer.click("#action-reply button[type=submit]")

    reply()  # the applicant asked for it online: a reply saying so must carry the information
    expect(officer.locator("#actions .flash.error")).to_contain_text("请先上传“答复提供的政府信息”文件")
    expect(officer.locator("#case-state")).to_have_text("办理中")
    plan = tmp_path / "改造实施方案.pdf"
    plan.write_bytes(PDF)
    officer.select_option("#f-upload-category", "reply_info")
    officer.set_input_files("#f-upload-file", str(plan))
    officer.click("#upload button[type=submit]")
    reply()
    expect(officer.locator("#case-state")).to_have_text("已答复")
    deliver(live, port)
    assert "答复书" in str(sink.messages[-1]["Subject"])
    lookup(applicant, base, "依申〔2026〕0001号", code)
    expect(applicant.locator("#state-text")).to_have_text("已作出答复，请查收答复书。")
    expect(applicant.locator("#receipt-date")).to_have_text("2026年3月9日")
    shot(applicant, "portal-09-replied")
    reply_item = applicant.locator("#documents li", has_text="答复书")
    with applicant.expect_download() as dl:
        reply_item.locator("button").click()
    reply_path = ARTIFACTS / "downloads" / dl.value.suggested_filename
    dl.value.save_as(reply_path)
    assert reply_path.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", str(reply_path), "-"], capture_output=True, text=True, check=False).stdout
    if text:
        assert "幸福里小区老旧小区改造实施方案" in text

    # The deadlines on record: receipt = confirmation date; the reply clock restarted on the correction day.
    with read_session(web.db.engine) as s:
        from db.models import Clock, Disclosure

        row = s.exec(select(Disclosure)).one()
        assert row.receipt_date == date(2026, 3, 9) and row.confirmed_at == monday
        assert row.base_date == date(2026, 3, 12)
        reply_clock = s.exec(select(Clock).where(Clock.case_id == row.id, Clock.kind == "reply")).one()
        assert reply_clock.due_date == new_due and reply_clock.status == "met"
