"""Replies that rest on an earlier step, through the workflow and in the documents (findings h2 #3, #4).

条例第三十条: “补正后申请内容仍不明确” only once a correction was asked for and the corrected application received; the
reply states both days, from the case. 条例第三十五条: “无正当理由大量反复申请” only once the applicant, asked to state
reasons, let the period pass without them or stated reasons the agency found unreasonable; the reply states the
notice's day, its last day and which of the two happened. A delayed reply period (延迟答复) only on reasons found
reasonable, and its notice says when they came."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import Clock, Disclosure, Event, Outbox
from notifications.render import render
from tests.helpers import detail, make_staff, registration
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.errors import DomainValidation, InvalidTransition
from workflow.timesource import local_dt

# Received Monday 2 March 2026 (tests.helpers.registration); asked for reasons on Tuesday 3 March, 10 working days:
# the period ends on Tuesday 17 March.
ASK_AT = local_dt(2026, 3, 3, 10)
REASONS_DUE = date(2026, 3, 17)
EXCESSIVE = {"category": "not_processed", "reason": "excessive"}
STILL_UNCLEAR = {"category": "unavailable", "reason": "still_unclear"}


def _case(db: Any, clock: Any) -> tuple[Any, int]:
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)), staff.front,
                    clock.now())
    return staff, r.id


def _version(db: Any, case_id: int) -> int:
    with read_session(db.engine) as s:
        row = s.get(Disclosure, case_id)
        assert row is not None
        return row.version


def _text(db: Any, case_id: int, notice_type: str) -> tuple[dict[str, Any], str]:
    with read_session(db.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.case_id == case_id, Outbox.notice_type == notice_type)).one()
    return row.context["notice"], render(notice_type, row.context, "txt", settings=db.settings).content.decode()


def _refused(db: Any, case_id: int, payload: dict[str, Any], actor: Any, now: Any, **when: Any) -> str:
    """The reply is refused (409, a condition of the law) and nothing of it is written."""
    before = _version(db, case_id)
    with pytest.raises(InvalidTransition) as e:
        wf.act(db.engine, case_id, "reply", payload, actor, now, **when)
    assert e.value.code == "guard_failed" and "reply" in e.value.allowed  # the reply stays open, for other reasons
    assert _version(db, case_id) == before
    return e.value.message


# ------------------------------------------------------------------ 条例第三十条: 补正后申请内容仍不明确


def test_still_unclear_without_a_correction_is_refused(db, clock) -> None:
    staff, case_id = _case(db, clock)
    message = _refused(db, case_id, STILL_UNCLEAR, staff.officer, clock.now())
    assert "本申请未告知申请人补正" in message and "条例第三十条" in message
    with read_session(db.engine) as s:
        assert s.exec(select(Outbox).where(Outbox.case_id == case_id,
                                           Outbox.notice_type == "disclosure.reply")).first() is None


def test_still_unclear_states_the_correction_notice_and_the_corrected_application_from_the_case(db, clock) -> None:
    staff, case_id = _case(db, clock)
    clock.set(local_dt(2026, 3, 4, 10))
    wf.act(db.engine, case_id, "request_correction", {"items": ["请写明所需文件的名称"]}, staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 9, 15))
    wf.act(db.engine, case_id, "receive_correction", {"received_date": "2026-03-06"}, staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 20, 10))
    typed = {**STILL_UNCLEAR, "detail": {"correction_notice_date": "2025-01-01"}}  # a typed date never stands in
    wf.act(db.engine, case_id, "reply", typed, staff.officer, clock.now())
    notice, text = _text(db, case_id, "disclosure.reply")
    assert notice["detail"]["correction_notice_date"] == "2026-03-04"
    assert notice["detail"]["correction_received_date"] == "2026-03-06"
    assert ("本机关于2026年3月4日向您发出《政府信息公开申请补正告知书》，告知您对申请内容作出补正，"
            "并于2026年3月6日收到您补正后的申请。经审查，您补正后的申请内容仍不明确") in text
    assert "2025年1月1日" not in text
    with read_session(db.engine) as s:
        row = s.get(Disclosure, case_id)
        assert row is not None and row.report_row == "3.4.3"
        assert row.decision_detail["correction_received_date"] == "2026-03-06"


# ------------------------------------------------------------------ 条例第三十五条: 无正当理由大量反复申请


def _ask(db: Any, case_id: int, staff: Any, clock: Any) -> None:
    clock.set(ASK_AT)
    wf.act(db.engine, case_id, "request_reasons", {"facts": "您本月已提交申请60件"}, staff.officer, clock.now())


def test_excessive_without_asking_for_reasons_is_refused(db, clock) -> None:
    staff, case_id = _case(db, clock)
    assert "本申请未要求申请人说明理由" in _refused(db, case_id, EXCESSIVE, staff.officer, clock.now())


def test_the_reasons_period_is_a_clock_the_notice_states(db, clock) -> None:
    staff, case_id = _case(db, clock)
    _ask(db, case_id, staff, clock)
    with read_session(db.engine) as s:
        reasons = s.exec(select(Clock).where(Clock.case_id == case_id, Clock.kind == "reasons_period")).one()
    assert (reasons.start_date, reasons.due_date, reasons.status) == (date(2026, 3, 3), REASONS_DUE, "running")
    notice, text = _text(db, case_id, "disclosure.reasons_notice")
    assert notice["last_date"] == "2026-03-17" and "（即2026年3月17日前）" in text
    d = detail(db.engine, case_id, staff.officer, clock.now())
    view = next(c for c in d["clocks"] if c["kind"] == "reasons_period")
    assert view["label"] == "申请人说明理由期限"
    assert {"action": "record_reasons", "label": "收到申请人说明的理由（条例第三十五条）"} in d["allowed_actions"]
    with read_session(db.engine) as s:  # the applicant's period binds nobody in the agency: not the next deadline
        row = s.get(Disclosure, case_id)
        reply = s.exec(select(Clock).where(Clock.case_id == case_id, Clock.kind == "reply")).one()
        assert row is not None and row.next_due_at == reply.due_at


def test_excessive_while_the_period_runs_is_refused_and_says_until_when(db, clock) -> None:
    """Finding h2 #4, case 33: asked on the day, replied on the day — the period had nine working days left."""
    staff, case_id = _case(db, clock)
    _ask(db, case_id, staff, clock)
    message = _refused(db, case_id, EXCESSIVE, staff.officer, clock.now())
    assert "申请人说明理由的期限尚未届满（至3月17日）" in message
    clock.set(local_dt(2026, 3, 17, 17))  # the last day is still the applicant's
    _refused(db, case_id, EXCESSIVE, staff.officer, clock.now())


