"""The full 12345 state × action matrix through the workflow on a real database: allowed actions succeed
(with the state the table says), every other action is refused with the list of allowed ones and
changes nothing."""

from __future__ import annotations

import types
from datetime import datetime

import pytest
from sqlmodel import func, select

from db.engine import read_session
from db.models import Event, Outbox, WorkOrder
from notifications.render import render
from states.hotline import MACHINE, TRANSITIONS, WorkOrderState
from states.machine import SAME
from states.roles import Role
from tests.helpers import make_staff
from tests.hotline_helpers import CONVERT, detail, local, new_order
from workflow.accounts.principal import Principal, system
from workflow.errors import InvalidTransition
from workflow.hotline import actions as wf

S = WorkOrderState
PAYLOADS: dict[str, dict] = {
    "sign_for": {}, "assign": {}, "start_handling": {}, "return_order": {"reason": "不属于本单位职责"},
    "accept_return": {}, "reject_return": {}, "reassign": {"reason": "平台改派回本单位"},
    "request_extension": {"reason": "情况复杂", "days": 5}, "approve_extension": {"days": 5},
    "deny_extension": {}, "interim_reply": {"text": "正在协调相关部门"}, "reply": {"result_text": "已处理完毕"},
    "record_callback": {"result": "dissatisfied"}, "rehandle": {"reason": "来电人不满意"}, "close": {},
    "urge": {}, "supervise": {}, "request_termination": {"reason": "来电人拒不配合", "ground": "uncooperative"},
    "approve_termination": {}, "deny_termination": {}, "convert_to_disclosure": CONVERT,
    "merge": {"into_order_no": "LEAD-0001"},
}

T0 = local(2026, 3, 2, 9, 15)
T1 = local(2026, 3, 3, 10)  # inside every window: sign-for, return (2 WD), handling
OVERDUE = local(2026, 4, 1, 10)  # handling (15 WD, due 03-23) overdue by 7 working days: 催办 and 督办 due

# How to bring a fresh order into each state, and when to probe it.
Recipe = tuple[list[str], datetime]
RECIPES: dict[str, Recipe] = {
    S.RECEIVED: ([], T1),
    S.SIGNED_FOR: (["sign_for"], T1),
    S.HANDLING: (["sign_for", "assign", "start_handling"], T1),
    S.RETURN_REQUESTED: (["return_order"], T1),
    S.TERMINATION_REQUESTED: (["sign_for", "assign", "request_termination"], T1),
    S.REPLIED: (["sign_for", "assign", "reply"], T1),
    S.CALLBACK_RECORDED: (["sign_for", "assign", "reply", "record_callback"], T1),
    S.CLOSED: (["sign_for", "assign", "reply", "close"], T1),
}


class World:
    def __init__(self, db, staff) -> None:
        self.db, self.staff = db, staff
        # One person holding every staff role and assigned to the orders: only state and guards limit them.
        self.everyone = Principal(staff.officer.id, staff.agency_id,
                                  frozenset({Role.FRONT_DESK, Role.OFFICER, Role.LEADER}), "全能测试员")
        new_order(db.engine, staff.front, T0, order_no="LEAD-0001")

    def payload(self, action: str) -> dict:
        p = dict(PAYLOADS[action])
        if action == "assign":
            p["assignee_id"] = self.staff.officer.id
        return p

    def do(self, oid: int, action: str, now: datetime, who: Principal | None = None) -> str:
        return wf.act(self.db.engine, oid, action, self.payload(action), who or self.everyone, now).state

    def fresh(self, steps: list[str]) -> int:
        oid = new_order(self.db.engine, self.staff.front, T0)
        for action in steps:
            self.do(oid, action, T1)
        return oid


def _counts(db, oid: int) -> tuple[int, int, str]:
    with read_session(db.engine) as s:
        row = s.get(WorkOrder, oid)
        assert row is not None
        n = s.exec(select(func.count()).select_from(Event).where(Event.case_kind == "workorder",
                                                                 Event.case_id == oid)).one()
        return row.version, int(n), row.state


