"""Workflow → outbox → rendering → real SMTP: what the workflow enqueues renders and arrives intact."""

from __future__ import annotations

import email
import subprocess
import tempfile
from email import policy
from pathlib import Path

import pytest
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Agency, Disclosure, Event, Outbox, StoredFile
from notifications.files import read_file
from notifications.outbox import deliver_due
from tests.helpers import make_staff, registration
from workflow.accounts.principal import system
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.timesource import local_dt

AGENCY_SETTINGS = {"phone": "0878-3120000", "address": "某县人民路1号", "postal_code": "675000",
                   "reconsideration_organ": "某县人民政府", "litigation_court": "某县人民法院",
                   "office_name": "某县某局政府信息公开工作机构"}


def _configure_agency(db) -> None:
    with write_session(db.engine) as s:
        agency = s.exec(select(Agency).order_by(col(Agency.id))).first()
        assert agency is not None
        agency.settings = AGENCY_SETTINGS
        s.add(agency)
        s.commit()
        from workflow.agencies.cache import invalidate
        invalidate()  # settings written directly: drop the per-process agency cache


def _pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "d.pdf"
        src.write_bytes(data)
        return subprocess.run(["pdftotext", str(src), "-"], capture_output=True, text=True, check=True).stdout


def _outbox(db, case_id: int) -> list[Outbox]:
    with read_session(db.engine) as s:
        return list(s.exec(select(Outbox).where(Outbox.case_id == case_id).order_by(col(Outbox.id))).all())


@pytest.mark.smtp
def test_full_flow_emails_receipt_correction_and_reply_with_stored_attachments(db, clock, smtp_sink) -> None:
    sink, port = smtp_sink
    _configure_agency(db)
    staff = make_staff(db.engine, clock.now())
    settings = db.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                              "mail_from": "gongkai@example.gov.cn"})
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id,
                                                                      applicant_name='张三 & <李四> "引号"')),
                    staff.front, clock.now())
    clock.set(local_dt(2026, 3, 3, 10))
    wf.act(db.engine, r.id, "request_correction", {"items": ["请写明所需文件的名称或文号", "请说明时间范围"]},
           staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 5, 10))
    wf.act(db.engine, r.id, "receive_correction", {}, staff.front, clock.now())
    wf.act(db.engine, r.id, "start_consultation",
           {"consultee_kind": "third_party", "consultee_name": "某建设有限公司", "interest": "含该公司报价"},
           staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 10, 10))
    wf.act(db.engine, r.id, "record_opinion", {"opinion": "object", "opinion_text": "涉及商业秘密"}, staff.officer,
           clock.now())
    wf.act(db.engine, r.id, "reply", {"category": "partial", "reason": "partial",
                                      "detail": {"withheld_reason": "投标报价属于商业秘密（条例第十五条）"},
                                      "documents": ["招标公告", "中标结果公示"], "third_party_objection": "withheld"},
           staff.officer, clock.now())
    wf.act(db.engine, r.id, "deliver", {"method": "email"}, staff.officer, clock.now())

    stats = deliver_due(db.engine, clock.now(), instance="test", settings=settings)
    rows = _outbox(db, r.id)
    assert {o.status for o in rows} == {"sent"}, [(o.notice_type, o.status, o.last_error) for o in rows]
    assert stats.dead == 0
    types = [o.notice_type for o in rows]
    for t in ("disclosure.receipt", "disclosure.correction_notice", "disclosure.consultation_third_party",
              "disclosure.consultation_applicant_notice", "disclosure.reply", "disclosure.delivery_record",
              "internal.assigned"):
        assert t in types, t
    # the part the third party objected to is withheld: no 条例第三十二条 notice of disclosure
    assert "disclosure.disclose_despite_objection" not in types
    to_applicant = [m for m in sink.messages if m["To"].addresses[0].addr_spec == "zhangsan@example.com"]
    subjects = [str(m["Subject"]) for m in to_applicant]
    assert any("接收回执" in s for s in subjects)
    assert any("补正告知书" in s for s in subjects)
    reply = next(m for m in to_applicant if "答复书" in str(m["Subject"]))
    assert reply["To"].addresses[0].display_name == '张三 & <李四> "引号"'
    pdfs = [p for p in reply.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdfs and "答复书" in (pdfs[0].get_filename() or "")
    with read_session(db.engine) as s:
        stored = s.exec(select(StoredFile).where(StoredFile.case_id == r.id, StoredFile.content_type ==
                                                 "application/pdf")).all()
        by_hash = {f.sha256: f for f in stored}
    import hashlib

    digest = hashlib.sha256(pdfs[0].get_content()).hexdigest()
    assert digest in by_hash and read_file(by_hash[digest], settings.files_path) == pdfs[0].get_content()
    assert by_hash[digest].for_applicant
    # nobody but the applicant got the applicant's documents; no BCC anywhere
    assert all(m["Bcc"] is None for m in sink.messages)


EARLIER_STEPS: dict[str, tuple[tuple[str, dict], ...]] = {
    "still_unclear": (("request_correction", {"items": ["请写明所需文件的名称"]}), ("receive_correction", {})),
    "excessive": (("request_reasons", {"facts": "本月已提出申请45件"}),
                  ("record_reasons", {"reasons": "了解情况", "assessment": "unreasonable"})),
}


def test_every_workflow_notice_renders_without_dead_letters(db, clock, tmp_path) -> None:
    """Fee, extension, delay, reasons, closures and the other decisions: all render (.eml backend)."""
    _configure_agency(db)
    staff = make_staff(db.engine, clock.now())
    settings = db.settings.model_copy(update={"outbox_dir": tmp_path / "eml"})

    def new(**over: object) -> int:
        return wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id, **over)),
                           staff.front, clock.now()).id

    a = new()
    wf.act(db.engine, a, "request_reasons", {"facts": "本月已提出申请45件"}, staff.officer, clock.now())
    wf.act(db.engine, a, "record_reasons", {"reasons": "研究需要", "assessment": "reasonable"}, staff.officer,
           clock.now())
    wf.act(db.engine, a, "set_delay", {"days": 30, "reason": "申请数量较大"}, staff.officer, clock.now())
    b = new()
    wf.act(db.engine, b, "send_fee_notice", {"method": "page", "quantity": 120}, staff.officer, clock.now())
    clock.set(local_dt(2026, 4, 3, 9))
    wf.act(db.engine, b, "lapse_fee", {}, system(staff.agency_id), clock.now())
    clock.set(local_dt(2026, 3, 2, 11))
    c = new()
    wf.act(db.engine, c, "request_extension", {"days": 10, "reason": "需调取档案"}, staff.officer, clock.now())
    wf.act(db.engine, c, "approve_extension", {}, staff.leader, clock.now())
    wf.act(db.engine, c, "start_consultation", {"consultee_kind": "agency", "consultee_name": "某县财政局"},
           staff.officer, clock.now())
    d = new()
    wf.act(db.engine, d, "withdraw", {"reason": "书面撤回"}, staff.front, clock.now())
    e = new()
    wf.act(db.engine, e, "request_correction", {"items": ["请补充身份证明"]}, staff.officer, clock.now())
    clock.set(local_dt(2026, 4, 1, 9))
    wf.act(db.engine, e, "lapse_correction", {}, system(staff.agency_id), clock.now())
    from states.decisions import REASONS, SYSTEM_REASONS

    details = {"published_where": "本局门户网站", "withheld_reason": "商业秘密", "legal_basis": "《保守国家秘密法》",
               "special_law": "《不动产登记暂行条例》", "responsible_agency": "某县市场监管局",
               "responsible_contact": "0878-1", "channel_pointer": "12345热线", "note": "其他情形"}
    clock.set(local_dt(2026, 3, 3, 9))  # the day after receipt: a correction may still be asked for
    for reason in REASONS:
        if reason.code in SYSTEM_REASONS:
            continue
        f = new()
        for action, payload in EARLIER_STEPS.get(reason.code, ()):  # what the reason rests on (条例第三十条、第三十五条)
            wf.act(db.engine, f, action, payload, staff.officer, clock.now())
        wf.act(db.engine, f, "reply", {"category": reason.category.value, "reason": reason.code,
                                       "detail": {k: details[k] for k in reason.required}}, staff.officer,
               clock.now())
    deliver_due(db.engine, local_dt(2026, 4, 5, 9), instance="test", settings=settings)
    with read_session(db.engine) as s:
        bad = s.exec(select(Outbox).where(col(Outbox.status) != "sent")).all()
    assert not bad, [(o.notice_type, o.status, o.last_error) for o in bad]
    assert any((tmp_path / "eml").glob("*.eml"))


