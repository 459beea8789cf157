"""The pages whose SQL differs by dialect (month grouping, EXISTS filters, outer joins), on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from sqlmodel import select

from db.engine import read_session
from db.models import WebSession
from tests.web.conftest import Web, register_case
from workflow.disclosure import actions as wf
from workflow.timesource import local_dt

LOCAL = """year: 2026
document: 某县人民政府关于火把节放假的通知
scope: default
holidays:
  - {name: 火把节, start: 2026-03-20, end: 2026-03-20}
"""


def test_dashboard_lists_and_preview(web_any: Web) -> None:
    web = web_any
    early = register_case(web, received_at="2026-02-10T09:00:00+08:00")
    wf.act(web.db.engine, early.id, "reply", {"category": "disclose", "reason": "provided"}, web.staff.officer,
           local_dt(2026, 2, 12, 10))
    open_case = register_case(web, assignee_id=web.staff.officer2.id)
    wf.act(web.db.engine, open_case.id, "request_extension", {"days": 5, "reason": "需调取档案"}, web.staff.officer2,
           web.clock.now())
    web.clock.set(local_dt(2026, 3, 31, 9))
    leader = web.fresh("leader")
    html = leader.get("/leader").text
    assert re.search(r'id="stat-overdue"><div class="n">1</div>', html)
    assert "承办人赵强" in html and "法规科" in html and "申请延长 <strong>5</strong>" in html
    assert "2月" in html and "100%" in html
    listing = leader.get("/cases?overdue=1&open=1").text
    assert f"/cases/disclosure/{open_case.id}" in listing and f"/cases/disclosure/{early.id}" not in listing
    assert f"/cases/disclosure/{early.id}" in leader.get("/cases?month=2026-02").text
    assert f"/cases/disclosure/{open_case.id}" in web.fresh("officer2").get("/cases/mine").text
    admin = web.fresh("admin")
    r = web.post(admin, "/admin/calendar/preview", {"text": LOCAL}, page="/admin/calendar")
    assert r.status_code == 200 and open_case.tracking_no in r.text
    assert "在线会话" in admin.get("/admin/users").text
    with read_session(web.db.engine) as s:
        assert len(s.exec(select(WebSession)).all()) >= 3
