"""Disclosure scenarios with real 2026 dates, on SQLite and PostgreSQL (rules.md §1, §4)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import select

from db.engine import read_session
from db.models import Disclosure, Event, Outbox
from states.calendar import WorkCalendar
from tests.helpers import clock_due, detail, make_staff, registration
from workflow.accounts.principal import system
from workflow.calendar.service import load_calendar
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.errors import DomainValidation, InvalidTransition
from workflow.timesource import local_dt


def _register(db, staff, now, **over):
    data = registration(**over)
    data.setdefault("assignee_id", staff.officer.id)
    return wf.register(db.engine, RegisterIn.model_validate(data), staff.front, now)


def _cal(db) -> WorkCalendar:
    with read_session(db.engine) as s:
        return load_calendar(s)


def test_reply_due_is_20_working_days_from_receipt(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    assert r.receipt_date == "2026-03-02"
    assert clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) == "2026-03-30"
    assert clock_due(db.engine, r.id, "correction_notice", clock.now(), staff.officer) == "2026-03-11"


def test_correction_restarts_the_20_days_from_the_corrected_application(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    clock.set(local_dt(2026, 3, 4, 10))
    res = wf.act(db.engine, r.id, "request_correction", {"items": ["请写明文件名称或文号", "请说明所需信息的时间范围"]},
                 staff.officer, clock.now())
    assert res.state == "awaiting_correction"
    assert clock_due(db.engine, r.id, "correction_period", clock.now(), staff.officer) == "2026-03-25"
    clock.set(local_dt(2026, 3, 10, 15))
    res = wf.act(db.engine, r.id, "receive_correction", {}, staff.front, clock.now())
    assert res.state == "handling"
    # 条例第三十条: the reply period runs from the corrected application (2026-03-10), across 清明 4/4–4/6.
    assert clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) == "2026-04-08"
    d = detail(db.engine, r.id, staff.officer, clock.now())
    reply = next(c for c in d["clocks"] if c["kind"] == "reply")
    assert any("补正后重新起算" in line for line in reply["explanation"])
    assert any("清明" in line for line in reply["explanation"])


def test_correction_notice_only_once_and_within_7_working_days(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    clock.set(local_dt(2026, 3, 12, 9))  # the 8th working day after 03-02
    with pytest.raises(InvalidTransition) as e:
        wf.act(db.engine, r.id, "request_correction", {"items": ["x"]}, staff.officer, clock.now())
    assert "7个工作日" in e.value.message
    assert "reply" in e.value.allowed


def test_consultation_of_n_working_days_moves_reply_deadline_by_exactly_n(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    before = date.fromisoformat(clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) or "")
    clock.set(local_dt(2026, 3, 4, 10))
    wf.act(db.engine, r.id, "start_consultation",
           {"consultee_kind": "third_party", "consultee_name": "某建设有限公司", "consultee_contact": "tp@example.com",
            "interest": "招标文件中含有该公司的投标报价等商业信息"},
           staff.officer, clock.now())
    assert clock_due(db.engine, r.id, "consultation", clock.now(), staff.officer) == "2026-03-25"
    clock.set(local_dt(2026, 3, 11, 16))
    wf.act(db.engine, r.id, "record_opinion", {"opinion": "agree"}, staff.officer, clock.now())
    after = date.fromisoformat(clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) or "")
    cal = _cal(db)
    n = cal.workdays_between(date(2026, 3, 4), date(2026, 3, 11))
    assert n == 5
    assert cal.workdays_between(before, after) == n
    assert after == date(2026, 4, 7)  # 3/31, 4/1, 4/2, 4/3, (清明 4/4–4/6), 4/7


def test_silent_agency_consultee_is_deemed_consent_and_clock_resumes_at_the_consultation_deadline(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    wf.act(db.engine, r.id, "start_consultation",
           {"consultee_kind": "agency", "consultee_name": "某县自然资源局"}, staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 24, 10))  # consultation due 03-23 (15 WD after 03-02)
    res = wf.act(db.engine, r.id, "lapse_consultation", {}, system(staff.agency_id), clock.now())
    assert res.state == "handling"
    d = detail(db.engine, r.id, staff.officer, clock.now())
    assert d["consultations"][0]["opinion"] == "agree" and d["consultations"][0]["deemed"] is True
    # paused 03-02 → 03-23 = 15 working days not counted
    cal = _cal(db)
    assert clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) == cal.add_workdays_date(
        date(2026, 3, 2), 35).isoformat()


def test_extension_adds_at_most_20_and_needs_the_leader(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    with pytest.raises(ValidationError):
        wf.act(db.engine, r.id, "request_extension", {"days": 21, "reason": "材料较多"}, staff.officer, clock.now())
    wf.act(db.engine, r.id, "request_extension", {"days": 15, "reason": "涉及多个科室，需调取档案"}, staff.officer,
           clock.now())
    with pytest.raises(InvalidTransition) as e:
        wf.act(db.engine, r.id, "approve_extension", {}, staff.officer, clock.now())
    assert e.value.code == "forbidden"
    with pytest.raises(InvalidTransition):  # only once
        wf.act(db.engine, r.id, "request_extension", {"days": 5, "reason": "再延"}, staff.officer, clock.now())
    wf.act(db.engine, r.id, "approve_extension", {}, staff.leader, clock.now())
    cal = _cal(db)
    due = clock_due(db.engine, r.id, "reply", clock.now(), staff.officer)
    assert due == cal.add_workdays_date(date(2026, 3, 2), 35).isoformat()
    with read_session(db.engine) as s:
        notices = s.exec(select(Outbox.notice_type).where(Outbox.case_id == r.id)).all()
    assert "disclosure.extension_notice" in notices


def test_extension_refused_after_the_reply_deadline(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    clock.set(local_dt(2026, 3, 31, 9))  # due 03-30
    with pytest.raises(InvalidTransition) as e:
        wf.act(db.engine, r.id, "request_extension", {"days": 10, "reason": "x"}, staff.officer, clock.now())
    assert "期限" in e.value.message


def test_fee_unpaid_closes_with_row_6_2(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    clock.set(local_dt(2026, 3, 5, 10))
    res = wf.act(db.engine, r.id, "send_fee_notice", {"method": "page", "quantity": 250}, staff.officer, clock.now())
    assert res.result["fee"]["amount"] == 4700
    assert clock_due(db.engine, r.id, "fee_payment", clock.now(), staff.officer) == "2026-04-02"
    clock.set(local_dt(2026, 4, 2, 17))
    with pytest.raises(InvalidTransition):  # not yet lapsed on the last day
        wf.act(db.engine, r.id, "lapse_fee", {}, system(staff.agency_id), clock.now())
    clock.set(local_dt(2026, 4, 3, 8))
    res = wf.act(db.engine, r.id, "lapse_fee", {}, system(staff.agency_id), clock.now())
    assert res.state == "closed"
    with read_session(db.engine) as s:
        row = s.get(Disclosure, r.id)
        assert row is not None and row.report_row == "3.6.2" and row.concluded_date == date(2026, 4, 3)


def test_correction_lapsed_closes_with_row_6_1(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    wf.act(db.engine, r.id, "request_correction", {"items": ["请补充身份证明"], "period_days": 10}, staff.officer,
           clock.now())
    assert clock_due(db.engine, r.id, "correction_period", clock.now(), staff.officer) == "2026-03-16"
    clock.set(local_dt(2026, 3, 17, 8, 30))
    res = wf.act(db.engine, r.id, "lapse_correction", {}, system(staff.agency_id), clock.now())
    assert res.state == "closed"
    with read_session(db.engine) as s:
        row = s.get(Disclosure, r.id)
        assert row is not None and row.report_row == "3.6.1"
        types = s.exec(select(Outbox.notice_type).where(Outbox.case_id == r.id)).all()
    assert "disclosure.closure_notice" in types


def test_receipt_on_a_rest_day_counts_from_the_next_working_day(db, clock):
    staff = make_staff(db.engine, clock.now())
    clock.set(local_dt(2026, 3, 9, 10))
    r = _register(db, staff, clock.now(), channel="internet", received_at="2026-03-07T20:15:00+08:00",
                  confirmed_at="2026-03-07T20:30:00+08:00")
    assert r.receipt_date == "2026-03-09"  # Saturday → Monday
    assert clock_due(db.engine, r.id, "reply", clock.now(), staff.officer) == "2026-04-07"
    clock.set(local_dt(2026, 4, 7, 17))
    res = wf.act(db.engine, r.id, "reply", {"category": "unavailable", "reason": "not_held"}, staff.officer,
                 clock.now())
    assert res.state == "replied"
    with read_session(db.engine) as s:
        ev = s.exec(select(Event).where(Event.case_id == r.id, Event.action == "reply")).one()
    assert ev.payload["on_time"] is True


def test_reply_requires_reason_details_and_maps_to_one_row(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    with pytest.raises(DomainValidation) as e:
        wf.act(db.engine, r.id, "reply", {"category": "unavailable", "reason": "not_responsible"}, staff.officer,
               clock.now())
    assert {f["field"] for f in e.value.fields} == {"detail.responsible_agency", "detail.responsible_contact"}
    with pytest.raises(DomainValidation):
        wf.act(db.engine, r.id, "reply", {"category": "refuse", "reason": "no_such_reason"}, staff.officer, clock.now())
    res = wf.act(db.engine, r.id, "reply", {"category": "unavailable", "reason": "not_responsible",
                                            "detail": {"responsible_agency": "某县市场监督管理局",
                                                       "responsible_contact": "0878-1234567"}},
                 staff.officer, clock.now())
    assert res.state == "replied"
    with read_session(db.engine) as s:
        row = s.get(Disclosure, r.id)
        assert row is not None and row.report_row == "3.4.1" and row.reply_doc_no == "公开复〔2026〕1号"


def test_full_path_to_archive_with_delivery_and_remedy_dates(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    wf.act(db.engine, r.id, "reply", {"category": "disclose", "reason": "provided"}, staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 3, 11))
    res = wf.act(db.engine, r.id, "deliver", {"method": "post", "tracking_no": "EA123456789CN", "signer": "张三"},
                 staff.front, clock.now())
    assert res.state == "delivered"
    d = detail(db.engine, r.id, staff.officer, clock.now())
    # 60 days after 03-03 is 05-02 (劳动节 holiday) → rolls to the first working day after the holiday, 05-06
    assert d["delivery"]["reconsideration_until"] == "2026-05-06"
    assert d["delivery"]["litigation_until"] == "2026-09-03"
    res = wf.act(db.engine, r.id, "archive", {}, staff.officer, clock.now())
    assert res.state == "archived"
    wf.act(db.engine, r.id, "record_remedy", {"kind": "reconsideration", "filed_date": "2026-04-01"}, staff.leader,
           clock.now())


def test_withdrawal_before_reply_counts_as_other(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    res = wf.act(db.engine, r.id, "withdraw", {"reason": "申请人书面撤回"}, staff.front, clock.now())
    assert res.state == "closed"
    with pytest.raises(InvalidTransition) as e:
        wf.act(db.engine, r.id, "withdraw", {}, staff.front, clock.now())
    assert e.value.allowed == ["archive"]
    with read_session(db.engine) as s:
        row = s.get(Disclosure, r.id)
        assert row is not None and row.report_row == "3.6.3"
        closure = s.exec(select(Outbox).where(Outbox.case_id == r.id,
                                              Outbox.notice_type == "disclosure.closure_notice")).one()
    # numbered in the 告知书 series, as the same letter is when a correction or fee period lapsed
    assert closure.context["doc_no"] and "告" in closure.context["doc_no"], closure.context["doc_no"]


def test_officer_cannot_act_on_a_case_not_assigned_to_them(db, clock):
    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now())
    with pytest.raises(InvalidTransition) as e:
        wf.act(db.engine, r.id, "reply", {"category": "disclose", "reason": "provided"}, staff.officer2, clock.now())
    assert e.value.code == "forbidden"


def test_events_are_append_only(db, clock):
    from sqlalchemy import text

    staff = make_staff(db.engine, clock.now())
    _register(db, staff, clock.now())
    with pytest.raises(Exception) as e, db.engine.begin() as c:
        c.execute(text("UPDATE event SET action = 'x'"))
    assert "append-only" in str(e.value)
    with pytest.raises(Exception) as e, db.engine.begin() as c:
        c.execute(text("DELETE FROM event"))
    assert "append-only" in str(e.value)


@pytest.mark.parametrize("pauses", [True, False])
def test_fee_notice_states_the_payment_period_and_whether_the_reply_clock_pauses(db, clock, pauses):
    """The notice gives the agency's payment period (fee_payment_wd) and, when the agency pauses the reply
    clock for payment (fee_pauses_reply_clock, UNCONFIRMED: configurable), says so."""
    from db.engine import write_session
    from db.models import Agency
    from notifications.render import render

    staff = make_staff(db.engine, clock.now())
    with write_session(db.engine) as s:
        agency = s.exec(select(Agency).where(Agency.id == staff.agency_id)).one()
        agency.settings = {**agency.settings, "fee_pauses_reply_clock": pauses, "fee_payment_wd": 15}
        s.add(agency)
        s.commit()
    r = _register(db, staff, clock.now())
    clock.set(local_dt(2026, 3, 5, 10))
    wf.act(db.engine, r.id, "send_fee_notice", {"method": "page", "quantity": 250}, staff.officer, clock.now())
    with read_session(db.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.case_id == r.id, Outbox.notice_type == "disclosure.fee_notice")).one()
    text = render(row.notice_type, row.context, "txt", settings=db.settings).content.decode()
    # the date printed is the fee clock's: counted from the day after the notice is issued
    assert "（自本通知书发出之日的次日起15个工作日内）" in text
    assert "本次申请提供的信息共250页。根据" in text  # not "250页根据"
    assert ("自本通知书发出之日至您缴纳费用之日的期间，不计算在答复期限内" in text) is pauses


def test_information_to_be_collected_says_where_and_when(db, clock):
    """条例第三十六条第（二）项: information not handed over with the reply — the applicant collects it — comes with the
    way, the place and the time of obtaining it: the office and its address, the office hours, a telephone number."""
    from notifications.render import render

    staff = make_staff(db.engine, clock.now())
    r = _register(db, staff, clock.now(), obtain_way="collect", form_wanted="paper")
    wf.act(db.engine, r.id, "reply", {"category": "disclose", "reason": "provided", "documents": ["2026年补助资金分配表"]},
           staff.officer, clock.now())
    with read_session(db.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.case_id == r.id, Outbox.notice_type == "disclosure.reply")).one()
    text = render(row.notice_type, row.context, "txt", settings=db.settings).content.decode().replace("\n", "")
    assert "现通过当面领取向您提供以下政府信息" in text
    assert "请您自收到本答复书之日起，于工作日 上午9:00—12:00，下午14:30—18:00到" in text, text
    assert "（某县人民路1号）领取上述政府信息" in text and "联系电话：0878-3120000" in text, text
