"""The 12345 work-order table: the full state × action matrix, roles, guards, labels, purity."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from states.hotline import (
    ACTION_LABELS,
    MACHINE,
    NEW_CYCLE_TRIGGERS,
    RESOLUTION_BY_TRIGGER,
    STATE_LABELS,
    WorkOrderState,
)
from states.machine import SAME, SYSTEM, Actor, InvalidTransition
from states.roles import Role

S = WorkOrderState

# The specification, written out by hand (not derived from the table): state → {trigger: dest}.
EXPECTED: dict[str, dict[str, str]] = {
    S.RECEIVED: {
        "sign_for": S.SIGNED_FOR, "assign": SAME, "return_order": S.RETURN_REQUESTED, "urge": SAME,
        "supervise": SAME, "convert_to_disclosure": S.CLOSED, "merge": S.CLOSED,
    },
    S.SIGNED_FOR: {
        "assign": SAME, "start_handling": S.HANDLING, "return_order": S.RETURN_REQUESTED, "reply": S.REPLIED,
        "urge": SAME, "supervise": SAME, "request_termination": S.TERMINATION_REQUESTED,
        "convert_to_disclosure": S.CLOSED, "merge": S.CLOSED,
    },
    S.HANDLING: {
        "assign": SAME, "return_order": S.RETURN_REQUESTED, "request_extension": SAME,
        "approve_extension": SAME, "deny_extension": SAME, "interim_reply": SAME, "reply": S.REPLIED,
        "urge": SAME, "supervise": SAME, "request_termination": S.TERMINATION_REQUESTED,
        "convert_to_disclosure": S.CLOSED, "merge": S.CLOSED,
    },
    S.RETURN_REQUESTED: {"accept_return": S.CLOSED, "reject_return": S.HANDLING, "reassign": S.RECEIVED},
    S.TERMINATION_REQUESTED: {"approve_termination": S.CLOSED, "deny_termination": S.HANDLING},
    S.REPLIED: {"record_callback": S.CALLBACK_RECORDED, "rehandle": S.HANDLING, "close": S.CLOSED},
    S.CALLBACK_RECORDED: {"rehandle": S.HANDLING, "close": S.CLOSED},
    S.CLOSED: {},
}

GOOD = {
    "designated": False,
    "within_return_window": True,
    "before_handling_due": True,
    "extensions_used": 0,
    "max_extensions": 1,
    "extension_pending": False,
    "callback_result": "dissatisfied",
    "state_before_return": "handling",
    "escalations_due": ("urge", "supervise"),
}
EVERYONE = Actor(1, frozenset({Role.FRONT_DESK, Role.OFFICER, Role.LEADER}))
FRONT = Actor(2, frozenset({Role.FRONT_DESK}))
OFFICER = Actor(3, frozenset({Role.OFFICER}))
LEADER = Actor(4, frozenset({Role.LEADER}))
ADMIN = Actor(5, frozenset({Role.ADMIN}))
SUPERVISOR = Actor(6, frozenset({Role.SUPERVISOR}))


def good_facts(trigger: str) -> dict[str, object]:
    return {**GOOD, "extension_pending": trigger in ("approve_extension", "deny_extension")}


def test_states_and_triggers_are_those_specified():
    assert set(MACHINE.states) == {s.value for s in S}
    assert set(EXPECTED) == set(MACHINE.states)
    specified = {t for row in EXPECTED.values() for t in row}
    assert specified == set(MACHINE.triggers) == set(ACTION_LABELS)


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("trigger", sorted(ACTION_LABELS))
def test_matrix(state: str, trigger: str):
    facts = good_facts(trigger)
    allowed = MACHINE.allowed(state, facts, EVERYONE, True)
    if trigger in EXPECTED[state]:
        dest = EXPECTED[state][trigger]
        row = MACHINE.check(state, trigger, facts, EVERYONE, True)
        assert trigger in allowed
        assert row.dest == dest
        assert MACHINE.fire(state, trigger, facts) == (state if dest == SAME else dest)
    else:
        assert trigger not in allowed
        with pytest.raises(InvalidTransition) as exc:
            MACHINE.check(state, trigger, facts, EVERYONE, True)
        assert exc.value.code == "illegal_action"
        assert exc.value.allowed == allowed
    assert set(allowed) <= set(EXPECTED[state])


def test_closed_is_terminal():
    assert MACHINE.allowed(S.CLOSED, GOOD, EVERYONE, True) == []


@pytest.mark.parametrize("before", [S.RECEIVED, S.SIGNED_FOR, S.HANDLING])
def test_reject_return_goes_back_where_it_came_from(before: str):
    facts = {**GOOD, "state_before_return": before}
    assert MACHINE.check(S.RETURN_REQUESTED, "reject_return", facts, FRONT, False).dest == before
    assert MACHINE.fire(S.RETURN_REQUESTED, "reject_return", facts) == before


def test_reject_return_without_a_known_prior_state_fails():
    with pytest.raises(InvalidTransition) as exc:
        MACHINE.check(S.RETURN_REQUESTED, "reject_return", {**GOOD, "state_before_return": None}, FRONT, False)
    assert exc.value.code == "guard_failed"


# --- roles ---------------------------------------------------------------------------------------------

def test_front_desk_signs_for_and_returns_but_does_not_handle():
    assert set(MACHINE.allowed(S.RECEIVED, GOOD, FRONT, False)) == {
        "sign_for", "assign", "return_order", "convert_to_disclosure", "merge"}
    with pytest.raises(InvalidTransition) as exc:
        MACHINE.check(S.SIGNED_FOR, "start_handling", GOOD, FRONT, False)
    assert exc.value.code == "forbidden"
    with pytest.raises(InvalidTransition):
        MACHINE.check(S.HANDLING, "reply", GOOD, FRONT, True)  # assignee, but not a handler role


def test_officer_acts_only_on_own_orders():
    assert MACHINE.check(S.SIGNED_FOR, "start_handling", GOOD, OFFICER, True).dest == S.HANDLING
    assert MACHINE.check(S.HANDLING, "reply", GOOD, OFFICER, True).dest == S.REPLIED
    for trig in ("start_handling", "reply", "request_termination"):
        with pytest.raises(InvalidTransition) as exc:
            MACHINE.check(S.SIGNED_FOR, trig, GOOD, OFFICER, False)
        assert exc.value.code == "forbidden"
    # Platform decisions are recorded by the desk or a leader, never by the officer.
    with pytest.raises(InvalidTransition) as exc:
        MACHINE.check(S.REPLIED, "record_callback", GOOD, OFFICER, True)
    assert exc.value.code == "forbidden"
    with pytest.raises(InvalidTransition):
        MACHINE.check(S.RECEIVED, "sign_for", GOOD, OFFICER, True)


def test_officer_converts_only_while_handling_own_order():
    assert MACHINE.check(S.HANDLING, "convert_to_disclosure", GOOD, OFFICER, True).dest == S.CLOSED
    with pytest.raises(InvalidTransition):
        MACHINE.check(S.HANDLING, "convert_to_disclosure", GOOD, OFFICER, False)
    with pytest.raises(InvalidTransition):
        MACHINE.check(S.RECEIVED, "convert_to_disclosure", GOOD, OFFICER, True)


def test_leader_may_act_on_any_order():
    assert "reply" in MACHINE.allowed(S.HANDLING, GOOD, LEADER, False)
    assert "urge" in MACHINE.allowed(S.HANDLING, GOOD, LEADER, False)
    assert MACHINE.check(S.REPLIED, "close", GOOD, LEADER, False).dest == S.CLOSED


@pytest.mark.parametrize("actor", [ADMIN, SUPERVISOR])
@pytest.mark.parametrize("state", list(S))
def test_admin_and_supervisor_cannot_act(actor: Actor, state: str):
    assert MACHINE.allowed(state, GOOD, actor, True) == []


@pytest.mark.parametrize("state", list(S))
def test_system_only_escalates_open_orders(state: str):
    allowed = MACHINE.allowed(state, GOOD, SYSTEM, False)
    expected = ["urge", "supervise"] if state in (S.RECEIVED, S.SIGNED_FOR, S.HANDLING) else []
    assert sorted(allowed) == sorted(expected)


# --- guards --------------------------------------------------------------------------------------------

def _fail(state: str, trigger: str, facts: dict[str, object], actor: Actor = EVERYONE) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as exc:
        MACHINE.check(state, trigger, facts, actor, True)
    assert exc.value.code == "guard_failed"
    assert trigger not in exc.value.allowed
    return exc.value


def test_designated_order_cannot_be_returned():
    err = _fail(S.SIGNED_FOR, "return_order", {**GOOD, "designated": True})
    assert "不得退回" in err.message


def test_return_only_within_window():
    err = _fail(S.HANDLING, "return_order", {**GOOD, "within_return_window": False})
    assert "时限" in err.message


def test_both_return_guards_reported():
    err = _fail(S.RECEIVED, "return_order", {**GOOD, "designated": True, "within_return_window": False})
    assert "不得退回" in err.message and "时限" in err.message


def test_extension_guards():
    assert "届满" in _fail(S.HANDLING, "request_extension", {**GOOD, "before_handling_due": False}).message
    assert "次数" in _fail(S.HANDLING, "request_extension", {**GOOD, "extensions_used": 1}).message
    assert "待平台审核" in _fail(S.HANDLING, "request_extension", {**GOOD, "extension_pending": True}).message
    assert "没有" in _fail(S.HANDLING, "approve_extension", GOOD).message
    _fail(S.HANDLING, "deny_extension", GOOD)


def test_rehandle_after_callback_needs_dissatisfaction():
    for result in ("satisfied", "basically_satisfied", None):
        _fail(S.CALLBACK_RECORDED, "rehandle", {**GOOD, "callback_result": result})
    # The platform's review may send a replied order back without a callback (济南条例第二十七条第二款).
    assert MACHINE.check(S.REPLIED, "rehandle", {**GOOD, "callback_result": None}, FRONT, False).dest == S.HANDLING


def test_escalation_ladder_guards():
    assert "催办" in _fail(S.HANDLING, "urge", {**GOOD, "escalations_due": ()}, SYSTEM).message
    assert "督办" in _fail(S.HANDLING, "supervise", {**GOOD, "escalations_due": ("urge",)}, SYSTEM).message
    assert MACHINE.check(S.RECEIVED, "urge", {**GOOD, "escalations_due": ("urge",)}, SYSTEM, False).dest == SAME


@pytest.mark.parametrize("trigger", ["return_order", "request_extension", "approve_extension"])
def test_missing_facts_fail_closed(trigger: str):
    state = S.HANDLING
    with pytest.raises(InvalidTransition) as exc:
        MACHINE.check(state, trigger, {}, EVERYONE, True)
    assert exc.value.code == "guard_failed"


@pytest.mark.parametrize("trigger", ["urge", "supervise"])
def test_the_ladder_fails_closed_but_a_leader_presses_by_hand(trigger: str):
    """Issue 20: the scheduler's step needs the ladder's facts; a leader's 催办/督办 by hand needs none."""
    with pytest.raises(InvalidTransition) as exc:
        MACHINE.check(S.HANDLING, trigger, {}, SYSTEM, False)
    assert exc.value.code == "guard_failed"
    assert MACHINE.check(S.HANDLING, trigger, {}, LEADER, False).dest == SAME
    assert trigger not in MACHINE.allowed(S.HANDLING, GOOD, OFFICER, True)