def _expected(state: str, action: str, before_return: str | None = None) -> str:
    rows = [t for t in TRANSITIONS if t.trigger == action and state in t.sources]
    if action == "reject_return":
        return before_return or S.RECEIVED
    return state if rows[0].dest == SAME else rows[0].dest


@pytest.mark.parametrize("state", list(RECIPES))
def test_state_action_matrix(sqlite_db, clock, state: str) -> None:
    world = World(sqlite_db, make_staff(sqlite_db.engine, clock.now()))
    steps, probe_at = RECIPES[state]
    probe = world.fresh(steps)
    assert _counts(sqlite_db, probe)[2] == state
    allowed = [a["action"] for a in detail(sqlite_db.engine, probe, world.everyone, probe_at)["allowed_actions"]]
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
        oid = world.fresh(steps)
        if action in ("approve_extension", "deny_extension"):
            world.do(oid, "request_extension", probe_at)
        assert world.do(oid, action, probe_at) == _expected(state, action), action


def test_every_action_is_allowed_somewhere(sqlite_db, clock) -> None:
    """Each trigger succeeds from at least one state (extension decisions and escalations need their facts)."""
    world = World(sqlite_db, make_staff(sqlite_db.engine, clock.now()))
    done: set[str] = set()
    for steps, at in RECIPES.values():
        probe = world.fresh(steps)
        done |= {a["action"] for a in detail(sqlite_db.engine, probe, world.everyone, at)["allowed_actions"]}
    oid = world.fresh(RECIPES[S.HANDLING][0])
    world.do(oid, "request_extension", T1)
    done |= {a["action"] for a in detail(sqlite_db.engine, oid, world.everyone, T1)["allowed_actions"]}
    overdue = world.fresh(RECIPES[S.HANDLING][0])
    done |= {a["action"] for a in detail(sqlite_db.engine, overdue, world.everyone, OVERDUE)["allowed_actions"]}
    assert done == set(MACHINE.triggers)


def test_escalation_ladder_fired_by_the_system(sqlite_db, clock) -> None:
    """催办 on the first overdue working day, 督办 five working days later; each once per cycle."""
    world = World(sqlite_db, make_staff(sqlite_db.engine, clock.now()))
    oid = world.fresh(RECIPES[S.HANDLING][0])  # complaint, yunnan_county: handling due 2026-03-23
    bot = system(world.staff.agency_id)
    with pytest.raises(InvalidTransition) as e:
        world.do(oid, "urge", local(2026, 3, 23, 18), who=bot)  # due day itself: not overdue yet
    assert "尚未到催办时点" in e.value.message
    assert world.do(oid, "urge", local(2026, 3, 24, 9), who=bot) == S.HANDLING
    with pytest.raises(InvalidTransition):
        world.do(oid, "urge", local(2026, 3, 25, 9), who=bot)  # once
    with pytest.raises(InvalidTransition):
        world.do(oid, "supervise", local(2026, 3, 30, 9), who=bot)  # index 4
    assert world.do(oid, "supervise", local(2026, 3, 31, 9), who=bot) == S.HANDLING  # index 5
    d = detail(sqlite_db.engine, oid, world.everyone, local(2026, 3, 31, 9))
    assert d["overdue_level"] == 2
    assert [e["action"] for e in d["events"]][-2:] == ["urge", "supervise"]
    assert all(e["actor"] == "系统" for e in d["events"][-2:])
    with read_session(sqlite_db.engine) as s:
        overdue = s.exec(select(Outbox).where(Outbox.case_id == oid, Outbox.notice_type == "internal.overdue")).all()
    leader = f"user:{world.staff.leader.id}"  # every leader of the agency (here also the bootstrap admin)
    mine = [o for o in overdue if o.recipient == leader]
    assert [o.context["notice"]["level"] for o in mine] == [1, 2]  # 催办, then 督办
    assert [o.context["notice"]["days_overdue"] for o in mine] == [1, 6]
    assert {o.context["notice"]["clock_label"] for o in mine} == {"办理时限"}
    text = render("internal.overdue", mine[1].context, "txt").content.decode("utf-8")
    assert "现予督办" in text and "承办人李明" in text
    with pytest.raises(InvalidTransition) as e:  # a person without the leader role may not fire them
        world.do(oid, "urge", local(2026, 3, 31, 9), who=world.staff.officer)
    assert e.value.code in ("forbidden", "guard_failed")