def test_excessive_after_the_period_passed_without_reasons_says_so(db, clock) -> None:
    staff, case_id = _case(db, clock)
    _ask(db, case_id, staff, clock)
    clock.set(local_dt(2026, 3, 18, 9))
    wf.act(db.engine, case_id, "reply", EXCESSIVE, staff.officer, clock.now())
    notice, text = _text(db, case_id, "disclosure.reply")
    assert notice["detail"]["reasons_notice_date"] == "2026-03-03"
    assert notice["detail"]["reasons_last_date"] == "2026-03-17"
    assert notice["detail"]["reasons_received_date"] is None
    assert "本机关于2026年3月3日依照《中华人民共和国政府信息公开条例》第三十五条的规定" in text
    assert "要求您于2026年3月17日前说明申请理由。截至该期限届满，您未说明申请理由" in text
    assert "或者" not in text.split("现答复如下")[1].split("本机关不予处理")[0]  # the fact, not two alternatives
    assert "经审查，本机关认为该理由不合理" not in text
    with read_session(db.engine) as s:
        row = s.get(Disclosure, case_id)
        assert row is not None and row.report_row == "3.5.4"


def test_excessive_on_reasons_found_unreasonable_quotes_them(db, clock) -> None:
    staff, case_id = _case(db, clock)
    _ask(db, case_id, staff, clock)
    clock.set(local_dt(2026, 3, 10, 10))
    wf.act(db.engine, case_id, "record_reasons", {"received_date": "2026-03-09", "reasons": "需要了解全县各村征地情况",
                                                  "assessment": "unreasonable"}, staff.officer, clock.now())
    with read_session(db.engine) as s:
        reasons = s.exec(select(Clock).where(Clock.case_id == case_id, Clock.kind == "reasons_period")).one()
        assert reasons.status == "met"
        event = s.exec(select(Event).where(Event.case_id == case_id, Event.action == "record_reasons")).one()
    assert event.payload["received_date"] == "2026-03-09" and event.payload["assessment"] == "unreasonable"
    d = detail(db.engine, case_id, staff.officer, clock.now())
    assert d["reasons"] == {"received_date": "2026-03-09", "text": "需要了解全县各村征地情况",
                            "assessment": "unreasonable", "assessment_label": "理由不合理，告知不予处理"}
    wf.act(db.engine, case_id, "reply", EXCESSIVE, staff.officer, clock.now())  # before the period's end: it may
    _, text = _text(db, case_id, "disclosure.reply")
    assert ("要求您于2026年3月17日前说明申请理由。本机关于2026年3月9日收到您的说明，您说明的理由为："
            "需要了解全县各村征地情况。经审查，本机关认为该理由不合理。根据上述规定，本机关不予处理。") in text
    assert "未说明申请理由" not in text