# --- property: check, allowed and fire agree for any facts and any actor ---------------------------------

facts_st = st.fixed_dictionaries({}, optional={
    "designated": st.booleans(),
    "within_return_window": st.booleans(),
    "before_handling_due": st.booleans(),
    "extensions_used": st.integers(0, 3),
    "max_extensions": st.integers(0, 3),
    "extension_pending": st.booleans(),
    "callback_result": st.sampled_from([None, "satisfied", "basically_satisfied", "dissatisfied"]),
    "state_before_return": st.sampled_from([None, *[s.value for s in S]]),
    "escalations_due": st.lists(st.sampled_from(["urge", "supervise"]), unique=True),
})
actor_st = st.one_of(
    st.just(SYSTEM),
    st.builds(Actor, st.just(9), st.frozensets(st.sampled_from(list(Role)))),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([s.value for s in S]), st.sampled_from(sorted(ACTION_LABELS)), facts_st, actor_st,
       st.booleans())
def test_check_allowed_fire_agree(state, trigger, facts, actor, is_assignee):
    allowed = MACHINE.allowed(state, facts, actor, is_assignee)
    try:
        row = MACHINE.check(state, trigger, facts, actor, is_assignee)
    except InvalidTransition as exc:
        assert trigger not in allowed
        assert exc.allowed == allowed
        return
    assert trigger in allowed
    assert state in row.sources
    new = MACHINE.fire(state, trigger, facts)
    assert new == (state if row.dest == SAME else row.dest)
    assert new == EXPECTED[state][trigger] or trigger == "reject_return" or EXPECTED[state][trigger] == SAME


