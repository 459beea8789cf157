"""12345 work orders with real 2026 dates, for each shipped profile, on SQLite and PostgreSQL.

2026 calendar (rules.md §4.2): 清明 4/4–4/6, 劳动节 5/1–5/5 (5/9 Sat worked). Working hours 09:00–12:00,
14:30–18:00. Profiles (docs/hotline-profiles.md): handling in working days —
yunnan_county 咨询3 求助7 投诉15; guangdong 2/10/15; sichuan 3/7/15; shandong 5 for all; sign-for 1 WD
(urgent: 2 working hours), return window 2 WD, one extension of at most 10 WD, callback 1 WD.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import Outbox, WorkOrderCycle
from notifications.render import render
from tests.helpers import make_staff
from tests.hotline_helpers import PROFILES, SH, act, clock, detail, due_local, local, new_order, set_profile
from workflow.errors import DomainValidation, InvalidTransition
from workflow.hotline.context import cached_profile

HANDLING = {  # profile → {category: working days}
    "yunnan_county": {"consult": 3, "help": 7, "complaint": 15},
    "guangdong": {"consult": 2, "help": 10, "complaint": 15},
    "sichuan": {"consult": 3, "help": 7, "complaint": 15},
    "shandong": {"consult": 5, "help": 5, "complaint": 5},
}
# The n-th working day after Mon 2026-03-02 (n = 1..15).
AFTER_0302 = {1: "03-03", 2: "03-04", 3: "03-05", 5: "03-09", 7: "03-11", 10: "03-16", 15: "03-23"}


@pytest.fixture(params=PROFILES)
def world(request, db, clock):
    staff = make_staff(db.engine, clock.now())
    set_profile(db.engine, request.param)
    return db, staff, request.param


def _cycles(db, oid):
    with read_session(db.engine) as s:
        return s.exec(select(WorkOrderCycle).where(WorkOrderCycle.workorder_id == oid)
                      .order_by(WorkOrderCycle.cycle)).all()  # type: ignore[arg-type]


def test_consultation_signed_for_and_replied_in_time(world):
    db, staff, profile = world
    t0 = local(2026, 3, 2, 9, 15)
    oid = new_order(db.engine, staff.front, t0, category="咨询", content="咨询医保异地就医备案办理流程")
    d = detail(db.engine, oid, staff.front, t0)
    assert d["state"] == "received" and d["profile_code"] == profile
    assert due_local(clock(d, "sign_for")) == "2026-03-03 24:00"
    assert due_local(clock(d, "return_window")) == "2026-03-04 24:00"
    n = HANDLING[profile]["consult"]
    assert clock(d, "handling")["due_date"] == f"2026-{AFTER_0302[n]}"
    lines = clock(d, "handling")["explanation"]
    assert any(cached_profile(profile).name in line and "咨询" in line for line in lines)
    assert not any(profile in line for line in lines)  # the code is not for clerks (issue 20)
    assert d["handling_due"]["source"] == "profile"

    act(db.engine, oid, "sign_for", staff.front, local(2026, 3, 2, 10))
    act(db.engine, oid, "assign", staff.front, local(2026, 3, 2, 10, 5), assignee_id=staff.officer.id)
    act(db.engine, oid, "start_handling", staff.officer, local(2026, 3, 2, 11))
    r = act(db.engine, oid, "reply", staff.officer, local(2026, 3, 4, 16),
            result_text="已电话告知来电人备案流程：登录国家医保服务平台App办理。")
    assert (r.state, r.result["on_time"]) == ("replied", True)
    d = detail(db.engine, oid, staff.front, local(2026, 3, 4, 16))
    assert clock(d, "handling")["status"] == "met"
    assert clock(d, "callback")["due_date"] == "2026-03-05"
    act(db.engine, oid, "record_callback", staff.front, local(2026, 3, 5, 9), result="满意")
    assert act(db.engine, oid, "close", staff.front, local(2026, 3, 5, 9, 30)).state == "closed"

    (cyc,) = _cycles(db, oid)
    assert (cyc.signed_on_time, cyc.replied_on_time, cyc.callback_result) == (True, True, "satisfied")
    with read_session(db.engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.case_kind == "workorder", Outbox.case_id == oid)).all()
    assert {(o.notice_type, o.channel) for o in rows} == {
        ("workorder.reply_sheet", "print"), ("workorder.caller_text", "print"), ("internal.assigned", "internal")}
    for o in rows:  # every notice renders from its stored context (the catalog's required keys are there)
        text = render(o.notice_type, o.context, "txt").content.decode("utf-8")
        assert ("办理" if o.notice_type != "internal.assigned" else "分派给您承办") in text


def test_complaint_extended_once_and_refused_a_second_time(world):
    db, staff, profile = world
    t0 = local(2026, 3, 30, 9)
    oid = new_order(db.engine, staff.front, t0, received_at="2026-03-30 09:00", category="投诉")
    first_due = "2026-04-07" if profile == "shandong" else "2026-04-21"  # across 清明 4/4–4/6
    assert clock(detail(db.engine, oid, staff.front, t0), "handling")["due_date"] == first_due
    for action, who in (("sign_for", staff.front), ("assign", staff.front), ("start_handling", staff.officer)):
        act(db.engine, oid, action, who, t0, **({"assignee_id": staff.officer.id} if action == "assign" else {}))
    t1 = local(2026, 4, 3, 10)
    with pytest.raises(DomainValidation) as e:
        act(db.engine, oid, "request_extension", staff.officer, t1, reason="涉及多部门", days=11)
    assert "不能超过10个工作日" in e.value.fields[0]["message"]
    act(db.engine, oid, "request_extension", staff.officer, t1, reason="涉及多部门，需现场核查", days=10)
    act(db.engine, oid, "deny_extension", staff.front, t1, note="平台不同意延期")  # a refusal does not count
    act(db.engine, oid, "request_extension", staff.officer, t1, reason="涉及多部门，需现场核查", days=10)
    act(db.engine, oid, "approve_extension", staff.front, t1, days=10, note="平台批准")
    d = detail(db.engine, oid, staff.front, t1)
    # +10 working days: 劳动节 5/1–5/5 is skipped for the later due dates.
    assert clock(d, "handling")["due_date"] == ("2026-04-21" if profile == "shandong" else "2026-05-08")
    assert any("延长 10 个工作日" in line for line in clock(d, "handling")["explanation"])
    assert (d["extensions_used"], d["extension_days_total"]) == (1, 10)
    assert [a["status"] for a in d["approvals"]] == ["denied", "approved"]
    with pytest.raises(InvalidTransition) as refused:
        act(db.engine, oid, "request_extension", staff.officer, local(2026, 4, 8, 10), reason="仍需时间", days=5)
    assert "延期次数已用完" in refused.value.message
    assert "request_extension" not in refused.value.allowed and "reply" in refused.value.allowed


def test_dissatisfied_callback_reopens_with_a_new_cycle(world):
    db, staff, profile = world
    t0 = local(2026, 3, 2, 9, 15)
    oid = new_order(db.engine, staff.front, t0, category="求助", content="滨江路小区停水两天，请求尽快恢复供水")
    act(db.engine, oid, "sign_for", staff.front, t0)
    act(db.engine, oid, "assign", staff.front, t0, assignee_id=staff.officer.id)
    act(db.engine, oid, "reply", staff.officer, local(2026, 3, 5, 10), result_text="已协调自来水公司抢修")
    act(db.engine, oid, "record_callback", staff.front, local(2026, 3, 6, 9), result="不满意", note="仍未恢复供水")
    r = act(db.engine, oid, "rehandle", staff.front, local(2026, 3, 6, 11), reason="来电人不满意：仍未恢复供水")
    assert (r.state, r.result["cycle"]) == ("handling", 2)
    n = HANDLING[profile]["help"]
    d = detail(db.engine, oid, staff.front, local(2026, 3, 6, 11))
    second = {5: "2026-03-13", 7: "2026-03-17", 10: "2026-03-20"}[n]  # counted from 03-06
    assert clock(d, "handling", cycle=2)["due_date"] == second
    assert clock(d, "handling", cycle=2)["status"] == "running"
    assert clock(d, "handling", cycle=1)["status"] == "met"
    assert d["callback_result"] is None and d["cycle"] == 2
    c1, c2 = _cycles(db, oid)
    assert (c1.replied_on_time, c1.callback_result, c1.reason) == (True, "dissatisfied", "dispatch")
    assert c1.handling_due_at is not None and c1.ended_at is not None
    assert (c1.handling_due_at.astimezone(SH) - timedelta(minutes=1)).strftime("%m-%d") == AFTER_0302[n]  # 24:00
    assert (c2.reason, c2.reason_text, c2.replied_at) == ("rehandle", "来电人不满意：仍未恢复供水", None)
    act(db.engine, oid, "reply", staff.officer, local(2026, 3, 9, 15), result_text="已恢复供水并回访确认")
    act(db.engine, oid, "record_callback", staff.front, local(2026, 3, 10, 9), result="基本满意")
    assert act(db.engine, oid, "close", staff.front, local(2026, 3, 10, 10)).state == "closed"
    c1, c2 = _cycles(db, oid)
    assert (c1.callback_result, c2.callback_result, c2.replied_on_time) == ("dissatisfied", "basically_satisfied", True)


def test_return_inside_and_outside_the_window(world):
    db, staff, _ = world
    t0 = local(2026, 3, 2, 9, 15)
    inside = new_order(db.engine, staff.front, t0)
    outside = new_order(db.engine, staff.front, t0)
    act(db.engine, inside, "sign_for", staff.front, t0)
    r = act(db.engine, inside, "return_order", staff.front, local(2026, 3, 4, 17, 30), reason="不属于本单位职责，应由县住建局办理")
    assert r.state == "return_requested"
    assert act(db.engine, inside, "reject_return", staff.front, local(2026, 3, 5, 9), note="平台驳回").state == "signed_for"
    with pytest.raises(InvalidTransition) as e:
        act(db.engine, outside, "return_order", staff.front, local(2026, 3, 5, 9), reason="不属于本单位职责")
    assert "已超过申请退回的时限" in e.value.message
    other = new_order(db.engine, staff.front, t0)
    act(db.engine, other, "return_order", staff.front, local(2026, 3, 3, 9), reason="不属于本单位职责")
    r = act(db.engine, other, "accept_return", staff.front, local(2026, 3, 3, 15), note="平台同意，已改派住建局")
    assert r.state == "closed"
    d = detail(db.engine, other, staff.front, local(2026, 3, 3, 15))
    assert d["resolution"] == "returned" and all(c["status"] in ("met", "cancelled") for c in d["clocks"])


def test_designated_order_cannot_be_returned_and_reassignment_starts_fresh(world):
    db, staff, _ = world
    t0 = local(2026, 3, 2, 9, 15)
    oid = new_order(db.engine, staff.front, t0, designated="是")
    with pytest.raises(InvalidTransition) as e:
        act(db.engine, oid, "return_order", staff.front, t0, reason="不属于本单位职责")
    assert "不得退回" in e.value.message  # 潍坊条例第二十二条 (cited in the code, not to clerks elsewhere)
    oid2 = new_order(db.engine, staff.front, t0)
    act(db.engine, oid2, "return_order", staff.front, t0, reason="不属于本单位职责")
    r = act(db.engine, oid2, "reassign", staff.front, local(2026, 3, 3, 10), reason="平台改派回本单位",
            platform_due_at="2026-03-10T18:00:00+08:00")
    assert (r.state, r.result["cycle"]) == ("received", 2)
    d = detail(db.engine, oid2, staff.front, local(2026, 3, 3, 10))
    assert due_local(clock(d, "sign_for", 2)) == "2026-03-04 24:00"
    assert due_local(clock(d, "handling", 2)) == "2026-03-10 18:00"
    assert clock(d, "sign_for", 1)["status"] == "cancelled"


def test_platform_deadline_wins(world):
    db, staff, profile = world
    t0 = local(2026, 3, 2, 9, 15)
    earlier = new_order(db.engine, staff.front, t0, platform_due_at="2026-03-06 18:00")
    later = new_order(db.engine, staff.front, t0, platform_due_at="2026-04-30")
    d = detail(db.engine, earlier, staff.front, t0)
    h = clock(d, "handling")
    assert due_local(h) == "2026-03-06 18:00" and d["handling_due"]["source"] == "platform"
    assert any("以平台时限为准" in line for line in h["explanation"])
    computed = f"2026-{AFTER_0302[HANDLING[profile]['complaint']]} 24:00"
    assert any(f"计算应为 {computed}，未采用" in line for line in h["explanation"]), h["explanation"]
    d = detail(db.engine, later, staff.front, t0)
    assert clock(d, "handling")["due_date"] == "2026-04-30" and d["handling_due"]["source"] == "platform"


@pytest.mark.parametrize(("received", "due"), [
    ("2026-03-02 11:00", "2026-03-02 15:30"),  # 11:00–12:00, lunch, 14:30–15:30
    ("2026-03-02 17:00", "2026-03-03 10:00"),  # 17:00–18:00, night, 09:00–10:00
    ("2026-03-06 20:00", "2026-03-09 11:00"),  # Friday evening → Monday 09:00–11:00
    ("2026-04-03 16:30", "2026-04-07 09:30"),  # Friday before 清明 (4/4–4/6) → Tuesday
])
def test_urgent_order_signs_for_within_working_hours(world, received, due):
    db, staff, _ = world
    t0 = local(2026, 4, 7, 12)
    oid = new_order(db.engine, staff.front, t0, urgency="紧急", received_at=received)
    d = detail(db.engine, oid, staff.front, t0)
    s = clock(d, "sign_for")
    assert s["explanation"] and due_local(s) == due
    assert any("2个工作小时" in line for line in s["explanation"])
    assert clock(d, "handling")["due_date"] == received[:10]  # urgent: the same day


def test_urgent_sign_for_on_time_and_late(world):
    db, staff, _ = world
    on_time = new_order(db.engine, staff.front, local(2026, 3, 2, 11), urgency="紧急", received_at="2026-03-02 11:00")
    late = new_order(db.engine, staff.front, local(2026, 3, 2, 11), urgency="紧急", received_at="2026-03-02 11:00")
    act(db.engine, on_time, "sign_for", staff.front, local(2026, 3, 2, 15, 30))
    act(db.engine, late, "sign_for", staff.front, local(2026, 3, 2, 15, 31))
    assert [c.signed_on_time for c in _cycles(db, on_time) + _cycles(db, late)] == [True, False]
