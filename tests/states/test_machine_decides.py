"""The machine decides (issue 17): ``StateMachine.allowed`` (the conditions evaluated directly, for listing) gives
exactly what transitions itself answers (``may_<trigger>``) for every state, any facts, any actor and relation;
``fire_row`` names the row that fired and a refusal is explained."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from states import disclosure, hotline
from states.machine import InvalidTransition
from states.policy import Actor, CaseParty
from states.roles import Role

ROLE_SETS = st.frozensets(st.sampled_from(list(Role)), max_size=3)
D = st.one_of(st.none(), st.dates(min_value=date(2026, 3, 1), max_value=date(2026, 4, 30)))


@settings(max_examples=300, deadline=None)
@given(state=st.sampled_from([s.value for s in disclosure.DState]), roles=ROLE_SETS, system=st.booleans(),
       own=st.booleans(), assigned=st.booleans(), today=st.dates(min_value=date(2026, 3, 1),
                                                                   max_value=date(2026, 4, 30)),
       dues=st.tuples(D, D, D, D, D), flags=st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()))
def test_disclosure_listing_equals_the_machine(state, roles, system, own, assigned, today, dues, flags) -> None:
    facts = {"today": today, "receipt_date": date(2026, 3, 2), "correction_notice_due": dues[0],
             "correction_requested": flags[0], "correction_due": dues[1], "reply_due": dues[2], "extended": flags[1],
             "extension_pending": flags[2], "consultation_due": dues[3], "fee_due": dues[4], "delayed": flags[3]}
    actor = Actor(None if system else 7, roles if not system else frozenset(), 1)
    case = CaseParty(1 if own else 2, 7 if assigned else 8)
    m = disclosure.MACHINE
    assert m.allowed(state, facts, actor, assigned, case) == m.allowed_by_machine(state, facts, actor, assigned, case)


def _hotline_facts(data: st.DataObject) -> dict[str, object]:
    return {"designated": data.draw(st.booleans()), "within_return_window": data.draw(st.booleans()),
            "before_handling_due": data.draw(st.booleans()), "extension_pending": data.draw(st.booleans()),
            "extensions_used": data.draw(st.integers(0, 3)), "max_extensions": data.draw(st.integers(0, 2)),
            "callback_result": data.draw(st.sampled_from([None, "satisfied", "dissatisfied"])),
            "state_before_return": data.draw(st.sampled_from([None, "received", "signed_for", "handling"])),
            "escalations_due": data.draw(st.frozensets(st.sampled_from(["urge", "supervise"])))}


@settings(max_examples=200, deadline=None)
@given(state=st.sampled_from([s.value for s in hotline.WorkOrderState]), roles=ROLE_SETS, assigned=st.booleans(),
       data=st.data())
def test_hotline_listing_equals_the_machine(state, roles, assigned, data) -> None:
    facts = _hotline_facts(data)
    actor, case = Actor(7, roles, 1), CaseParty(1, 7 if assigned else 8)
    m = hotline.MACHINE
    expected = m.allowed_by_machine(state, facts, actor, assigned, case)
    assert m.allowed(state, facts, actor, assigned, case) == expected


def test_the_machine_names_the_row_that_fired_and_explains_a_refusal() -> None:
    m = disclosure.MACHINE
    facts = {"today": date(2026, 3, 3), "receipt_date": date(2026, 3, 2),
             "correction_notice_due": date(2026, 3, 11), "correction_requested": False, "correction_due": None,
             "reply_due": date(2026, 3, 30), "extended": False, "extension_pending": False,
             "consultation_due": None, "fee_due": None, "delayed": False}
    officer, case = Actor(7, frozenset({Role.OFFICER}), 1), CaseParty(1, 7)
    row, after = m.fire_row("handling", "request_correction", facts, officer, True, case)
    assert row.trigger == "request_correction" and after == "awaiting_correction"
    late = {**facts, "today": facts["correction_notice_due"] + timedelta(days=1)}
    with pytest.raises(InvalidTransition) as e:  # refused by the machine, explained by check()
        m.fire_row("handling", "request_correction", late, officer, True, case)
    assert e.value.code == "guard_failed"
    with pytest.raises(InvalidTransition) as e:
        m.fire_row("handling", "request_correction", facts, officer, False, CaseParty(1, 8))
    assert e.value.code == "forbidden"


def _outcome(fire, *args):  # type: ignore[no-untyped-def]
    """What one firing gives: the row (by identity) and the new state, or the refusal's code and message."""
    try:
        row, after = fire(*args)
    except InvalidTransition as exc:
        return ("refused", exc.code, exc.message, tuple(exc.allowed))
    return ("fired", id(row), after)


@settings(max_examples=400, deadline=None)
@given(state=st.sampled_from([s.value for s in disclosure.DState]),
       trigger=st.sampled_from([*disclosure.MACHINE.triggers, "no_such_action"]), roles=ROLE_SETS,
       who=st.sampled_from(["person", "system", "none"]), own=st.booleans(), assigned=st.booleans(),
       today=st.dates(min_value=date(2026, 3, 1), max_value=date(2026, 4, 30)),
       dues=st.tuples(D, D, D, D, D), flags=st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()))
def test_disclosure_firing_equals_the_machine(state, trigger, roles, who, own, assigned, today, dues, flags) -> None:
    """``fire_row`` (the conditions evaluated in the Machine's order, no model bound) fires the same row into the same
    state as the shared transitions Machine, and refuses with the same code, reason and allowed actions."""
    facts = {"today": today, "receipt_date": date(2026, 3, 2), "correction_notice_due": dues[0],
             "correction_requested": flags[0], "correction_due": dues[1], "reply_due": dues[2], "extended": flags[1],
             "extension_pending": flags[2], "consultation_due": dues[3], "fee_due": dues[4], "delayed": flags[3]}
    actor = None if who == "none" else Actor(None if who == "system" else 7,
                                             roles if who == "person" else frozenset(), 1)
    case = CaseParty(1 if own else 2, 7 if assigned else 8)
    m = disclosure.MACHINE
    args = (state, trigger, facts, actor, assigned, case)
    assert _outcome(m.fire_row, *args) == _outcome(m.fire_row_by_machine, *args)


@settings(max_examples=300, deadline=None)
@given(state=st.sampled_from([s.value for s in hotline.WorkOrderState]),
       trigger=st.sampled_from(hotline.MACHINE.triggers), roles=ROLE_SETS, system=st.booleans(),
       assigned=st.booleans(), data=st.data())
def test_hotline_firing_equals_the_machine(state, trigger, roles, system, assigned, data) -> None:
    facts = _hotline_facts(data)
    actor = Actor(None, frozenset(), 1) if system else Actor(7, roles, 1)
    args = (state, trigger, facts, actor, assigned, CaseParty(1, 7 if assigned else 8))
    m = hotline.MACHINE
    assert _outcome(m.fire_row, *args) == _outcome(m.fire_row_by_machine, *args)
