"""The remedy clause: reconsideration-first only for refusals under 条例第十四、十五、十六条."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from notifications.remedy import DEFAULT_COURT, remedy_clause, remedy_deadlines
from states.decisions import REASONS, lookup

AGENCY = {"reconsideration_organ": "某县人民政府", "litigation_court": "某县人民法院"}


@pytest.mark.parametrize("reason", REASONS, ids=lambda r: f"{r.category}.{r.code}")
def test_clause_per_reason(reason):
    text = remedy_clause(reason, AGENCY)
    assert "60日内向某县人民政府申请行政复议" in text
    if reason.reconsideration_first:
        assert reason.category == "refuse"
        assert "第二十三条" in text and "应当先申请行政复议" in text
        assert "6个月" not in text
    elif reason.category == "partial":  # the withheld part: reconsideration first; the rest: either way
        assert "其中对不予公开部分不服的" in text and "第二十三条" in text and "应当先申请行政复议" in text
        assert "对其余部分不服的，也可以自收到本答复之日起6个月内依法向某县人民法院提起行政诉讼" in text
    else:
        assert "6个月内依法向某县人民法院提起行政诉讼" in text
        assert "应当先申请" not in text


def test_reconsideration_first_is_exactly_articles_14_15_16():
    first = {r.code for r in REASONS if r.reconsideration_first}
    assert first == {"state_secret", "law_prohibits", "security_stability", "third_party", "internal_affairs",
                     "process_info", "enforcement_file"}
    assert not lookup("refuse", "special_access").reconsideration_first  # 第三十六条第（七）项


def test_no_organ_configured_is_an_error_and_court_defaults():
    with pytest.raises(KeyError):
        remedy_clause(None, {"reconsideration_organ": ""})
    assert DEFAULT_COURT in remedy_clause(None, {"reconsideration_organ": "某县人民政府"})


def test_document_word():
    assert remedy_clause(None, AGENCY, document="本告知书").startswith("如对本告知书不服，可以自收到本告知书之日起")


@dataclass
class _Due:
    due: date


def _stub(start: date, *, days: int = 0, months: int = 0) -> _Due:
    """Calendar-day stub: months as 30 days is enough to check the wiring."""
    return _Due(start + timedelta(days=days + 30 * months))


def test_remedy_deadlines_uses_the_calendar_callable():
    out = remedy_deadlines(date(2026, 11, 27), _stub)
    assert out == {"reconsideration_by": date(2027, 1, 26), "litigation_by": date(2027, 5, 26)}


def test_partial_disclosure_clause_can_be_switched_off_per_agency():
    """DERIVED (rules.md §1.8): an agency that reads 行政复议法第二十三条 as not covering partial disclosures
    turns the setting off and gets the ordinary clause."""
    partial = lookup("partial", "partial")
    text = remedy_clause(partial, {**AGENCY, "partial_reconsideration_first": False})
    assert "应当先申请" not in text and "6个月内依法向某县人民法院提起行政诉讼" in text
