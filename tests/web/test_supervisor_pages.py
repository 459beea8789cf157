"""各机关概况: the supervising role sees its own and every agency's below it open cases and deadlines and drills
into one agency's list; an agency beside it stays hidden (issue 16); nobody else gets the page or another agency's
list."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from db.engine import write_session
from db.models import Agency
from tests.helpers import make_staff, registration, resident_id
from tests.hotline_helpers import SH, new_order
from tests.web.api_calls import PDF
from tests.web.conftest import Web
from workflow.accounts.users import create_user
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.hotline.files import attach_to_workorder


def _register(web: Web, front, i: int, **over):  # type: ignore[no-untyped-def]
    data = registration(applicant_name=f"申请人{i}", id_number=resident_id(f"11010519900101{i:03d}"), **over)
    return wf.register(web.db.engine, RegisterIn.model_validate(data), front, web.clock.now())


def _world(web: Web) -> int:
    """Agency "default": 申请人1 (fresh) and 申请人2 (received 60 days ago: overdue), a 12345 order received 60 days
    ago (overdue); "other", below it: 申请人3;
    "beside", not below it: 申请人4. (Tracking numbers are per agency, so each agency has a 0001: the tests tell
    cases by name.)"""
    now = web.clock.now()
    with write_session(web.db.engine) as s:
        other = Agency(code="other", name="某县另一局", settings={}, created_at=now, parent_id=web.staff.agency_id)
        s.add(other)
        s.add(Agency(code="beside", name="邻县某局", settings={}, created_at=now))
        s.commit()
        other_id = other.id
    assert other_id is not None
    other_staff = make_staff(web.db.engine, now, agency_code="other")
    beside_staff = make_staff(web.db.engine, now, agency_code="beside")
    _register(web, web.staff.front, 1, received_at=now.isoformat())
    _register(web, web.staff.front, 2, received_at=(now - timedelta(days=60)).isoformat())
    _register(web, other_staff.front, 3, received_at=now.isoformat())
    _register(web, beside_staff.front, 4, received_at=now.isoformat())
    old = (now - timedelta(days=60)).astimezone(SH)
    new_order(web.db.engine, web.staff.front, now, received_at=old.strftime("%Y-%m-%d %H:%M:%S"))  # overdue order
    create_user(web.db.engine, agency_code="default", username="default-sup", password="password123",
                roles=["supervisor"], display_name="信息中心督查", now=now)
    return other_id


def test_supervisor_overview_and_drill_down(web_any: Web) -> None:
    web = web_any
    other_id = _world(web)
    c = web.client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"username": "default-sup", "password": "password123", "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/supervisor"
    page = c.get("/supervisor")
    assert page.status_code == 200, page.text
    html = page.text
    assert "各机关概况" in html and "某县另一局" in html
    # the agency with an overdue case comes first
    assert re.findall(r'data-agency="([^"]+)"', html) == ["default", "other"]
    rows = {code: _figures(body) for code, body in re.findall(r'data-agency="([^"]+)">(.*?)</tr>', html, re.S)}
    # each kind on its own (issue 20: never one sum): open, (unconfirmed,) due today, due this week, overdue
    assert rows["default"] == {"disclosure": [2, 0, 0, 0, 1], "workorder": [1, 0, 0, 1]}, rows
    assert rows["other"] == {"disclosure": [1, 0, 0, 0, 0], "workorder": [0, 0, 0, 0]}, rows
    totals = {kind: [int(n) for n in re.findall(r'<div class="n">(\d+)</div>', block)]
              for kind, block in re.findall(r'id="totals-(\w+)">(.*?)\n</div>', html, re.S)}
    assert totals == {"disclosure": [3, 0, 0, 1, 0], "workorder": [1, 0, 0, 1]}, totals
    # the drill-down of each kind's count lists that kind only
    orders = c.get(f"/cases?agency={web.staff.agency_id}&kind=workorder&overdue=1&open=1")
    assert "YN2026" in orders.text and "申请人2" not in orders.text
    # drill-down into the other agency's list
    lst = c.get(f"/cases?agency={other_id}&open=1")
    assert lst.status_code == 200 and "申请人3" in lst.text and "申请人1" not in lst.text
    assert "正在查看其他机关的案件" in lst.text
    overdue = c.get("/cases?agency=" + str(web.staff.agency_id) + "&kind=disclosure&overdue=1&open=1")
    assert "申请人2" in overdue.text and "YN2026" not in overdue.text and "申请人1" not in overdue.text and "申请人3" not in overdue.text
    assert c.get("/cases?agency=999999").status_code == 404
    # an agency beside its own: not in the overview, its list and its cases not found
    assert "邻县某局" not in html
    beside_id = beside_staff_agency(web)
    assert c.get(f"/cases?agency={beside_id}&open=1").status_code == 404
    # a department's dashboard, read-only and without applicants' names (issue 16)
    dash = c.get(f"/supervisor/agencies/{other_id}")
    assert dash.status_code == 200 and "某县另一局" in dash.text and 'id="stat-open"' in dash.text
    assert "申请人3" not in dash.text and "<form method=\"post\"" not in dash.text.split("<main>")[1]
    assert re.search(r'id="stat-open"><div class="n">1<', dash.text)
    assert c.get(f"/supervisor/agencies/{beside_id}").status_code == 404
    assert c.get("/reports/annual?year=2025&format=json&agency=other").status_code == 200
    assert c.get("/reports/annual?year=2025&format=json&agency=beside").status_code == 404


def _figures(row: str) -> dict[str, list[int]]:
    """An agency's row of 各机关概况: the figures of each request kind."""
    out: dict[str, list[int]] = {}
    for kind, n in re.findall(r'<td class="num" data-kind="(\w+)">(?:<a [^>]*>)?(\d+)', row):
        out.setdefault(kind, []).append(int(n))
    return out


def beside_staff_agency(web: Web) -> int:
    with write_session(web.db.engine) as s:
        a = s.exec(select(Agency).where(Agency.code == "beside")).one()
        assert a.id is not None
        return a.id


def test_only_supervisors_get_the_overview_and_other_agencies(web: Web) -> None:
    other_id = _world(web)
    for who in ("front", "officer", "leader", "admin"):
        assert web.login(who).get("/supervisor").status_code == 403, who
    leader = web.login("leader")
    lst = leader.get(f"/cases?agency={other_id}&open=1")  # ignored: a leader lists their own agency only
    assert lst.status_code == 200 and "申请人3" not in lst.text and "申请人1" in lst.text
    assert "正在查看其他机关" not in lst.text
    assert web.client().get("/supervisor").status_code in (302, 303)


def test_a_supervisor_is_not_offered_files_it_may_not_open(web: Web) -> None:
    """The order page lists an order's files with 预览/下载 only for who may open them: a supervisor looks at the
    order, not at its material (the file answers 403), so the page offers none; the desk sees and opens them."""
    _world(web)
    oid = new_order(web.db.engine, web.staff.front, web.clock.now())
    attach_to_workorder(web.db.engine, oid, data=PDF, filename="现场照片.pdf", category="other",
                        actor=web.staff.front, now=web.clock.now(), settings=web.db.settings)
    desk = web.login("front").get(f"/workorders/{oid}").text
    link = re.search(rf'href="(/workorders/{oid}/files/\d+)"', desk)
    assert link and "现场照片.pdf" in desk
    sup = web.login("sup", password="password123")
    page = sup.get(f"/workorders/{oid}")
    assert page.status_code == 200 and "/files/" not in page.text  # its name stays in the record of steps
    assert sup.get(link.group(1)).status_code == 403
