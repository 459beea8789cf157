"""What may still happen once a period has run out (条例第三十条、第三十二条、第三十三条、第三十五条; 国办函〔2020〕109号), on
SQLite and PostgreSQL. Received Monday 2 March 2026: reply due 30 March; a correction notice on 4 March gives the
applicant 15 working days, to 25 March.

- the fee notice and 第三十五条's delayed period belong to the reply period: refused once it has run out, whatever
  day they are recorded (they would pause or replace a deadline already passed);
- a consultation begun after it may still be needed (第三十二条) but does not revive it: the reply clock is not paused
  and the applicant is not told the time is left out;
- a correction received after the applicant's period needs the applicant's good reason (无正当理由逾期不补正的，
  视为放弃申请); one sent through the portal within the period was supplied in time whenever a clerk records it, and
  the case does not lapse meanwhile;
- a corrected application received on a rest day counts from the next working day, as the application does;
- deadline explanations call a period the agency sets 期限, not 法定期限; a refusal names the action in Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import Outbox
from tests.helpers import clock_due, detail, make_staff, registration
from web.pages.timeline import event_lines
from workflow.accounts.principal import system
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.errors import DomainValidation, InvalidTransition
from workflow.portal.submissions import applicant_upload
from workflow.timesource import local_dt

REASON = "纸质台账补录"


def _case(db: Any, staff: Any, clock: Any) -> Any:
    data = registration(received_at=local_dt(2026, 3, 2, 9, 30).isoformat(), assignee_id=staff.officer.id)
    return wf.register(db.engine, RegisterIn.model_validate(data), staff.front, clock.now())


def _guard_refusal(fn: Any) -> str:
    with pytest.raises((DomainValidation, InvalidTransition)) as e:
        fn()
    err = e.value
    return err.fields[0]["message"] if isinstance(err, DomainValidation) else err.message


def test_fee_notice_and_delay_after_the_reply_period_are_refused(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = _case(db, staff, clock)
    clock.set(local_dt(2026, 4, 1, 10))  # two days after the reply period ended
    msg = _guard_refusal(lambda: wf.act(db.engine, r.id, "send_fee_notice", {"method": "page", "quantity": 120},
                                        staff.officer, clock.now()))
    assert "收费通知应当在答复期限内发出" in msg and "3月30日届满" in msg, msg
    # recorded later as of a day inside the period, it goes through
    wf.act(db.engine, r.id, "send_fee_notice", {"method": "page", "quantity": 120, "notice_date": "2026-03-27"},
           staff.officer, clock.now(), effective_at=local_dt(2026, 3, 27, 10), backfill_reason=REASON)
    assert clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) != "2026-03-30"  # paused in time


def test_delay_after_the_reply_period_is_refused(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = _case(db, staff, clock)
    clock.set(local_dt(2026, 3, 3, 10))
    wf.act(db.engine, r.id, "request_reasons", {"facts": "一年内就同一事项申请三十次", "period_days": 5}, staff.officer,
           clock.now())
    wf.act(db.engine, r.id, "record_reasons", {"reasons": "研究需要", "assessment": "reasonable"}, staff.officer,
           clock.now())
    clock.set(local_dt(2026, 4, 1, 10))
    msg = _guard_refusal(lambda: wf.act(db.engine, r.id, "set_delay", {"days": 10, "reason": "数量大"}, staff.leader,
                                        clock.now()))
    assert "延迟答复期限应当在答复期限届满前确定" in msg, msg


def test_consultation_after_the_reply_period_does_not_revive_it(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = _case(db, staff, clock)
    clock.set(local_dt(2026, 4, 1, 10))
    wf.act(db.engine, r.id, "start_consultation", {"consultee_kind": "third_party", "consultee_name": "某公司",
                                                          "interest": "涉及该公司的商业秘密"},
           staff.officer, clock.now())
    assert clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) == "2026-03-30"  # still overdue
    with read_session(db.engine) as s:
        note = s.exec(select(Outbox).where(Outbox.case_id == r.id, Outbox.notice_type
                                           == "disclosure.consultation_applicant_notice")).one()
    assert note.context["notice"]["reply_paused"] is False and note.context["notice"]["expected_date"] is None
    wf.act(db.engine, r.id, "record_opinion", {"opinion": "agree"}, staff.officer, clock.now())
    assert clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) == "2026-03-30"


def _awaiting_correction(db: Any, staff: Any, clock: Any) -> Any:
    r = _case(db, staff, clock)
    clock.set(local_dt(2026, 3, 4, 10))
    wf.act(db.engine, r.id, "request_correction", {"items": ["请写明文号"]}, staff.officer, clock.now())
    assert clock_due(db.engine, r.id, "correction_period", clock.now(), staff.officer) == "2026-03-25"
    return r


def test_a_late_correction_needs_the_applicants_good_reason(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = _awaiting_correction(db, staff, clock)
    clock.set(local_dt(2026, 3, 27, 10))
    with pytest.raises(DomainValidation) as e:
        wf.act(db.engine, r.id, "receive_correction", {}, staff.front, clock.now())
    f = e.value.fields[0]
    assert f["field"] == "late_reason" and "补正期限已于3月25日届满" in f["message"] and "正当理由" in f["message"]
    wf.act(db.engine, r.id, "receive_correction", {"late_reason": "申请人住院，提供了住院证明"}, staff.front, clock.now())
    assert clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) == "2026-04-27"  # 20 WD from 3/27


def test_a_correction_sent_online_in_time_does_not_lapse(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = _awaiting_correction(db, staff, clock)
    applicant_upload(db.engine, r.tracking_no, r.query_code, [], "已补充文号：某政发〔2025〕3号",
                     now=local_dt(2026, 3, 25, 22), settings=db.settings)
    clock.set(local_dt(2026, 3, 26, 2))  # the lapse sweep's night: not abandoned
    msg = _guard_refusal(lambda: wf.act(db.engine, r.id, "lapse_correction", {}, system(staff.agency_id),
                                        clock.now()))
    assert "3月25日（补正期限内）通过网上提交补正材料" in msg, msg
    clock.set(local_dt(2026, 3, 26, 9))  # the clerk records it the next morning: no reason needed
    wf.act(db.engine, r.id, "receive_correction", {}, staff.front, clock.now())
    assert clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) == "2026-04-24"


def test_a_corrected_application_received_on_a_rest_day(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = _awaiting_correction(db, staff, clock)
    clock.set(local_dt(2026, 3, 16, 9))
    wf.act(db.engine, r.id, "receive_correction", {"received_date": "2026-03-14"}, staff.front, clock.now())
    # Saturday 14 March → counted from Monday 16 March, as an application received that day would be
    assert clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) == "2026-04-14"
    reply = next(c for c in detail(db.engine, r.id, staff.officer, clock.now())["clocks"] if c["kind"] == "reply")
    assert any("2026-03-14为休息日，顺延至下一工作日" in line for line in reply["explanation"]), reply["explanation"]


def test_explanations_name_the_agencys_periods_and_refusals_the_action(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = _awaiting_correction(db, staff, clock)
    clocks = {c["kind"]: c for c in detail(db.engine, r.id, staff.officer, clock.now())["clocks"]}
    assert "法定期限 20 个工作日" in clocks["reply"]["explanation"]
    assert "期限 15 个工作日" in clocks["correction_period"]["explanation"]
    assert not any("法定期限" in line for line in clocks["correction_period"]["explanation"])
    with pytest.raises(InvalidTransition) as e:
        wf.act(db.engine, r.id, "reply", {"category": "disclose", "reason": "provided"}, staff.officer, clock.now())
    assert e.value.message == "当前状态下不能执行此操作（作出答复）"


def test_what_decided_a_late_step_reads_in_the_record(db, clock) -> None:
    """The record of steps says why a late step went as it did: the applicant's good reason, the day the correction
    came through the portal, the reply period a late consultation did not pause."""
    staff = make_staff(db.engine, clock.now())
    r = _awaiting_correction(db, staff, clock)
    clock.set(local_dt(2026, 3, 27, 10))
    wf.act(db.engine, r.id, "receive_correction", {"late_reason": "申请人住院"}, staff.front, clock.now())
    clock.set(local_dt(2026, 4, 28, 10))
    wf.act(db.engine, r.id, "start_consultation", {"consultee_kind": "third_party", "consultee_name": "某公司",
                                                   "interest": "涉及该公司的商业秘密"}, staff.officer, clock.now())
    lines = [line for e in detail(db.engine, r.id, staff.officer, clock.now())["events"]
             for line in event_lines(e["payload"])]
    assert "逾期补正的正当理由：申请人住院" in lines, lines
    assert any(line.startswith("答复计时：答复期限已于2026-04-27届满") for line in lines), lines