def test_query_code_is_kept_only_in_the_stored_receipt(db, clock, tmp_path) -> None:
    """Issue 19 item 6: the receipt is the case's document so the desk can reprint it with its query code; every
    other copy of the code (the outbox row's context, the case row, the events) is gone once it is sent."""
    _configure_agency(db)
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration()), staff.front, clock.now())
    settings = db.settings.model_copy(update={"outbox_dir": tmp_path / "eml"})
    deliver_due(db.engine, clock.now(), instance="test", settings=settings)
    msg = email.message_from_bytes(next((tmp_path / "eml").glob("*receipt*.eml")).read_bytes(), policy=policy.default)
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None and r.query_code in body.get_content()  # the applicant gets the code by email
    with read_session(db.engine) as s:
        receipt = s.exec(select(Outbox).where(Outbox.case_id == r.id,
                                              Outbox.notice_type == "disclosure.receipt")).one()
        assert receipt.status == "sent"
        assert r.query_code not in str(receipt.context)
        case = s.get(Disclosure, r.id)
        assert case is not None and r.query_code not in str(case.model_dump())
        events = s.exec(select(Event).where(Event.case_id == r.id)).all()
        assert all(r.query_code not in str(e.model_dump()) for e in events)
        others = s.exec(select(Outbox).where(Outbox.case_id == r.id, Outbox.id != receipt.id)).all()
        assert all(r.query_code not in str(o.context) for o in others)
        stored = s.exec(select(StoredFile).where(StoredFile.case_id == r.id)).all()
    assert [f.notice_type for f in stored] == ["disclosure.receipt"]  # the reprintable receipt, nothing else
    assert stored[0].filename.endswith(".pdf")
    assert r.query_code in _pdf_text(read_file(stored[0], settings.files_path))
