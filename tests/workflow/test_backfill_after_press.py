"""A step done on paper before the sweeps pressed the case is still recorded as of its day: 催办 and 督办 (by the
escalation sweep, or by a leader who did not know) press a case, they are not steps of its course, so a reply posted
on the due day and entered after the next day's 催办 is a back-filled step dated the due day — on time — not refused
as "earlier than the previous step". A state-changing step still bounds the next one."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import Clock, WorkOrder
from tests.helpers import make_staff
from tests.hotline_helpers import local, new_order
from tests.workflow.sweep_helpers import at, clock_of, register_on, run
from workflow.disclosure import actions as wf
from workflow.errors import DomainValidation
from workflow.hotline import actions as hwf

REASON = "答复已于到期日寄出，次日据邮寄回执补录"
RECEIVED, DUE, URGED = date(2026, 9, 2), date(2026, 9, 30), date(2026, 10, 8)


def test_reply_on_the_due_day_entered_after_the_sweeps_urge(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, RECEIVED)
    assert run(db.engine, "escalation", at(URGED, 10)).done.get("urge") == 1
    wf.act(db.engine, case, "urge", {"note": "请尽快答复"}, staff.leader, at(URGED, 10, 30))  # by hand too
    wf.act(db.engine, case, "reply", {"category": "disclose", "reason": "provided"}, staff.officer, at(URGED, 11),
           effective_at=at(DUE, 15), backfill_reason=REASON)
    reply = clock_of(db.engine, case, "reply")
    assert (reply.status, reply.breached_at, reply.overdue_level) == ("met", None, 0)  # kept, not breached
    with pytest.raises(DomainValidation) as e:  # the reply is a step of the case's course: nothing before it
        wf.act(db.engine, case, "urge", {"note": "x"}, staff.leader, at(URGED, 12), effective_at=at(DUE, 14),
               backfill_reason=REASON)
    assert e.value.fields[0]["field"] == "effective_at"


def test_order_handled_before_the_sweeps_urge(db) -> None:
    staff = make_staff(db.engine, local(2026, 3, 2, 8))
    oid = new_order(db.engine, staff.front, local(2026, 3, 2, 9, 30), category="咨询",
                    received_at="2026-03-02 09:00:00")
    hwf.act(db.engine, oid, "assign", {"assignee_id": staff.officer.id}, staff.front, local(2026, 3, 2, 10))
    hwf.act(db.engine, oid, "sign_for", {}, staff.front, local(2026, 3, 2, 10, 5))
    pressed = run(db.engine, "escalation", local(2026, 3, 16, 10)).done
    assert pressed.get("urge"), pressed
    hwf.act(db.engine, oid, "reply", {"result_text": "已电话答复来电人"}, staff.officer, local(2026, 3, 16, 11),
            effective_at=local(2026, 3, 4, 15), backfill_reason=REASON)
    with read_session(db.engine) as s:
        met = {c.kind: (c.breached_at, c.overdue_level) for c in s.exec(select(Clock).where(
            Clock.case_kind == "workorder", Clock.case_id == oid, Clock.status == "met"))}
        order = s.get(WorkOrder, oid)
    assert met and all(v == (None, 0) for v in met.values()), met
    assert order is not None and order.state == "replied"
