"""Every date a notice states comes from the clock it describes (issue 19 item 3), and its wording says how that
clock was counted: the correction period from the notice's issue (条例第三十条), the consultation period from the
consultee's receipt or, while unknown, from dispatch (第三十二条), the applicant's consultation notice with the
paused reply deadline (第三十三条第三款), the fee period from the day after the notice (收费办法第九条)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from db.engine import read_session
from db.models import Clock, Outbox
from notifications.render import render
from states.formats import cn_date
from tests.helpers import make_staff, registration
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.timesource import local_dt


def _case(db: Any, clock: Any) -> tuple[Any, int]:
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)), staff.front,
                    clock.now())
    return staff, r.id


def _due(db: Any, case_id: int, kind: str) -> date:
    with read_session(db.engine) as s:
        rows = s.exec(select(Clock).where(Clock.case_kind == "disclosure", Clock.case_id == case_id,
                                          Clock.kind == kind)).all()
    due = max(rows, key=lambda c: c.cycle).due_date
    assert due is not None
    return due


def _text(db: Any, case_id: int, notice_type: str) -> tuple[dict[str, Any], str]:
    with read_session(db.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.case_id == case_id, Outbox.notice_type == notice_type)).one()
    return row.context["notice"], render(notice_type, row.context, "txt", settings=db.settings).content.decode()


def test_correction_notice_states_the_correction_clock_counted_from_issue(db, clock) -> None:
    staff, case_id = _case(db, clock)
    clock.set(local_dt(2026, 3, 3, 10))
    wf.act(db.engine, case_id, "request_correction", {"items": ["请写明文件名称"]}, staff.officer, clock.now())
    due = _due(db, case_id, "correction_period")
    notice, text = _text(db, case_id, "disclosure.correction_notice")
    assert notice["last_date"] == due.isoformat() == "2026-03-24"  # 3 March + 15 working days
    assert f"自本告知书发出之日起15个工作日内（即{cn_date(due)}前）" in text
    assert "自收到本告知书之日起" not in text


def test_consultation_letters_state_the_consultation_clock_and_the_applicant_the_reply_clock(db, clock) -> None:
    staff, case_id = _case(db, clock)
    clock.set(local_dt(2026, 3, 5, 10))
    wf.act(db.engine, case_id, "start_consultation",
           {"consultee_kind": "third_party", "consultee_name": "某建设有限公司", "interest": "含该公司报价"},
           staff.officer, clock.now())
    consultation, reply = _due(db, case_id, "consultation"), _due(db, case_id, "reply")
    assert consultation != reply
    notice, text = _text(db, case_id, "disclosure.consultation_third_party")
    assert notice["last_date"] == consultation.isoformat()
    assert f"（自本征求意见书发出之日起计算，为{cn_date(consultation)}前）" in text
    notice, text = _text(db, case_id, "disclosure.consultation_applicant_notice")
    assert notice["expected_date"] == reply.isoformat()  # the reply deadline, not the consultation's
    assert f"最迟于{cn_date(reply)}前答复" in text and cn_date(consultation) not in text


def test_a_known_receipt_of_the_consultation_letter_is_the_base_it_states(db, clock) -> None:
    staff, case_id = _case(db, clock)
    clock.set(local_dt(2026, 3, 9, 10))
    wf.act(db.engine, case_id, "start_consultation",
           {"consultee_kind": "third_party", "consultee_name": "某建设有限公司", "interest": "含该公司报价",
            "sent_date": "2026-03-04", "consultee_received_date": "2026-03-06"}, staff.officer, clock.now())
    due = _due(db, case_id, "consultation")
    notice, text = _text(db, case_id, "disclosure.consultation_third_party")
    assert notice["last_date"] == due.isoformat() == "2026-03-27"  # 6 March + 15 working days
    assert f"收到本征求意见书之日（2026年3月6日）起15个工作日内，即{cn_date(due)}前" in text


def test_fee_notice_states_the_payment_clock_counted_from_the_next_day(db, clock) -> None:
    staff, case_id = _case(db, clock)
    clock.set(local_dt(2026, 3, 10, 10))
    wf.act(db.engine, case_id, "send_fee_notice", {"method": "page", "quantity": 120}, staff.officer, clock.now())
    due = _due(db, case_id, "fee_payment")
    notice, text = _text(db, case_id, "disclosure.fee_notice")
    assert notice["last_date"] == due.isoformat() == "2026-04-08"  # 20 working days; 清明 4–6 April
    assert f"请您于{cn_date(due)}前缴纳（自本通知书发出之日的次日起20个工作日内）" in text