# --- labels and metadata ---------------------------------------------------------------------------------

def test_labels_complete_and_chinese():
    assert set(STATE_LABELS) == set(MACHINE.states)
    for label in [*STATE_LABELS.values(), *ACTION_LABELS.values()]:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in label)
    assert all(t.label == ACTION_LABELS[t.trigger] for t in MACHINE.table)


def test_resolutions_cover_exactly_the_closing_triggers():
    closing = {t.trigger for t in MACHINE.table if t.dest == S.CLOSED}
    assert closing == set(RESOLUTION_BY_TRIGGER)
    assert all(MACHINE.by_trigger[t][0].dest == S.HANDLING or MACHINE.by_trigger[t][0].dest == S.RECEIVED
               for t in NEW_CYCLE_TRIGGERS)


def test_payload_documented_and_system_rows():
    assert {t.trigger for t in MACHINE.table if t.system} == {"urge", "supervise"}
    for trig in ("return_order", "request_extension", "reply", "record_callback", "rehandle",
                 "request_termination"):
        assert all(t.payload for t in MACHINE.by_trigger[trig])


def test_enum_members_and_plain_strings_both_work():
    # transitions names Enum states by member name; StateMachine normalises to the stored values.
    assert MACHINE.fire(S.SIGNED_FOR, "start_handling", {}) == "handling"
    assert MACHINE.fire("signed_for", "start_handling", {}) == S.HANDLING
    assert MACHINE.states == tuple(s.value for s in S) and all(type(s) is str for s in MACHINE.states)


def test_states_package_stays_pure():
    code = (
        "import sys, states.hotline, states.hotline_profiles, states.disclosure, states.policy\n"
        "bad = [m for m in ('sqlmodel', 'sqlalchemy', 'fastapi', 'pydantic', 'yaml', 'db', 'workflow')"
        " if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
