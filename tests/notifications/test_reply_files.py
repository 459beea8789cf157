"""A reply by email delivers the information (条例第四十条): the files marked for the applicant arrive attached,
byte for byte, at a real SMTP server; past the agency's size limit the reply gives a dated download link."""

from __future__ import annotations

import hashlib
import os
from datetime import date

import pytest
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Agency, Outbox
from notifications.outbox import deliver_due
from notifications.render import render
from settings import get_settings
from tests.helpers import make_staff, registration
from workflow.cases.attachments import attach_to_disclosure
from workflow.disclosure import actions as wf
from workflow.disclosure.download_links import link_valid
from workflow.disclosure.payloads import RegisterIn
from workflow.errors import DomainValidation
from workflow.timesource import local_dt

PDF = b"%PDF-1.4\n" + os.urandom(3000) + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(2000)


def _settings(db, **agency: object) -> None:
    with write_session(db.engine) as s:
        row = s.exec(select(Agency).order_by(col(Agency.id))).first()
        assert row is not None
        row.settings = {**row.settings, "phone": "0878-3120000", "address": "某县人民路1号", "postal_code": "675000",
                        "reconsideration_organ": "某县人民政府", "lookup_url": "https://gk.example.gov.cn/chaxun",
                        **agency}
        s.add(row)
        s.commit()
    from workflow.agencies.cache import invalidate
    invalidate()


def _replied_case(db, clock) -> int:
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id,
                                                                      obtain_way="email")), staff.front, clock.now())
    for name, data in (("征收补偿安置方案.pdf", PDF), ("补偿费用汇总表（扫描件）.png", PNG)):
        attach_to_disclosure(db.engine, r.id, data=data, filename=name, category="reply_info", actor=staff.officer,
                             now=clock.now(), settings=db.settings)
    attach_to_disclosure(db.engine, r.id, data=PDF + b"x", filename="内部审批单.pdf", category="other",
                         actor=staff.officer, now=clock.now(), settings=db.settings)
    wf.act(db.engine, r.id, "reply", {"category": "disclose", "reason": "provided",
                                      "documents": ["征收补偿安置方案", "补偿费用汇总表"]}, staff.officer, clock.now())
    return r.id


def _reply_row(db, case_id: int) -> Outbox:
    with read_session(db.engine) as s:
        return s.exec(select(Outbox).where(Outbox.case_id == case_id, Outbox.notice_type == "disclosure.reply")).one()


@pytest.mark.smtp
def test_reply_email_carries_the_provided_files_byte_identical(db, clock, smtp_sink) -> None:
    sink, port = smtp_sink
    _settings(db)
    case_id = _replied_case(db, clock)
    settings = db.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                              "mail_from": "gongkai@example.gov.cn"})
    stats = deliver_due(db.engine, clock.now(), instance="test", settings=settings)
    assert stats.dead == 0
    reply = next(m for m in sink.messages if "答复书" in str(m["Subject"]))
    parts = {p.get_filename(): p.get_payload(decode=True) for p in reply.iter_attachments()}
    assert parts["征收补偿安置方案.pdf"] == PDF
    assert parts["补偿费用汇总表（扫描件）.png"] == PNG
    assert hashlib.sha256(parts["征收补偿安置方案.pdf"]).hexdigest() == hashlib.sha256(PDF).hexdigest()
    assert "内部审批单.pdf" not in parts  # not marked for the applicant
    assert any(name.startswith("政府信息公开申请答复书") and name.endswith(".pdf") for name in parts)
    text = render("disclosure.reply", _reply_row(db, case_id).context, "txt", settings=settings).content.decode()
    assert "作为本答复书的附件随电子邮件一并发送：征收补偿安置方案.pdf、补偿费用汇总表（扫描件）.png。" in text


def test_past_the_size_limit_the_reply_gives_a_dated_download_link(db, clock) -> None:
    _settings(db, mail_files_limit_mb=0, download_link_days=30)
    case_id = _replied_case(db, clock)
    ctx = _reply_row(db, case_id).context
    link = ctx["notice"]["provided"]["link"]
    assert "files" not in ctx["notice"]["provided"]
    text = render("disclosure.reply", ctx, "txt", settings=db.settings).content.decode()
    until = date.fromisoformat(link["until"])
    assert f"请于{until.year}年{until.month}月{until.day}日前通过以下链接下载" in text
    assert link["url"].startswith("https://gk.example.gov.cn/gongkai/") and link["url"] in text
    token = link["url"].rsplit("/", 1)[1]
    assert link_valid(case_id, until, token, until)
    assert not link_valid(case_id, until, token, date.fromordinal(until.toordinal() + 1))
    assert not link_valid(case_id + 1, until, token, until)


def test_the_download_link_is_on_this_servers_public_address(db, clock, monkeypatch) -> None:
    """The link is served by this server: with its public address set, the link is there — not at the host of the
    agency's own look-up address, which may be another site."""
    monkeypatch.setenv("BANLI_PUBLIC_URL", "https://banli.example.gov.cn/")
    get_settings.cache_clear()
    try:
        _settings(db, mail_files_limit_mb=0, download_link_days=30)
        case_id = _replied_case(db, clock)
        link = _reply_row(db, case_id).context["notice"]["provided"]["link"]
    finally:
        monkeypatch.delenv("BANLI_PUBLIC_URL")
        get_settings.cache_clear()
    assert link["url"].startswith("https://banli.example.gov.cn/gongkai/")


@pytest.mark.parametrize("way", ["email", "online"])
def test_a_reply_saying_the_information_comes_electronically_must_carry_it(db, clock, way: str) -> None:
    """条例第三十六条第（二）项: a reply that gives the information by e-mail (or for download) says it comes with it —
    without a file marked 答复提供的政府信息 it is refused (the whole request; said above the form) and nothing is written; with one it goes;
    a reply back-filled (补录: the information went out on the day, outside the system) is recorded as it was."""
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id, obtain_way=way)),
                    staff.front, clock.now())
    body = {"category": "partial", "reason": "partial", "documents": ["出让公告"],
            "detail": {"withheld_reason": "附件中的身份证号码属于个人隐私"}}
    with pytest.raises(DomainValidation) as e:
        wf.act(db.engine, r.id, "reply", body, staff.officer, clock.now())
    f = e.value.fields[0]
    assert f["field"] == "" and "请先上传“答复提供的政府信息”文件" in f["message"], f
    with read_session(db.engine) as s:
        assert s.exec(select(Outbox).where(Outbox.case_id == r.id, Outbox.notice_type == "disclosure.reply")).first() \
            is None
    attach_to_disclosure(db.engine, r.id, data=PDF, filename="出让公告.pdf", category="reply_info",
                         actor=staff.officer, now=clock.now(), settings=db.settings)
    wf.act(db.engine, r.id, "reply", body, staff.officer, clock.now())
    other = wf.register(db.engine, RegisterIn.model_validate(registration(
        obtain_way=way, received_at="2026-02-02T09:30:00+08:00", backfill_reason="纸质台账补录")), staff.front,
        clock.now())
    wf.act(db.engine, other.id, "assign", {"assignee_id": staff.officer.id}, staff.front, clock.now(),
           effective_at=local_dt(2026, 2, 3, 10), backfill_reason="纸质台账补录")
    wf.act(db.engine, other.id, "reply", body, staff.officer, clock.now(),
           effective_at=local_dt(2026, 2, 27, 10), backfill_reason="纸质台账补录")
