"""条例第三十二条 both ways: information a third party objected to is withheld because of the objection (no
notice to the third party, no "决定公开的理由"), or disclosed over it (the notice, with the reason)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from db.engine import read_session
from db.models import Disclosure, Outbox
from notifications.outbox import deliver_due
from notifications.render import render
from tests.helpers import make_staff, registration
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.errors import DomainValidation
from workflow.timesource import local_dt


def _objected_case(db: Any, clock: Any, staff: Any = None) -> tuple[Any, int]:
    staff = staff or make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)), staff.front,
                    clock.now())
    clock.set(local_dt(2026, 3, 3, 10))
    wf.act(db.engine, r.id, "start_consultation",
           {"consultee_kind": "third_party", "consultee_name": "某建设有限公司", "consultee_contact": "tp@example.com",
            "interest": "投标文件中的报价明细属于该公司的商业秘密"}, staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 10, 10))
    wf.act(db.engine, r.id, "record_opinion", {"opinion": "object", "opinion_text": "报价明细属于商业秘密。"},
           staff.officer, clock.now())
    return staff, r.id


def _notices(db: Any, case_id: int) -> list[Outbox]:
    with read_session(db.engine) as s:
        return list(s.exec(select(Outbox).where(Outbox.case_id == case_id).order_by(col(Outbox.id))).all())


def _reply(**over: Any) -> dict[str, Any]:
    return {"category": "partial", "reason": "partial",
            "detail": {"withheld": "投标报价明细", "withheld_reason": "该部分属于第三方商业秘密，依照条例第十五条不予公开"},
            "documents": ["招标公告", "中标结果公示"], **over}


def test_withheld_because_of_the_objection_sends_no_article_32_notice(db, clock) -> None:
    staff, case_id = _objected_case(db, clock)
    wf.act(db.engine, case_id, "reply", _reply(third_party_objection="withheld"), staff.officer, clock.now())
    notices = _notices(db, case_id)
    assert "disclosure.disclose_despite_objection" not in [n.notice_type for n in notices]
    reply = next(n for n in notices if n.notice_type == "disclosure.reply")
    text = render("disclosure.reply", reply.context, "txt").content.decode()
    assert "第三方不同意公开且有合理理由，本机关对此不予公开" in text
    assert "决定公开的理由" not in text and "公共利益" not in text


def test_a_reason_for_disclosure_is_refused_when_nothing_is_disclosed_over_the_objection(db, clock) -> None:
    staff, case_id = _objected_case(db, clock)
    with pytest.raises(DomainValidation) as exc:
        wf.act(db.engine, case_id, "reply", _reply(third_party_objection="withheld",
                                                   public_interest_reason="涉及公共资金使用"), staff.officer, clock.now())
    assert exc.value.fields[0]["field"] == "public_interest_reason"
    with pytest.raises(DomainValidation) as exc:  # a partial reply must say which way the objection went
        wf.act(db.engine, case_id, "reply", _reply(), staff.officer, clock.now())
    assert exc.value.fields[0]["field"] == "third_party_objection"
    with pytest.raises(DomainValidation) as exc:  # a refusal discloses nothing
        wf.act(db.engine, case_id, "reply", {"category": "refuse", "reason": "third_party",
                                             "public_interest_reason": "涉及公共资金使用"}, staff.officer, clock.now())
    assert exc.value.fields[0]["field"] == "public_interest_reason"


def test_refusal_after_objection_says_the_objection_was_upheld(db, clock) -> None:
    staff, case_id = _objected_case(db, clock)
    wf.act(db.engine, case_id, "reply", {"category": "refuse", "reason": "third_party"}, staff.officer, clock.now())
    notices = _notices(db, case_id)
    assert "disclosure.disclose_despite_objection" not in [n.notice_type for n in notices]
    reply = next(n for n in notices if n.notice_type == "disclosure.reply")
    text = render("disclosure.reply", reply.context, "txt").content.decode()
    assert "第三方不同意公开且有合理理由" in text and "第三十二条" in text


def test_disclosed_over_the_objection_tells_the_third_party_with_the_reason(db, clock) -> None:
    staff, case_id = _objected_case(db, clock)
    with pytest.raises(DomainValidation) as exc:  # 条例第三十二条: the reason is required
        wf.act(db.engine, case_id, "reply", _reply(third_party_objection="disclosed"), staff.officer, clock.now())
    assert exc.value.fields[0]["field"] == "public_interest_reason"
    reason = "该项目使用财政资金，报价明细关系公共资金使用效益，不公开可能对公共利益造成重大影响。"
    wf.act(db.engine, case_id, "reply",
           _reply(third_party_objection="disclosed", public_interest_reason=reason,
                  objected_content="中标单位投标报价明细表"), staff.officer, clock.now())
    notices = [n for n in _notices(db, case_id) if n.notice_type == "disclosure.disclose_despite_objection"]
    assert len(notices) == 1
    tp = notices[0]
    assert (tp.channel, tp.recipient, tp.recipient_name) == ("email", "tp@example.com", "某建设有限公司")
    text = render("disclosure.disclose_despite_objection", tp.context, "txt").content.decode()
    assert reason in text
    assert "决定公开的政府信息内容为：中标单位投标报价明细表。" in text
    assert "2026年3月10日提出不同意公开的意见" in text


def test_full_disclosure_over_an_objection_needs_the_reason(db, clock) -> None:
    staff, case_id = _objected_case(db, clock)
    body = {"category": "disclose", "reason": "provided", "documents": ["招标公告", "投标报价明细"]}
    with pytest.raises(DomainValidation) as exc:
        wf.act(db.engine, case_id, "reply", {**body, "third_party_objection": "withheld"}, staff.officer, clock.now())
    assert exc.value.fields[0]["code"] == "contradiction"
    with pytest.raises(DomainValidation):
        wf.act(db.engine, case_id, "reply", body, staff.officer, clock.now())
    wf.act(db.engine, case_id, "reply", {**body, "public_interest_reason": "关系公共资金使用"}, staff.officer,
           clock.now())
    assert [n.notice_type for n in _notices(db, case_id)].count("disclosure.disclose_despite_objection") == 1


def test_no_objection_needs_no_outcome(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)), staff.front,
                    clock.now())
    with pytest.raises(DomainValidation) as exc:
        wf.act(db.engine, r.id, "reply", _reply(third_party_objection="withheld"), staff.officer, clock.now())
    assert exc.value.fields[0]["code"] == "no_objection"
    wf.act(db.engine, r.id, "reply", _reply(), staff.officer, clock.now())
    assert "disclosure.disclose_despite_objection" not in [n.notice_type for n in _notices(db, r.id)]


def _text(msg: Any) -> str:
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


@pytest.mark.smtp
def test_both_directions_as_received_by_the_third_party_and_the_applicant(db, clock, smtp_sink) -> None:
    """The whole way to a real SMTP server: withheld because of the objection → the third party gets only the
    征求意见书 and the applicant's reply says the part is withheld on the objection; disclosed over it → the third
    party also gets the 第三十二条 告知书 with the reason and the content, as text and as a PDF."""
    sink, port = smtp_sink
    settings = db.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                              "mail_from": "gongkai@example.gov.cn"})
    staff, withheld = _objected_case(db, clock)
    _, disclosed = _objected_case(db, clock, staff)
    reason = "该项目使用财政资金，报价明细关系公共资金使用效益，不公开可能对公共利益造成重大影响。"
    wf.act(db.engine, withheld, "reply", _reply(third_party_objection="withheld"), staff.officer, clock.now())
    wf.act(db.engine, disclosed, "reply",
           _reply(third_party_objection="disclosed", public_interest_reason=reason,
                  objected_content="中标单位投标报价明细表", detail={"withheld": "评标专家个人信息",
                                                                     "withheld_reason": "属于个人隐私"}),
           staff.officer, clock.now())
    stats = deliver_due(db.engine, clock.now(), instance="test", settings=settings)
    assert stats.dead == 0 and stats.retried == 0

    def received(case_id: int, to: str) -> list[Any]:
        with read_session(db.engine) as s:
            tracking = s.get(Disclosure, case_id).tracking_no  # type: ignore[union-attr]
        return [m for m in sink.messages if m["To"].addresses[0].addr_spec == to and tracking in str(m["Subject"])]

    to_tp = received(withheld, "tp@example.com")
    assert [str(m["Subject"]).split("（")[0] for m in to_tp] == ["政府信息公开申请征求意见书"]
    reply = next(m for m in received(withheld, "zhangsan@example.com") if "答复书" in str(m["Subject"]))
    text = _text(reply)
    assert "第三方不同意公开且有合理理由，本机关对此不予公开" in text and "公共利益造成重大影响" not in text

    to_tp = received(disclosed, "tp@example.com")
    assert sorted(str(m["Subject"]).split("（")[0] for m in to_tp) == ["政府信息依申请公开告知书",
                                                                        "政府信息公开申请征求意见书"]
    notice = next(m for m in to_tp if "告知书" in str(m["Subject"]))
    text = _text(notice)
    assert reason in text and "本机关决定予以公开" in text
    assert "决定公开的政府信息内容为：中标单位投标报价明细表。" in text
    assert "2026年3月10日提出不同意公开的意见" in text
    assert "行政复议" in text  # a decision against the third party carries the remedy clause
    pdfs = [p for p in notice.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_payload(decode=True).startswith(b"%PDF-")
    reply = next(m for m in received(disclosed, "zhangsan@example.com") if "答复书" in str(m["Subject"]))
    assert "第三方不同意公开且有合理理由" not in _text(reply)
