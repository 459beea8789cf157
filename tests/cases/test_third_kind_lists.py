"""The test-only third kind in the lists (issue 17): registered with a ``CaseList`` in its descriptor and nothing in
the lists, the caseload or the pages, a petition assigned to an officer is in that officer's 我的案件 with its
deadline and a link to its shared case page, is found by 案件查询, is counted in the leader's caseload under its own
kind and every figure of it drills down to a list of exactly those cases — and another agency's officer sees none
of it (the one policy, states.policy, through workflow.cases.engine.list_scope)."""

from __future__ import annotations

import html as html_lib
import re

from fastapi.testclient import TestClient

from tests.cases.conftest import Web
from tests.cases.petition_kind import PETITION, new_petition
from tests.helpers import make_staff
from tests.hotline_helpers import local
from tests.web.conftest import csrf_of
from workflow.accounts.principal import system
from workflow.agencies.registry import create_agency
from workflow.cases import engine as case_engine


def _total(html: str) -> int:
    m = re.search(r"共 (\d+) 件", html)
    assert m, "no total on the list"
    return int(m.group(1))


def _list_row(html: str, href: str) -> str:
    """The list row linking to ``href`` ('' when none)."""
    return next((r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S) if f'href="{href}"' in r), "")


def _load_cells(html: str, table: str, key: str) -> list[int]:
    m = re.search(rf'<tr id="{table}-{key}">(.*?)</tr>', html, re.S)
    assert m, (table, key)
    return [int(re.sub(r"<[^>]+>", "", c).strip()) for c in re.findall(r'<td class="num">(.*?)</td>', m.group(1), re.S)]


def _login(web: Web, username: str) -> TestClient:
    c = web.client()
    r = c.post("/login", data={"username": username, "password": "password123", "csrf_token": csrf_of(c.get("/login").text)})
    assert r.status_code == 303, r.text
    return c


def test_a_third_kind_is_listed_for_its_officer_counted_and_drilled_down_to(petition_web: Web) -> None:
    web, staff = petition_web, petition_web.staff
    engine = web.db.engine
    pid = new_petition(engine, staff.agency_id)
    case_engine.act(engine, PETITION, pid, "assign", {"assignee_id": staff.officer.id}, staff.front, web.clock.now())
    url = f"/cases/petition/{pid}"

    # the officer's 我的案件: the row of the kind, with its number, petitioner (phone masked), state and deadline
    officer = web.login("officer")
    mine = officer.get("/cases/mine")
    assert mine.status_code == 200, mine.text
    row = _list_row(mine.text, url)
    assert row, "the petition is not in the officer's 我的案件"
    assert "<td>信访事项</td>" in row and ">信2026-0001</a>" in row and "王五" in row and "139****5678" in row
    assert "13912345678" not in row and "反映小区门前道路积水长期未治理" in row
    assert "办理中" in row and "信访事项办理期限 2026-03-23" in row  # 15 working days from the assignment
    assert '<option value="petition">信访事项</option>' in mine.text  # the 类别 filter offers the kind
    only = officer.get("/cases/mine?kind=petition").text
    assert _total(only) == 1 and "我的案件（信访事项）" in only and _list_row(only, url)
    assert _total(officer.get("/cases/mine?kind=disclosure").text) == 0
    assert officer.get(url).status_code == 200  # the link opens the shared case page

    # 案件查询 finds it by the petitioner's name and by its words; another officer of the agency does not list it
    front = web.login("front")
    assert _list_row(front.get("/cases?q=王五").text, url) and _list_row(front.get("/cases?q=积水").text, url)
    assert not _list_row(front.get("/cases?q=王五&kind=workorder").text, url)
    assert not _list_row(web.login("officer2").get("/cases/mine").text, url)
    assert not _list_row(web.login("officer2").get("/cases?q=王五").text, url)

    # past its deadline: the leader's caseload counts it under its own kind, for the officer and with no unit
    web.clock.set(local(2026, 3, 24, 10, 0))
    leader = web.fresh("leader")
    page = leader.get("/leader").text
    assert '<th colspan="3" class="group">信访事项</th>' in page
    assert _load_cells(page, "load-officer", str(staff.officer.id))[6:9] == [1, 0, 1]  # open, soon, overdue
    assert _load_cells(page, "load-unit", "none")[6:9] == [1, 0, 1]  # a kind without units: 未指定科室
    links = re.findall(r'<a (?:class="[a-z]+" )?href="(/cases\?kind=petition[^"]+)">(\d+)</a>', page)
    assert len(links) == 4  # open and overdue, by officer and by unit
    for href, n in links:
        listed = leader.get(html_lib.unescape(href)).text
        assert _total(listed) == int(n), (href, n)
        assert _list_row(listed, url) and "<td>依申请公开</td>" not in listed and "<td>12345工单</td>" not in listed
    assert "已逾期" in _list_row(leader.get("/cases?kind=petition&open=1&overdue=1").text, url)

    # another agency's officer: not in their lists, not by naming this agency either; their own petition is theirs
    create_agency(engine, code="other", name="邻县某局", actor=system(staff.agency_id, "命令行"), now=web.clock.now())
    other = make_staff(engine, web.clock.now(), agency_code="other")
    theirs = new_petition(engine, other.agency_id, name="赵六")
    case_engine.act(engine, PETITION, theirs, "assign", {"assignee_id": other.officer.id}, other.front, web.clock.now())
    stranger = _login(web, "other-officer")
    for path in ("/cases/mine", "/cases", f"/cases?agency={staff.agency_id}&kind=petition", "/cases?q=王五"):
        got = stranger.get(path)
        assert got.status_code == 200, (path, got.text)
        assert not _list_row(got.text, url) and "<td>王五</td>" not in got.text, path
    assert _list_row(stranger.get("/cases/mine").text, f"/cases/petition/{theirs}")
    assert not _list_row(web.login("officer").get("/cases/mine").text, f"/cases/petition/{theirs}")
    assert stranger.get(url).status_code == 404  # and the case itself does not exist for them
