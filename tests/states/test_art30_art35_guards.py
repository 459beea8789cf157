"""Replies and steps that rest on an earlier step of the case (pure): 补正后申请内容仍不明确 needs a correction asked for
and received (条例第三十条); 无正当理由大量反复申请 needs reasons asked for and either not given by the end of the period
or found unreasonable, and a delayed reply period needs reasons found reasonable (条例第三十五条). Each refusal says
why, with the day a period ends when the facts know it."""

from __future__ import annotations

from datetime import date

import pytest

from states.disclosure import MACHINE, REPLY_GUARDS, DState, reply_refusal
from states.machine import Actor, InvalidTransition
from states.roles import Role

OFFICER = Actor(2, frozenset({Role.OFFICER}))
TODAY = date(2026, 12, 7)
BASE = {"today": TODAY, "receipt_date": date(2026, 12, 1), "reply_due": date(2026, 12, 29), "extended": False,
        "extension_pending": False, "delayed": False, "correction_requested": False,
        "correction_notice_date": None, "correction_received_date": None, "reasons_notice_date": None,
        "reasons_due": None, "reasons_received_date": None, "reasons_assessment": None}
CORRECTED = {"correction_requested": True, "correction_notice_date": date(2026, 12, 2),
             "correction_received_date": date(2026, 12, 4)}
ASKED = {"reasons_notice_date": date(2026, 12, 4), "reasons_due": date(2026, 12, 18)}  # 10 working days


def facts(**kw: object) -> dict[str, object]:
    return {**BASE, **kw}


# ------------------------------------------------------------------ 条例第三十条: 补正后申请内容仍不明确


def test_still_unclear_needs_a_correction_asked_for_and_received() -> None:
    never = reply_refusal("unavailable", "still_unclear", facts())
    assert never is not None and "本申请未告知申请人补正" in never and "第三十条" in never
    # asked, not yet received (the case would be 待补正: the reply is not in its actions at all)
    waiting = reply_refusal("unavailable", "still_unclear", facts(correction_requested=True,
                                                                  correction_notice_date=date(2026, 12, 2)))
    assert waiting is not None and "收到补正后的申请之后" in waiting
    assert reply_refusal("unavailable", "still_unclear", facts(**CORRECTED)) is None


def test_other_reasons_rest_on_nothing_earlier() -> None:
    assert set(REPLY_GUARDS) == {"unavailable.still_unclear", "not_processed.excessive"}
    for category, reason in (("disclose", "provided"), ("unavailable", "not_held"), ("not_processed", "repeat")):
        assert reply_refusal(category, reason, facts()) is None


# ------------------------------------------------------------------ 条例第三十五条: 无正当理由大量反复申请


@pytest.mark.parametrize(("kw", "words"), [
    ({}, "本申请未要求申请人说明理由"),
    ({**ASKED}, "申请人说明理由的期限尚未届满（至12月18日）"),
    ({**ASKED, "today": date(2026, 12, 18)}, "尚未届满（至12月18日）"),  # the last day itself is still in the period
    ({**ASKED, "reasons_received_date": date(2026, 12, 10), "reasons_assessment": "reasonable"},
     "12月10日说明的理由已认定为合理"),
])
def test_excessive_is_refused_until_the_reasons_fail(kw: dict[str, object], words: str) -> None:
    refusal = reply_refusal("not_processed", "excessive", facts(**kw))
    assert refusal is not None and words in refusal and "第三十五条" in refusal


@pytest.mark.parametrize("kw", [
    {**ASKED, "today": date(2026, 12, 21)},  # the period ended on the 18th without reasons
    {**ASKED, "reasons_received_date": date(2026, 12, 10), "reasons_assessment": "unreasonable"},  # found unreasonable
    {**ASKED, "today": date(2026, 12, 21), "reasons_received_date": date(2026, 12, 21),
     "reasons_assessment": "unreasonable"},  # late reasons, considered and found unreasonable
])
def test_excessive_once_the_period_passed_or_the_reasons_were_found_unreasonable(kw: dict[str, object]) -> None:
    assert reply_refusal("not_processed", "excessive", facts(**kw)) is None


def test_late_reasons_found_reasonable_stop_the_excessive_reply() -> None:
    late = facts(**ASKED, today=date(2026, 12, 21), reasons_received_date=date(2026, 12, 21),
                 reasons_assessment="reasonable")
    assert reply_refusal("not_processed", "excessive", late) is not None


# ------------------------------------------------------------------ recording the reasons, and the delayed reply


def test_reasons_are_recorded_only_when_asked_for_and_not_yet_recorded() -> None:
    assert "record_reasons" not in MACHINE.allowed(DState.HANDLING, facts(), OFFICER, True)
    with pytest.raises(InvalidTransition, match="尚未要求申请人说明理由") as e:
        MACHINE.check(DState.HANDLING, "record_reasons", facts(), OFFICER, True)
    assert e.value.code == "guard_failed"
    assert "record_reasons" in MACHINE.allowed(DState.HANDLING, facts(**ASKED), OFFICER, True)
    assert "record_reasons" in MACHINE.allowed(DState.HANDLING, facts(**ASKED, today=date(2026, 12, 28)),
                                               OFFICER, True)  # late reasons may still be recorded
    recorded = facts(**ASKED, reasons_received_date=date(2026, 12, 10), reasons_assessment="unreasonable")
    with pytest.raises(InvalidTransition, match="已于12月10日记录申请人说明的理由"):
        MACHINE.check(DState.HANDLING, "record_reasons", recorded, OFFICER, True)
    for state in (DState.REGISTERED, DState.AWAITING_CORRECTION, DState.REPLIED):
        assert "record_reasons" not in MACHINE.allowed(state, facts(**ASKED), OFFICER, True)
    front = Actor(1, frozenset({Role.FRONT_DESK}))
    assert "record_reasons" not in MACHINE.allowed(DState.HANDLING, facts(**ASKED), front, True)


@pytest.mark.parametrize(("kw", "words"), [
    ({}, "确定延迟答复期限须先要求申请人说明理由"),
    ({**ASKED}, "尚未收到申请人说明的理由（12月4日要求说明）"),
    ({**ASKED, "today": date(2026, 12, 21)}, "尚未收到申请人说明的理由"),
    ({**ASKED, "reasons_received_date": date(2026, 12, 10), "reasons_assessment": "unreasonable"},
     "已认定为不合理，应告知不予处理"),
])
def test_a_delayed_reply_period_needs_reasons_found_reasonable(kw: dict[str, object], words: str) -> None:
    f = facts(**kw)
    assert "set_delay" not in MACHINE.allowed(DState.HANDLING, f, OFFICER, True)
    with pytest.raises(InvalidTransition) as e:
        MACHINE.check(DState.HANDLING, "set_delay", f, OFFICER, True)
    assert words in e.value.message and e.value.code == "guard_failed"
    unavailable = {t: reason for t, _, reason in MACHINE.unavailable(DState.HANDLING, f, OFFICER, True)}
    assert words in unavailable["set_delay"]  # the case page says the same


def test_a_delayed_reply_period_once_the_reasons_are_found_reasonable() -> None:
    reasonable = facts(**ASKED, reasons_received_date=date(2026, 12, 10), reasons_assessment="reasonable")
    assert "set_delay" in MACHINE.allowed(DState.HANDLING, reasonable, OFFICER, True)
    assert "set_delay" not in MACHINE.allowed(DState.HANDLING, {**reasonable, "delayed": True}, OFFICER, True)
