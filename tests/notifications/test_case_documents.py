"""Documents that join a case: the stored receipt (reprinted with its query code), the 登记表 of an oral
application for the applicant to sign (条例第二十九条), and the 送达回证 of a reply handed over or posted."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from db.engine import read_session
from db.models import Agency, Outbox, StoredFile
from notifications.files import read_file
from notifications.lint_layout import pdf_pages
from notifications.outbox import SCRUBBED, deliver_due
from notifications.render import render
from settings import Settings, get_settings
from tests.helpers import make_staff, registration, uscc
from tests.hotline_helpers import act, new_order
from workflow.agencies.config import AgencyConfig
from workflow.disclosure import actions as wf
from workflow.disclosure.context import agency_snapshot
from workflow.disclosure.payloads import RegisterIn
from workflow.portal.urls import portal_lookup_url

COUNTER = {"email": "", "obtain_way": "collect", "form_wanted": "paper"}  # at the counter, no email


def _pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "d.pdf"
        src.write_bytes(data)
        return subprocess.run(["pdftotext", str(src), "-"], capture_output=True, text=True, check=True).stdout


def _files(db, case_id: int) -> list[StoredFile]:
    with read_session(db.engine) as s:
        return list(s.exec(select(StoredFile).where(StoredFile.case_id == case_id).order_by(col(StoredFile.id))).all())


def _outbox(db, case_id: int) -> list[Outbox]:
    with read_session(db.engine) as s:
        return list(s.exec(select(Outbox).where(Outbox.case_id == case_id).order_by(col(Outbox.id))).all())


def test_receipt_is_stored_with_its_query_code_and_the_outbox_forgets_the_code(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(**COUNTER)), staff.front, clock.now())
    deliver_due(db.engine, clock.now(), instance="test", settings=db.settings)
    deliver_due(db.engine, clock.now(), instance="test", settings=db.settings)  # a second run stores nothing twice
    receipts = [f for f in _files(db, r.id) if f.notice_type == "disclosure.receipt"]
    assert sorted(f.filename.rsplit(".", 1)[1] for f in receipts) == ["docx", "pdf"]
    pdf = next(f for f in receipts if f.filename.endswith(".pdf"))
    text = _pdf_text(read_file(pdf, db.settings.files_path))
    assert r.query_code in text.replace(" ", "") and r.tracking_no in text.replace(" ", "")
    assert pdf.for_applicant
    row = next(o for o in _outbox(db, r.id) if o.notice_type == "disclosure.receipt")
    assert row.context["notice"]["query_code"] == SCRUBBED


def test_oral_application_prints_a_registration_form_for_the_applicant_to_sign(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(oral=True, **COUNTER)), staff.front,
                    clock.now())
    form = next(o for o in _outbox(db, r.id) if o.notice_type == "disclosure.registration_form")
    assert form.channel == "print"
    text = render("disclosure.registration_form", form.context, "txt", settings=db.settings).content.decode()
    assert "申请人签名" in text and "代为填写" in text and "第二十九条" in text
    plain = wf.register(db.engine, RegisterIn.model_validate(registration(**COUNTER)), staff.front, clock.now())
    assert "disclosure.registration_form" not in [o.notice_type for o in _outbox(db, plain.id)]


def test_a_reply_handed_over_or_posted_comes_with_a_delivery_slip(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    for over, method, slips in ((COUNTER, "直接送达", 1), ({"obtain_way": "post"}, "邮寄送达", 1),
                                ({"obtain_way": "email"}, None, 0)):
        r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id, **over)),
                        staff.front, clock.now())
        wf.act(db.engine, r.id, "reply", {"category": "unavailable", "reason": "not_held"}, staff.officer, clock.now())
        found = [o for o in _outbox(db, r.id) if o.notice_type == "disclosure.delivery_record"]
        assert len(found) == slips
        if found:
            ctx = found[0].context
            assert ctx["notice"]["method_label"] == method and ctx["notice"]["document_no"]
            text = render("disclosure.delivery_record", ctx, "txt", settings=db.settings).content.decode()
            assert "签收人" in text and "政府信息公开申请答复书" in text


def test_the_caller_text_of_a_replied_order_reads_plainly(db, clock) -> None:
    """Issue 19 item 4: the text told back to a 12345 caller has no "来电人反映" (nor "某某反映：") and no
    redundant "办理结果：已办理"; the caller's name is masked."""
    staff = make_staff(db.engine, clock.now())
    oid = new_order(db.engine, staff.front, clock.now(), caller_name="李桂兰",
                    content="来电人反映：鹿城镇滨江路工地夜间施工噪音扰民，凌晨仍在作业。")
    act(db.engine, oid, "sign_for", staff.front, clock.now())
    act(db.engine, oid, "assign", staff.front, clock.now(), assignee_id=staff.officer.id)
    act(db.engine, oid, "reply", staff.officer, clock.now(), result_text="已协调施工单位停止夜间作业。")
    with read_session(db.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.case_kind == "workorder", Outbox.case_id == oid,
                                          Outbox.notice_type == "workorder.caller_text")).one()
    text = render("workorder.caller_text", row.context, "txt", settings=db.settings).content.decode()
    assert "李**您好" in text and "李桂兰" not in text
    assert "反映的“鹿城镇滨江路工地夜间施工噪音扰民" in text and "来电人反映" not in text
    assert "已办理。办理情况：已协调施工单位停止夜间作业。" in text and "办理结果：已办理" not in text
    assert "。。" not in text and "。”" not in text