def test_overdue_sweep_fires_each_step_once(sqlite_db, clock) -> None:
    """The scheduler's escalation sweep (workflow.sweeps.escalation) drives 12345 orders through act()."""
    from tests.workflow.sweep_helpers import run

    def escalate_overdue(engine, now):  # (urged, supervised) of one sweep run
        done = run(engine, "escalation", now).done
        return types.SimpleNamespace(urged=done.get("urge", 0), supervised=done.get("supervise", 0))

    world = World(sqlite_db, make_staff(sqlite_db.engine, clock.now()))
    late = world.fresh(RECIPES[S.HANDLING][0])  # handling due 2026-03-23
    unsigned = new_order(sqlite_db.engine, world.staff.front, T0)  # sign-for due 2026-03-03 (so is LEAD-0001)
    replied = world.fresh(RECIPES[S.REPLIED][0])  # its callback window passes too, but 催办 is for open orders
    r = escalate_overdue(sqlite_db.engine, local(2026, 3, 4, 9))
    assert (r.urged, r.supervised) == (2, 0)  # the two unsigned orders
    r = escalate_overdue(sqlite_db.engine, local(2026, 3, 24, 9))
    assert (r.urged, r.supervised) == (1, 2)  # the late one is urged; the unsigned ones are supervised
    r = escalate_overdue(sqlite_db.engine, local(2026, 3, 24, 10))
    assert (r.urged, r.supervised) == (0, 0)  # each step once
    r = escalate_overdue(sqlite_db.engine, local(2026, 3, 31, 9))
    assert (r.urged, r.supervised) == (0, 1)  # the late one, 5 working days after its first overdue day
    for oid in (late, unsigned):
        events = [e["action"] for e in detail(sqlite_db.engine, oid, world.everyone, T1)["events"]]
        assert events.count("urge") == 1 and events.count("supervise") == 1
    assert "urge" not in [e["action"] for e in detail(sqlite_db.engine, replied, world.everyone, T1)["events"]]


def test_every_action_bumps_the_version_even_when_nothing_else_changes(sqlite_db, clock) -> None:
    """An interim reply changes no column of the order: a stale form must still be refused."""
    from tests.helpers import make_staff
    from workflow.errors import StaleVersion
    from workflow.hotline import actions as wh

    staff = make_staff(sqlite_db.engine, clock.now())
    rec = {"platform": "12345", "order_no": "GD2026030200001", "received_at": clock.now(), "caller_name": "王五",
           "caller_phone": "13900000000", "category": "consult", "urgency": "normal", "content": "咨询办事流程"}
    res = wh.intake(sqlite_db.engine, rec, staff.front, clock.now(), source="api")
    wh.act(sqlite_db.engine, res.id, "assign", {"assignee_id": staff.officer.id}, staff.front, clock.now())
    wh.act(sqlite_db.engine, res.id, "sign_for", {}, staff.front, clock.now())
    r = wh.act(sqlite_db.engine, res.id, "start_handling", {}, staff.officer, clock.now())
    r2 = wh.act(sqlite_db.engine, res.id, "interim_reply", {"text": "正在核实"}, staff.officer, clock.now(),
                expected_version=r.version)
    assert r2.version == r.version + 1
    import pytest

    with pytest.raises(StaleVersion):
        wh.act(sqlite_db.engine, res.id, "interim_reply", {"text": "再次"}, staff.officer, clock.now(),
               expected_version=r.version)
