"""条例第三十二条 both ways: information a third party objected to is withheld because of the objection (no
notice to the third party, no "决定公开的理由"), or disclosed over it (the notice, with the reason)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from db.engine import read_session
from db.models import Outbox
from notifications.render import render
from tests.helpers import make_staff, registration
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.errors import DomainValidation
from workflow.timesource import local_dt


def _objected_case(db: Any, clock: Any) -> tuple[Any, int]:
    staff = make_staff(db.engine, clock.now())
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
