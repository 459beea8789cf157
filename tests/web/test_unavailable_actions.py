"""Issue 20 (2): nothing vanishes unexplained — the case page lists the actions of the current state that are not
available now, each with its reason; a clock whose window has passed says so; pending approvals are marked on the
case and in the lists."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from states.disclosure import MACHINE, DState
from states.machine import InvalidTransition
from states.policy import Actor
from states.roles import Role
from tests.helpers import detail
from tests.web.conftest import Web, register_case
from workflow.disclosure import actions as wf
from workflow.timesource import local_dt


def _section(html: str, section_id: str) -> str:
    m = re.search(rf'<section class="card" id="{section_id}">(.*?)</section>', html, re.S)
    return m.group(1) if m else ""


def _clock(html: str, label: str) -> str:
    m = re.search(rf'<div class="clock[^"]*">\s*<div>{label}(.*?)</div>', html, re.S)
    assert m, label
    return m.group(1)


def test_the_machine_lists_what_the_role_may_do_but_cannot_now() -> None:
    officer = Actor(7, frozenset({Role.OFFICER}), 1)
    today = datetime(2026, 3, 12).date()
    facts = {"today": today, "correction_notice_due": datetime(2026, 3, 11).date(), "correction_requested": False,
             "reply_due": datetime(2026, 3, 30).date(), "extended": False, "extension_pending": True}
    rows = {t: (label, reason) for t, label, reason in MACHINE.unavailable(DState.HANDLING, facts, officer, True)}
    assert rows["request_correction"] == (
        "发出补正告知", "补正告知须在收到申请之日起7个工作日内发出（条例第三十条），已于3月11日届满")
    assert rows["request_extension"][1] == "已申请延期答复，待负责人审批"
    assert "approve_extension" not in rows  # the leader's, not the officer's
    assert "reply" not in rows  # available now
    # the explanation a refusal gives is the same
    with pytest.raises(InvalidTransition, match="已于3月11日届满"):
        MACHINE.check(DState.HANDLING, "request_correction", facts, officer, True)


def test_case_page_explains_the_lapsed_correction_window_and_the_pending_extension(web: Web) -> None:
    case = register_case(web)  # received Monday 2026-03-02; the correction window ends 3月11日
    officer = web.login("officer")
    html = officer.get(f"/cases/disclosure/{case.id}").text
    assert 'id="action-request_correction"' in html and 'id="unavailable-request_correction"' not in html
    assert "计时中" in _clock(html, "补正告知期限")

    web.clock.set(local_dt(2026, 3, 12, 9, 0))
    html = web.fresh("officer").get(f"/cases/disclosure/{case.id}").text
    assert 'id="action-request_correction"' not in html
    gone = _section(html, "unavailable")
    assert "发出补正告知" in gone and "补正告知须在收到申请之日起7个工作日内发出（条例第三十条），已于3月11日届满" in gone
    window = _clock(html, "补正告知期限")
    assert "已届满" in window and "计时中" not in window

    wf.act(web.db.engine, case.id, "request_extension", {"days": 10, "reason": "需要调取档案"}, web.staff.officer,
           web.clock.now())
    html = web.fresh("officer").get(f"/cases/disclosure/{case.id}").text
    assert '<span class="badge pending">延期待负责人审批</span>' in html
    assert "已申请延期答复，待负责人审批" in _section(html, "unavailable")
    for who, url in (("officer", "/cases/mine"), ("leader", "/cases"), ("leader", "/cases?open=1")):
        listed = web.fresh(who).get(url).text
        row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*/cases/disclosure/{case.id}".*?</tr>', listed, re.S)
        assert row and "延期待负责人审批" in row.group(0), (who, url)
    leader = web.fresh("leader").get(f"/cases/disclosure/{case.id}").text
    assert 'id="action-approve_extension"' in leader and "延期待负责人审批" in leader


def test_extension_after_the_reply_due_date_says_when_it_ended(web: Web) -> None:
    case = register_case(web)
    due = detail(web.db.engine, case.id, web.staff.officer, web.clock.now())
    reply = next(c for c in due["clocks"] if c["kind"] == "reply")
    day = datetime.fromisoformat(reply["due_at"]).astimezone(UTC)
    web.clock.set(local_dt(2026, 4, 15, 9, 0))
    assert web.clock.now() > day
    d = detail(web.db.engine, case.id, web.staff.officer, web.clock.now())
    why = {u["action"]: u["reason"] for u in d["unavailable_actions"]}
    m, dd = reply["due_date"].split("-")[1:]
    assert why["request_extension"] == (f"延期须在答复期限届满前决定并告知申请人（条例第三十三条第二款），"
                                        f"答复期限已于{int(m)}月{int(dd)}日届满")
    html = web.login("officer").get(f"/cases/disclosure/{case.id}").text
    assert "已逾期" in _clock(html, "答复期限") and "计时中" not in _clock(html, "答复期限")


def test_work_order_page_explains_the_extension_and_marks_the_platforms_pending_decision(web: Web) -> None:
    from tests.web.test_workorder_pages import act, assigned, order

    oid = assigned(web, order(web))  # 投诉, received Monday 2 March 2026
    act(web, oid, "start_handling", who="officer")
    act(web, oid, "request_extension", who="officer", reason="需会同住建部门现场核查", days=5)
    html = web.login("officer").get(f"/workorders/{oid}").text
    assert '<span class="badge pending">延期待平台审批</span>' in html
    assert "已有延期申请待平台审核" in _section(html, "unavailable")
    listed = web.login("front").get("/workorders").text
    assert "延期待平台审批" in listed
    act(web, oid, "deny_extension", note="不予延期")
    web.clock.set(local_dt(2026, 4, 20, 9, 0))  # past the handling deadline
    html = web.fresh("officer").get(f"/workorders/{oid}").text
    reason = _section(html, "unavailable")
    assert "申请延期" in reason and re.search(r"办理时限已于2026-\d\d-\d\d[^<]*届满，须在期限届满前申请延期", reason)
    assert "延期待平台审批" not in html