def _pdf_lines(data: bytes) -> list[str]:
    """The printed lines of every page (poppler's layout), spaces dropped."""
    return [ln.text.replace(" ", "") for page in pdf_pages(data) for ln in page.lines]


def test_a_filled_in_posted_delivery_slip_keeps_its_values_whole_and_dates_the_signature(db, clock) -> None:
    """Findings h2 #5: a long EMS number squeezed the value columns to a character or two per line (冯十/二,
    2026/年11/月23/日), and the 签收日期 of a posted reply stayed blank although the slip's own note makes the
    signing date the delivery date."""
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id,
                                                                      obtain_way="post")), staff.front, clock.now())
    wf.act(db.engine, r.id, "reply", {"category": "unavailable", "reason": "not_held"}, staff.officer, clock.now())
    day = clock.now().date()
    wf.act(db.engine, r.id, "deliver", {"method": "post", "tracking_no": "EMS1234567890123",
                                        "delivered_date": day.isoformat(), "signer": "冯十二"},
           staff.officer, clock.now())
    slips = [o for o in _outbox(db, r.id) if o.notice_type == "disclosure.delivery_record"]
    assert [o.context["notice"].get("signed_date", "") for o in slips] == ["", day.isoformat()]
    deliver_due(db.engine, clock.now(), instance="test", settings=db.settings)
    pdfs = [f for f in _files(db, r.id) if f.notice_type == "disclosure.delivery_record" and f.filename.endswith(".pdf")]
    lines = _pdf_lines(read_file(pdfs[-1], db.settings.files_path))
    on_a_line = "\n".join(lines)
    cn_day = f"{day.year}年{day.month}月{day.day}日"
    for value in ("送达文书", "邮寄送达", "EMS1234567890123", "冯十二", staff.officer.label, r.tracking_no):
        assert value in on_a_line, (value, lines)
    assert on_a_line.count(cn_day) >= 3, lines  # 送达日期, 签收日期 and the date under the signature
    assert "年月日" not in on_a_line  # no blank date left for the pen


def test_a_slip_for_email_delivery_leaves_the_signature_date_blank(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id,
                                                                      obtain_way="email")), staff.front, clock.now())
    wf.act(db.engine, r.id, "reply", {"category": "unavailable", "reason": "not_held"}, staff.officer, clock.now())
    wf.act(db.engine, r.id, "deliver", {"method": "email"}, staff.officer, clock.now())
    (slip,) = [o for o in _outbox(db, r.id) if o.notice_type == "disclosure.delivery_record"]
    assert slip.context["notice"]["signed_date"] == "" and slip.context["notice"]["signer"] == ""


