"""The full state × action matrix through the workflow on a real database: allowed actions succeed
(with the state the table says), every other action is refused with the list of allowed ones and
changes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import func, select

from db.engine import read_session
from db.models import Disclosure, Event
from states.disclosure import MACHINE, TRANSITIONS, DState
from states.machine import SAME
from states.roles import Role
from tests.helpers import make_staff, registration
from workflow.accounts.principal import Principal
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.errors import InvalidTransition
from workflow.timesource import local_dt

PAYLOADS: dict[str, dict] = {
    "confirm_submission": {}, "request_completion": {"message": "请补充身份证明"}, "discard_submission": {},
    "assign": {}, "reassign": {}, "request_correction": {"items": ["请写明文件名称"]},
    # probed after the correction period: received late, with the applicant's good reason (条例第三十条)
    "receive_correction": {"late_reason": "申请人出差，提供了证明"}, "lapse_correction": {},
    "start_consultation": {"consultee_kind": "third_party", "consultee_name": "某公司", "interest": "涉及该公司商业秘密"},
    "record_opinion": {"opinion": "agree"}, "lapse_consultation": {},
    "request_extension": {"days": 10, "reason": "情况复杂"}, "approve_extension": {}, "deny_extension": {},
    "request_reasons": {"facts": "本月已提出申请50件"}, "record_reasons": {"assessment": "reasonable"},
    "set_delay": {"days": 30, "reason": "数量较大"},
    "send_fee_notice": {"method": "page", "quantity": 50}, "record_payment": {}, "lapse_fee": {},
    "reply": {"category": "disclose", "reason": "provided"}, "deliver": {"method": "email"}, "archive": {},
    "withdraw": {}, "record_remedy": {"kind": "reconsideration", "filed_date": "2026-03-05"},
    "urge": {"note": "请尽快办理"}, "supervise": {"note": "请今日内办结"},
}

T_REG = local_dt(2026, 3, 2, 10)


class World:
    def __init__(self, db, staff) -> None:
        self.db, self.staff = db, staff
        # One person holding every staff role and assigned to the cases: only state and guards limit them.
        self.everyone = Principal(staff.officer.id, staff.agency_id,
                                  frozenset({Role.FRONT_DESK, Role.OFFICER, Role.LEADER}), "全能测试员")

    def payload(self, action: str) -> dict:
        p = dict(PAYLOADS[action])
        if action in ("assign", "reassign"):
            p["assignee_id"] = self.staff.officer.id
        return p

    def do(self, case_id: int, action: str, now: datetime) -> str:
        return wf.act(self.db.engine, case_id, action, self.payload(action), self.everyone, now).state

    def new_case(self) -> int:
        data = registration()
        return wf.register(self.db.engine, RegisterIn.model_validate(data), self.staff.front, T_REG).id


# How to bring a fresh case into each state, and the time at which to try actions there (lapse
# actions need their period to have run out, so some states are probed after the deadline).
Recipe = tuple[list[tuple[str, datetime]], datetime]
T1 = local_dt(2026, 3, 3, 10)
AFTER_PERIODS = local_dt(2026, 4, 20, 10)  # correction (15 WD), consultation (15 WD), fee (20 WD) all lapsed
RECIPES: dict[str, Recipe] = {
    DState.REGISTERED: ([], T1),
    DState.HANDLING: ([("assign", T1)], T1),
    DState.AWAITING_CORRECTION: ([("assign", T1), ("request_correction", T1)], AFTER_PERIODS),
    DState.CONSULTING: ([("assign", T1), ("start_consultation", T1)], AFTER_PERIODS),
    DState.AWAITING_FEE: ([("assign", T1), ("send_fee_notice", T1)], AFTER_PERIODS),
    DState.REPLIED: ([("assign", T1), ("reply", T1)], T1),
    DState.DELIVERED: ([("assign", T1), ("reply", T1), ("deliver", T1)], T1),
    DState.CLOSED: ([("assign", T1), ("withdraw", T1)], T1),
    DState.ARCHIVED: ([("assign", T1), ("withdraw", T1), ("archive", T1)], T1),
}


def _counts(db, case_id: int) -> tuple[int, int, str]:
    with read_session(db.engine) as s:
        row = s.get(Disclosure, case_id)
        assert row is not None
        n = s.exec(select(func.count()).select_from(Event).where(Event.case_id == case_id)).one()
        return row.version, int(n), row.state


@pytest.mark.parametrize("state", list(RECIPES))
def test_state_action_matrix(sqlite_db, clock, state: str) -> None:
    staff = make_staff(sqlite_db.engine, clock.now())
    world = World(sqlite_db, staff)
    steps, probe_at = RECIPES[state]

    def fresh() -> int:
        cid = world.new_case()
        for action, at in steps:
            world.do(cid, action, at)
        return cid

    probe = fresh()
    assert _counts(sqlite_db, probe)[2] == state
    with read_session(sqlite_db.engine) as s:
        from workflow.disclosure.queries import get_detail

        allowed = [a["action"] for a in get_detail(s, probe, world.everyone, now=probe_at)["allowed_actions"]]
    table_allowed = {t.trigger for t in TRANSITIONS if state in t.sources}
    assert set(allowed) <= table_allowed
    before = _counts(sqlite_db, probe)
    for action in MACHINE.triggers:
        if action in allowed:
            continue
        with pytest.raises(InvalidTransition) as e:
            world.do(probe, action, probe_at)
        assert e.value.allowed == allowed, action
        assert _counts(sqlite_db, probe) == before, f"{action} changed something"
    for action in allowed:
        cid = fresh()
        if action in ("approve_extension", "deny_extension"):
            world.do(cid, "request_extension", probe_at)
        row = next(t for t in TRANSITIONS if t.trigger == action and state in t.sources)
        new_state = world.do(cid, action, probe_at)
        assert new_state == (state if row.dest == SAME else row.dest), action


def test_reasons_actions(sqlite_db, clock) -> None:
    """条例第三十五条: the reasons are recorded once asked for; a delayed reply period needs them found reasonable."""
    staff = make_staff(sqlite_db.engine, clock.now())
    world = World(sqlite_db, staff)
    cid = world.new_case()
    world.do(cid, "assign", T1)
    for action in ("record_reasons", "set_delay"):
        with pytest.raises(InvalidTransition):
            world.do(cid, action, T1)
    world.do(cid, "request_reasons", T1)
    with pytest.raises(InvalidTransition):
        world.do(cid, "set_delay", T1)
    assert world.do(cid, "record_reasons", T1) == DState.HANDLING
    with pytest.raises(InvalidTransition):
        world.do(cid, "record_reasons", T1)  # recorded once per request
    assert world.do(cid, "set_delay", T1) == DState.HANDLING
    with pytest.raises(InvalidTransition):
        world.do(cid, "set_delay", T1)


def test_pending_extension_actions(sqlite_db, clock) -> None:
    staff = make_staff(sqlite_db.engine, clock.now())
    world = World(sqlite_db, staff)
    cid = world.new_case()
    world.do(cid, "assign", T1)
    with pytest.raises(InvalidTransition):
        world.do(cid, "approve_extension", T1)
    world.do(cid, "request_extension", T1)
    assert world.do(cid, "deny_extension", T1) == DState.HANDLING
    # A denied request does not count as the one extension: it may be asked again.
    world.do(cid, "request_extension", T1)
    assert world.do(cid, "approve_extension", T1) == DState.HANDLING
    with pytest.raises(InvalidTransition):
        world.do(cid, "request_extension", T1)


