"""What the portal says about the reply deadline comes from the rule that moves it: during 补正 the period
restarts (条例第三十条), it is not paused; during a consultation the time is not counted (第三十三条第三款)."""

from __future__ import annotations

from db.engine import read_session
from tests.helpers import make_staff, registration
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.portal.lookup import lookup


def test_portal_reply_deadline_during_correction_and_consultation(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)), staff.front,
                    clock.now())
    wf.act(db.engine, r.id, "request_correction", {"items": ["请写明文件名称"]}, staff.officer, clock.now())
    with read_session(db.engine) as s:
        view = lookup(s, r.tracking_no, r.query_code)
    assert view is not None and view["reply_due"] is None
    assert "重新计算" in view["reply_clock_note"] and "第三十条" in view["reply_clock_note"]
    assert "暂停" not in view["reply_clock_note"] and "顺延" not in view["reply_clock_note"]
    wf.act(db.engine, r.id, "receive_correction", {}, staff.front, clock.now())
    wf.act(db.engine, r.id, "start_consultation", {"consultee_kind": "third_party", "consultee_name": "某公司",
                                                   "interest": "含该公司报价"}, staff.officer, clock.now())
    with read_session(db.engine) as s:
        view = lookup(s, r.tracking_no, r.query_code)
    assert view is not None and view["reply_due"] and "不计算在答复期限内" in view["reply_clock_note"]


def test_withdrawal_reports_how_the_applicant_is_told(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    for email, channel in (("", "print"), ("a@example.com", "email")):
        over = {"email": email, "obtain_way": "collect"} if not email else {"email": email}
        r = wf.register(db.engine, RegisterIn.model_validate(registration(**over)), staff.front, clock.now())
        done = wf.act(db.engine, r.id, "withdraw", {"reason": "已另行获取"}, staff.front, clock.now())
        assert done.result["notice_channel"] == channel