def test_the_registration_form_of_an_oral_application_starts_under_its_title_and_keeps_values_whole(db, clock) -> None:
    """Findings h2 #6: page 1 held only "政府信息公开申请登记表" (the form, taller than a page, was not allowed to
    break), the title did not name the agency, and narrow columns wrapped short values (依申〔2026〕/0029号,
    法人或者其他组/织, 2026年12月4日 15时00/分)."""
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(
        oral=True, applicant_type="organization", applicant_category="public_welfare",
        applicant_name="临江县绿水环保协会", contact_person="黄丽", id_type="uscc", id_number=uscc(),
        document_ref="临自然资预〔2025〕8号", purpose="开展环境公益监督", received_at="2026-02-27T15:00:00+08:00",
        **COUNTER)), staff.front, clock.now())
    deliver_due(db.engine, clock.now(), instance="test", settings=db.settings)
    (form,) = [o for o in _outbox(db, r.id) if o.notice_type == "disclosure.registration_form"]
    agency = form.context["agency"]["name"]
    (pdf,) = [f for f in _files(db, r.id) if f.notice_type == "disclosure.registration_form"
              and f.filename.endswith(".pdf")]
    pages = [[ln.text.replace(" ", "") for ln in page.lines] for page in pdf_pages(read_file(pdf, db.settings.files_path))]
    assert pages[0][0] == f"{agency}政府信息公开申请登记表"
    assert any(r.tracking_no in ln for ln in pages[0]), pages[0]  # the form starts under its title
    lines = "\n".join(ln for page in pages for ln in page)
    for value in (r.tracking_no, "法人或者其他组织", "统一社会信用代码", form.context["case"]["applicant"]["id_number"],
                  "2026年2月27日15时00分", "临自然资预〔2025〕8号", "申请人签名", "代填人签名"):
        assert value in lines, (value, lines)
    for page in pages:  # a section's heading row is never the last row of a page
        body = [ln for ln in page if not ln.startswith("—")]
        assert body[-1] not in ("申请人信息（《条例》第二十九条）", "申请内容", "接收情况（《条例》第三十一条）", "办理安排"), page


@pytest.fixture
def public_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("BANLI_PUBLIC_URL", "https://gk.example.gov.cn/")
    get_settings.cache_clear()
    yield "https://gk.example.gov.cn"
    monkeypatch.delenv("BANLI_PUBLIC_URL")
    get_settings.cache_clear()


def test_receipt_names_the_servers_look_up_page_when_the_agency_sets_none(db, clock, public_url) -> None:
    """Findings h2 #8: with no 查询网址 set, notices sent the applicant to "本机关网站" with no address; the server's
    own look-up page (the agency's portal, as the front desk's page shows) is named instead."""
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(**COUNTER)), staff.front, clock.now())
    (row,) = [o for o in _outbox(db, r.id) if o.notice_type == "disclosure.receipt"]
    page = f"{public_url}/gongkai/{row.context['agency']['code']}/chaxun"
    assert row.context["agency"]["lookup_url"] == page
    text = render("disclosure.receipt", row.context, "txt", settings=db.settings).content.decode()
    assert f"请登录{page}，凭登记编号和查询码查询" in text
    online_ctx = {**row.context, "case": {**row.context["case"], "submission_no": "网申2026000001"},
                  "notice": {"confirmed_date": "2026-03-02", "due_date": "2026-03-30"}}
    online = render("disclosure.online_receipt", online_ctx, "txt", settings=db.settings).content.decode()
    assert f"请登录{page}，凭登记编号（或提交编号）和查询码查询" in online and "本机关网站" not in online


def test_an_agencys_own_look_up_address_wins_and_none_is_invented() -> None:
    agency = Agency(id=1, code="lj", name="临江县自然资源局", settings={}, created_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert portal_lookup_url("lj", "https://gk.example.gov.cn/") == "https://gk.example.gov.cn/gongkai/lj/chaxun"
    assert portal_lookup_url("lj", "") == ""
    assert agency_snapshot(agency, AgencyConfig(lookup_url="https://zrzy.example.gov.cn/q"))["lookup_url"] == \
        "https://zrzy.example.gov.cn/q"
    assert agency_snapshot(agency, AgencyConfig())["lookup_url"] == portal_lookup_url("lj")
    with pytest.raises(ValueError, match="BANLI_PUBLIC_URL"):
        Settings(public_url="gk.example.gov.cn")
    assert Settings(public_url="https://gk.example.gov.cn/").public_url == "https://gk.example.gov.cn"
