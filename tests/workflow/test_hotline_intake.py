"""12345 intake (idempotent, changed repeats recorded), links to disclosure applications, merge,
termination, and two officers acting at once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from pydantic import ValidationError
from sqlmodel import func, select

from db.engine import read_session
from db.models import Clock, Disclosure, Event, Outbox, WorkOrder
from tests.helpers import make_staff, registration
from tests.hotline_helpers import CONVERT, act, detail, due_local, local, new_order, order_input
from tests.hotline_helpers import clock as clock_of
from workflow.disclosure import actions as dwf
from workflow.disclosure.payloads import RegisterIn
from workflow.errors import Conflict, DomainValidation, InvalidTransition, StaleVersion
from workflow.hotline import actions as wf

T0 = local(2026, 3, 2, 9, 30)


def _count(db, model, **where) -> int:
    with read_session(db.engine) as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return int(s.exec(q).one())


def test_intake_is_idempotent_and_records_changed_repeats(db, clock):
    staff = make_staff(db.engine, clock.now())
    data = order_input(order_no="GD-0001", received_at="2026-03-02 09:15")
    first = wf.intake(db.engine, wf.record_from_input(data), staff.front, T0)
    again = wf.intake(db.engine, wf.record_from_input(data), staff.front, T0)
    assert (first.created, again.created, again.updated, again.id) == (True, False, False, first.id)
    assert again.version == first.version
    changed = wf.intake(db.engine, wf.record_from_input({**data, "urgency": "紧急", "location": "滨江路18号"}),
                        staff.front, T0)
    assert (changed.created, changed.updated, changed.id) == (False, True, first.id)
    assert set(changed.changes) == {"urgency", "location"}
    assert changed.changes["urgency"] == {"old": "normal", "new": "urgent"}
    assert _count(db, WorkOrder) == 1
    d = detail(db.engine, first.id, staff.front, T0)
    ev = [e for e in d["events"] if e["action"] == "update"]
    assert len(ev) == 1 and ev[0]["payload"]["changes"]["location"]["new"] == "滨江路18号"
    assert {m["clock"] for m in ev[0]["payload"]["moved"]} == {"sign_for", "handling"}
    assert due_local(clock_of(d, "sign_for")) == "2026-03-02 11:15"  # urgent now: 2 working hours
    assert clock_of(d, "handling")["due_date"] == "2026-03-02"  # urgent: the same day
    # The same number from another platform is another order.
    other = wf.intake(db.engine, wf.record_from_input(data, platform="12345-yn"), staff.front, T0)
    assert other.created and other.id != first.id


def test_changed_repeat_of_a_closed_order_is_refused(db, clock):
    staff = make_staff(db.engine, clock.now())
    data = order_input(order_no="GD-0002")
    oid = wf.intake(db.engine, wf.record_from_input(data), staff.front, T0).id
    act(db.engine, oid, "return_order", staff.front, T0, reason="不属于本单位职责")
    act(db.engine, oid, "accept_return", staff.front, T0)
    assert not wf.intake(db.engine, wf.record_from_input(data), staff.front, T0).updated
    with pytest.raises(Conflict) as e:
        wf.intake(db.engine, wf.record_from_input({**data, "content": "新的内容"}), staff.front, T0)
    assert e.value.code == "workorder_closed"


@pytest.mark.parametrize(("over", "field", "fragment"), [
    ({"category": "闲聊"}, "category", "未知的诉求类型“闲聊”"),
    ({"received_at": "2026-13-45 25:61"}, "received_at", "无法识别的时间"),
    ({"platform_due_at": "2026-03-01 18:00"}, "platform_due_at", "办理时限早于来电时间"),
    ({"order_no": " "}, "order_no", "缺少工单编号"),
    ({"received_at": "2026-03-09 09:00"}, "received_at", "来电时间晚于当前时间"),
    ({"received_at": "2016-03-01 09:00"}, "received_at", "来电时间早于十年前"),
    ({"platform_due_at": "2027-03-04"}, "platform_due_at", "办理时限晚于来电时间一年以上"),
    ({"caller_phone": "1"}, "caller_phone", "联系电话格式不正确"),
    ({"caller_phone": "1" * 21}, "caller_phone", "联系电话格式不正确"),
])
def test_bad_input_is_refused_and_nothing_is_written(db, clock, over, field, fragment):
    staff = make_staff(db.engine, clock.now())
    with pytest.raises(DomainValidation) as e:
        wf.intake(db.engine, wf.record_from_input(order_input(**over)), staff.front, T0)
    assert any(f["field"] == field and fragment in f["message"] for f in e.value.fields), e.value.fields
    assert _count(db, WorkOrder) == _count(db, Clock) == _count(db, Event, case_kind="workorder") == 0


def test_only_desk_roles_receive_orders(db, clock):
    staff = make_staff(db.engine, clock.now())
    with pytest.raises(InvalidTransition) as e:
        wf.intake(db.engine, wf.record_from_input(order_input()), staff.officer, T0)
    assert e.value.code == "forbidden"


def test_convert_to_disclosure_registers_an_application_linked_both_ways(db, clock):
    staff = make_staff(db.engine, clock.now())
    oid = new_order(db.engine, staff.front, T0, content="要求公开2025年本县农村道路建设项目招标文件")
    with pytest.raises(ValidationError):  # 条例第二十九条: the identity document is required
        act(db.engine, oid, "convert_to_disclosure", staff.front, T0, reason="属于政府信息公开申请")
    assert _count(db, Disclosure) == 0 and detail(db.engine, oid, staff.front, T0)["state"] == "received"
    r = wf.act(db.engine, oid, "convert_to_disclosure", CONVERT, staff.front, local(2026, 3, 3, 10))
    assert r.state == "closed"
    info = r.result["disclosure"]
    assert info["receipt_date"] == "2026-03-03" and info["query_code"]
    with read_session(db.engine) as s:
        d = s.get(Disclosure, info["id"])
        assert d is not None and d.source_workorder_id == oid and d.state == "registered"
        assert (d.applicant_name, d.phone, d.channel) == ("李桂兰", "13987654321", "internet")
        assert d.description.startswith("要求公开2025年")
        assert s.get(WorkOrder, oid).linked_disclosure_id == d.id  # type: ignore[union-attr]
        reply = s.exec(select(Clock).where(Clock.case_kind == "disclosure", Clock.case_id == d.id,
                                           Clock.kind == "reply")).one()
        assert reply.due_date is not None and reply.due_date.isoformat() == "2026-03-31"  # 20 WD from 03-03
        ev = s.exec(select(Event).where(Event.case_kind == "workorder", Event.case_id == oid,
                                        Event.action == "convert_to_disclosure")).one()
        assert "applicant" not in ev.payload and ev.payload["disclosure_id"] == d.id  # no identity data in the event
        assert s.exec(select(Outbox).where(Outbox.notice_type == "disclosure.receipt")).first() is not None
    assert detail(db.engine, oid, staff.front, T0)["resolution"] == "converted"


def test_petition_disclosure_points_to_the_work_order(db, clock):
    staff = make_staff(db.engine, clock.now())
    oid = new_order(db.engine, staff.front, T0, order_no="YN-PETITION-1")
    data = registration()
    data["assignee_id"] = staff.officer.id
    reg = dwf.register(db.engine, RegisterIn.model_validate(data), staff.front, T0)
    with pytest.raises(DomainValidation):
        dwf.act(db.engine, reg.id, "reply", {"category": "not_processed", "reason": "petition",
                                             "detail": {"channel_pointer": "12345热线", "workorder_no": "NOPE"}},
                staff.officer, T0)
    dwf.act(db.engine, reg.id, "reply", {"category": "not_processed", "reason": "petition",
                                         "detail": {"channel_pointer": "已转12345热线办理", "workorder_no": "YN-PETITION-1"}},
            staff.officer, T0)
    with read_session(db.engine) as s:
        assert s.get(Disclosure, reg.id).linked_workorder_id == oid  # type: ignore[union-attr]
        assert s.get(WorkOrder, oid).linked_disclosure_id == reg.id  # type: ignore[union-attr]
    assert "link_disclosure" in [e["action"] for e in detail(db.engine, oid, staff.front, T0)["events"]]


def test_merge_and_termination(db, clock):
    staff = make_staff(db.engine, clock.now())
    lead = new_order(db.engine, staff.front, T0, order_no="LEAD-1")
    dup = new_order(db.engine, staff.front, T0)
    with pytest.raises(DomainValidation):
        act(db.engine, dup, "merge", staff.front, T0, into_order_no="NO-SUCH")
    assert act(db.engine, dup, "merge", staff.front, T0, into_order_no="LEAD-1").state == "closed"
    d = detail(db.engine, dup, staff.front, T0)
    assert (d["resolution"], d["merged_into_id"]) == ("merged", lead)
    assert detail(db.engine, lead, staff.front, T0)["related_ids"] == [dup]
    oid = new_order(db.engine, staff.front, T0)
    act(db.engine, oid, "sign_for", staff.front, T0)
    act(db.engine, oid, "assign", staff.front, T0, assignee_id=staff.officer.id)
    act(db.engine, oid, "start_handling", staff.officer, T0)
    act(db.engine, oid, "request_termination", staff.officer, T0, reason="来电人拒绝提供地址", ground="服务对象拒不配合导致无法办理")
    assert act(db.engine, oid, "deny_termination", staff.front, T0).state == "handling"
    act(db.engine, oid, "request_termination", staff.officer, T0, reason="已进入信访程序", ground="petition")
    assert act(db.engine, oid, "approve_termination", staff.front, T0).state == "closed"
    d = detail(db.engine, oid, staff.front, T0)
    assert d["resolution"] == "terminated" and d["terminated_reason"].startswith("已经进入信访程序")


def test_officer_acts_only_on_own_orders(db, clock):
    staff = make_staff(db.engine, clock.now())
    oid = new_order(db.engine, staff.front, T0)
    act(db.engine, oid, "sign_for", staff.front, T0)
    act(db.engine, oid, "assign", staff.front, T0, assignee_id=staff.officer.id)
    with pytest.raises(InvalidTransition) as e:
        act(db.engine, oid, "reply", staff.officer2, T0, result_text="x")
    assert e.value.code == "forbidden"
    with pytest.raises(DomainValidation):
        act(db.engine, oid, "assign", staff.front, T0, assignee_id=staff.leader.id)  # not an officer


@pytest.mark.postgres
def test_two_officers_at_once_one_wins_the_other_gets_stale_version(pg_db, clock):
    staff = make_staff(pg_db.engine, clock.now())
    oid = new_order(pg_db.engine, staff.front, T0)
    act(pg_db.engine, oid, "sign_for", staff.front, T0)
    act(pg_db.engine, oid, "assign", staff.front, T0, assignee_id=staff.officer.id)
    version = detail(pg_db.engine, oid, staff.front, T0)["version"]
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def run(name, who, action, payload):
        barrier.wait()
        try:
            outcomes[name] = wf.act(pg_db.engine, oid, action, payload, who, T0, expected_version=version).state
        except StaleVersion as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=run, args=("officer", staff.officer, "reply", {"result_text": "已处理"})),
               threading.Thread(target=run, args=("leader", staff.leader, "start_handling", {}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    stale = [k for k, v in outcomes.items() if isinstance(v, StaleVersion)]
    assert len(outcomes) == 2 and len(stale) == 1, outcomes
    d = detail(pg_db.engine, oid, staff.front, T0)
    assert d["version"] == version + 1
    assert d["state"] == ("replied" if stale == ["leader"] else "handling")
