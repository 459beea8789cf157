"""The disclosure transition table as data: every state × action, roles and guards (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest

from states.disclosure import MACHINE, STATE_LABELS, TRANSITIONS, DState
from states.machine import SAME, Actor, InvalidTransition
from states.roles import Role

EVERYONE = Actor(1, frozenset({Role.FRONT_DESK, Role.OFFICER, Role.LEADER}))
TODAY = date(2026, 3, 10)
# Facts under which every guard passes except the mutually exclusive lapse/pending ones, set per trigger.
BASE = {"today": TODAY, "receipt_date": date(2026, 3, 2), "correction_notice_due": date(2026, 3, 11),
        "correction_requested": False, "correction_due": date(2026, 3, 9), "reply_due": date(2026, 3, 30),
        "extended": False, "extension_pending": False, "consultation_due": date(2026, 3, 9),
        "fee_due": date(2026, 3, 9), "delayed": False}
NEEDS_PENDING = {"approve_extension", "deny_extension"}
# 条例第三十五条: reasons asked for and awaited (to record them), or received and found reasonable (to delay the reply)
REASONS_AWAITED = {"reasons_notice_date": date(2026, 3, 4), "reasons_due": date(2026, 3, 18)}
REASONS_FOUND = {**REASONS_AWAITED, "reasons_received_date": date(2026, 3, 9), "reasons_assessment": "reasonable"}
REASONS_FOR: dict[str, Mapping[str, object]] = {"record_reasons": REASONS_AWAITED, "set_delay": REASONS_FOUND}


def facts_for(trigger: str) -> dict:
    return {**BASE, "extension_pending": trigger in NEEDS_PENDING, **REASONS_FOR.get(trigger, {})}


@pytest.mark.parametrize("state", [s.value for s in DState])
@pytest.mark.parametrize("trigger", MACHINE.triggers)
def test_matrix(state: str, trigger: str) -> None:
    rows = [t for t in TRANSITIONS if t.trigger == trigger and state in t.sources]
    facts = facts_for(trigger)
    if rows:
        t = MACHINE.check(state, trigger, facts, EVERYONE, True)
        expected = state if rows[0].dest == SAME else rows[0].dest
        assert MACHINE.fire(state, trigger, facts) == expected
        assert trigger in MACHINE.allowed(state, facts, EVERYONE, True)
        assert t.label
    else:
        with pytest.raises(InvalidTransition) as e:
            MACHINE.check(state, trigger, facts, EVERYONE, True)
        assert trigger not in e.value.allowed
        assert e.value.allowed == MACHINE.allowed(state, facts, EVERYONE, True)


def test_every_state_has_a_label_and_terminal_states_only_record_remedies() -> None:
    assert set(STATE_LABELS) == {s.value for s in DState}
    assert MACHINE.allowed(DState.ARCHIVED, BASE, EVERYONE, True) == ["record_remedy"]
    assert MACHINE.allowed(DState.DISCARDED, BASE, EVERYONE, True) == []




def test_roles() -> None:
    front = Actor(1, frozenset({Role.FRONT_DESK}))
    officer = Actor(2, frozenset({Role.OFFICER}))
    leader = Actor(3, frozenset({Role.LEADER}))
    admin = Actor(4, frozenset({Role.ADMIN}))
    assert "assign" in MACHINE.allowed(DState.REGISTERED, BASE, front, False)
    assert MACHINE.allowed(DState.REGISTERED, BASE, admin, False) == []
    # officers act only on their own cases
    assert "reply" in MACHINE.allowed(DState.HANDLING, BASE, officer, True)
    assert "reply" not in MACHINE.allowed(DState.HANDLING, BASE, officer, False)
    with pytest.raises(InvalidTransition) as e:
        MACHINE.check(DState.HANDLING, "reply", BASE, officer, False)
    assert e.value.code == "forbidden"
    # only the leader approves extensions
    pending = {**BASE, "extension_pending": True}
    assert "approve_extension" in MACHINE.allowed(DState.HANDLING, pending, leader, False)
    assert "approve_extension" not in MACHINE.allowed(DState.HANDLING, pending, officer, True)
    # the system may fire lapses only
    system = Actor(None, frozenset())
    assert set(MACHINE.allowed(DState.AWAITING_CORRECTION, BASE, system, False)) == {"lapse_correction", "withdraw"}


def test_guards() -> None:
    officer = Actor(2, frozenset({Role.OFFICER}))
    late = {**BASE, "today": date(2026, 3, 12)}
    with pytest.raises(InvalidTransition) as e:
        MACHINE.check(DState.HANDLING, "request_correction", late, officer, True)
    assert "7个工作日" in e.value.message and e.value.code == "guard_failed"
    once = {**BASE, "correction_requested": True}
    assert "request_correction" not in MACHINE.allowed(DState.HANDLING, once, officer, True)
    extended = {**BASE, "extended": True}
    assert "request_extension" not in MACHINE.allowed(DState.HANDLING, extended, officer, True)
    after_due = {**BASE, "today": date(2026, 3, 31)}
    assert "request_extension" not in MACHINE.allowed(DState.HANDLING, after_due, officer, True)
    not_lapsed = {**BASE, "correction_due": date(2026, 3, 10)}  # today is the last day: not yet lapsed
    assert "lapse_correction" not in MACHINE.allowed(DState.AWAITING_CORRECTION, not_lapsed, officer, True)