def test_reasons_found_reasonable_stop_the_excessive_reply_and_allow_a_delay(db, clock) -> None:
    staff, case_id = _case(db, clock)
    with pytest.raises(InvalidTransition, match="确定延迟答复期限须先要求申请人说明理由"):
        wf.act(db.engine, case_id, "set_delay", {"days": 30, "reason": "数量较大"}, staff.officer, clock.now())
    _ask(db, case_id, staff, clock)
    with pytest.raises(InvalidTransition, match="尚未收到申请人说明的理由（3月3日要求说明）"):
        wf.act(db.engine, case_id, "set_delay", {"days": 30, "reason": "数量较大"}, staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 10, 10))
    wf.act(db.engine, case_id, "record_reasons", {"reasons": "课题研究需要", "assessment": "reasonable"},
           staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 20, 10))  # the period has passed, but reasons came and were found reasonable
    assert "已认定为合理" in _refused(db, case_id, EXCESSIVE, staff.officer, clock.now())
    wf.act(db.engine, case_id, "set_delay", {"days": 30, "reason": "申请涉及的档案数量较大"}, staff.officer,
           clock.now())
    notice, text = _text(db, case_id, "disclosure.delay_notice")
    assert notice["reasons_notice_date"] == "2026-03-03" and notice["reasons_received_date"] == "2026-03-10"
    assert "本机关于2026年3月3日依照规定要求您说明申请理由，您已于2026年3月10日作出说明。" in text
    assert "经审查，本机关认为您的申请理由合理" in text


def test_unreasonable_reasons_allow_no_delay(db, clock) -> None:
    staff, case_id = _case(db, clock)
    _ask(db, case_id, staff, clock)
    wf.act(db.engine, case_id, "record_reasons", {"assessment": "unreasonable"}, staff.officer, clock.now())
    with pytest.raises(InvalidTransition, match="已认定为不合理，应告知不予处理"):
        wf.act(db.engine, case_id, "set_delay", {"days": 30, "reason": "数量较大"}, staff.officer, clock.now())


def test_a_new_request_sets_earlier_reasons_aside(db, clock) -> None:
    staff, case_id = _case(db, clock)
    _ask(db, case_id, staff, clock)
    wf.act(db.engine, case_id, "record_reasons", {"assessment": "unreasonable"}, staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 5, 10))
    wf.act(db.engine, case_id, "request_reasons", {"facts": "您本月又提交申请20件", "period_days": 5}, staff.officer,
           clock.now())
    assert "尚未届满（至3月12日）" in _refused(db, case_id, EXCESSIVE, staff.officer, clock.now())
    with read_session(db.engine) as s:
        row = s.get(Disclosure, case_id)
        assert row is not None and (row.reasons_received_date, row.reasons_assessment) == (None, None)


@pytest.mark.parametrize(("received", "code", "words"), [
    ("2026-03-02", "too_early", "日期不能早于说明理由告知书发出之日（2026-03-03）"),
    ("2026-03-04", "in_future", "日期不能晚于今天"),
])
def test_reasons_received_on_an_impossible_day_are_refused(db, clock, received, code, words) -> None:
    staff, case_id = _case(db, clock)
    _ask(db, case_id, staff, clock)
    with pytest.raises(DomainValidation) as e:
        wf.act(db.engine, case_id, "record_reasons", {"received_date": received, "assessment": "unreasonable"},
               staff.officer, clock.now())
    assert e.value.fields == [{"field": "received_date", "code": code, "message": words}]


def test_a_back_dated_excessive_reply_inside_the_period_names_the_date_given(db, clock) -> None:
    staff, case_id = _case(db, clock)
    _ask(db, case_id, staff, clock)
    clock.set(local_dt(2026, 3, 25, 10))
    with pytest.raises(DomainValidation) as e:
        wf.act(db.engine, case_id, "reply", EXCESSIVE, staff.officer, clock.now(),
               effective_at=local_dt(2026, 3, 16, 10), backfill_reason="纸质答复补录")
    (field,) = e.value.fields
    assert field["field"] == "effective_at"
    assert field["message"].startswith("按所填办理时间（2026年3月16日）：申请人说明理由的期限尚未届满（至3月17日）")
    wf.act(db.engine, case_id, "reply", EXCESSIVE, staff.officer, clock.now(),
           effective_at=local_dt(2026, 3, 18, 10), backfill_reason="纸质答复补录")
