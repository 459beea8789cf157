"""Issue 20 (4): the leader's dashboard keeps the kinds apart — the disclosure figures count applications only, an
unassigned 12345 order is not 未分办 under the disclosure box — and shows the open caseload per officer and per unit
with due-soon and overdue counts, each figure drilling down to a list of exactly those cases."""

from __future__ import annotations

import html as html_lib
import re

from tests.hotline_helpers import local, order_input
from tests.web.conftest import Web, register_case
from workflow.hotline import actions as hwf


def _order(web: Web, **over: str) -> int:
    return hwf.intake(web.db.engine, hwf.record_from_input(order_input(**over)), web.staff.front, web.clock.now()).id


def _total(html: str) -> int:
    m = re.search(r"共 (\d+) 件", html)
    assert m, "no total on the list"
    return int(m.group(1))


def _row(html: str, table: str, key: str) -> list[str]:
    m = re.search(rf'<tr id="{table}-{key}">(.*?)</tr>', html, re.S)
    assert m, (table, key)
    return re.findall(r'<td class="num">(.*?)</td>', m.group(1), re.S)


def _number(cell: str) -> int:
    return int(re.sub(r"<[^>]+>", "", cell).strip())


def test_caseload_by_officer_and_unit_kinds_apart_and_every_figure_drills_down(web: Web) -> None:
    staff = web.staff
    # disclosure: one long overdue (received in January), one fresh for the officer, one for officer2, one unassigned
    register_case(web, received_at="2026-01-05T09:00:00+08:00", applicant_name="甲")
    register_case(web, applicant_name="乙")
    register_case(web, assignee_id=staff.officer2.id, applicant_name="丙")
    register_case(web, assignee_id=None, applicant_name="丁")
    # 12345: the officer's order, and an urgent one nobody has signed for (2 working hours: due 11:30)
    mine = _order(web, received_at="2026-03-02 09:00:00")
    hwf.act(web.db.engine, mine, "sign_for", {}, staff.front, web.clock.now())
    hwf.act(web.db.engine, mine, "assign", {"assignee_id": staff.officer.id}, staff.front, web.clock.now())
    _order(web, urgency="紧急", received_at="2026-03-02 09:30:00")
    web.clock.set(local(2026, 3, 2, 15, 0))
    leader = web.fresh("leader")
    page = leader.get("/leader").text

    # the disclosure box counts applications only: one overdue, not two
    assert re.search(r'id="stat-overdue"><div class="n">1</div>', page)
    officer = [_number(c) for c in _row(page, "load-officer", str(staff.officer.id))]
    assert officer[:3] == [2, 0, 1] and officer[3] == 1  # disclosure: open, soon, overdue; 12345: open …
    nobody = [_number(c) for c in _row(page, "load-officer", "none")]
    assert nobody[0] == 1 and nobody[2] == 0  # the unassigned application, not overdue
    assert nobody[3] == 1 and nobody[5] == 1  # the unsigned urgent order: open and overdue, as 12345
    assert "未分办／未指派" in page

    # every figure of both tables is a link to a list of exactly that many cases, of its own kind
    links = re.findall(r'<a (?:class="[a-z]+" )?href="(/cases\?kind=[^"]+)">(\d+)</a>', page)
    assert len(links) >= 8
    for href, n in links:
        listed = leader.get(html_lib.unescape(href)).text
        assert _total(listed) == int(n), (href, n)
        kind = re.search(r"kind=(\w+)", href)
        assert kind
        other = "12345工单" if kind.group(1) == "disclosure" else "依申请公开"
        assert f"<td>{other}</td>" not in listed, href
