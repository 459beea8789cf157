"""The test-only third kind on the real pages (issue 17, must show): registered with a ``CasePage`` descriptor (the
record's columns, state and field labels, its payload models, an upload category) and nothing else, it is shown
at /cases/petition/<id> and acted on there — forms generated from its payload models, errors at their fields, a
stale form, the one policy, an upload and its download — through the shared page, template and engine."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.cases.conftest import Web
from tests.cases.petition_kind import PETITION, new_petition
from tests.web.conftest import csrf_of, register_case
from tests.web.wording import findings
from web.api.cases import case_router


def _forms(html: str) -> set[str]:
    return set(re.findall(r'id="action-([a-z_]+)"', html))


def _version(html: str) -> str:
    m = re.search(r'name="expected_version" value="(\d+)"', html)
    assert m
    return m.group(1)


def _post(c: TestClient, url: str, page: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return c.post(url, data={**data, "csrf_token": csrf_of(c.get(page).text)})


def test_a_third_kind_is_shown_and_acted_on_through_the_shared_case_page(petition_web: Web) -> None:
    web = petition_web
    pid = new_petition(web.db.engine, web.staff.agency_id)
    url = f"/cases/petition/{pid}"
    front = web.login("front")
    page = front.get(url)
    assert page.status_code == 200, page.text
    html = page.text
    assert "信访事项" in html and "信2026-0001" in html and 'id="case-state">已登记<' in html
    assert "13912345678" in html and "反映小区门前道路积水长期未治理" in html
    assert _forms(html) == {"assign"}  # the front desk assigns; noting and answering are the officer's
    assert "承办人李明" in html and 'name="assignee_id"' in html  # the officers as a select
    assert findings(html, url, allowed_data=frozenset({"default"})) == []  # plain Chinese

    # the officer is chosen on the form; the page comes back with the new state, the clock and the timeline
    r = _post(front, f"{url}/actions/assign", url, {"assignee_id": str(web.staff.officer.id),
                                                    "expected_version": _version(html)})
    assert r.status_code == 303 and r.headers["location"] == url
    html = front.get(url).text
    assert "已完成：交办" in html and 'id="case-state">办理中<' in html and 'id="case-assignee">承办人李明<' in html
    assert "信访事项办理期限" in html and "计时中" in html and "2026-03-23 24:00" in html  # 15 working days
    assert _forms(html) == set()

    # the officer: a refused form comes back at its field, a stale one with the newer page
    officer = web.login("officer")
    html = officer.get(url).text
    assert _forms(html) == {"note", "answer"} and 'data-confirm="确认出具处理意见？出具后不能再修改。"' in html
    bad = _post(officer, f"{url}/actions/answer", url, {"text": "", "expected_version": _version(html)})
    assert bad.status_code == 422 and re.search(r'id="err-answer-text">[^<]+<', bad.text)
    stale = _post(officer, f"{url}/actions/note", url, {"text": "已约谈信访人", "expected_version": "1"})
    assert stale.status_code == 409 and "页面已显示最新内容" in stale.text
    r = _post(officer, f"{url}/actions/note", url, {"text": "已约谈信访人", "expected_version": _version(html)})
    assert r.status_code == 303
    html = officer.get(url).text
    assert "记录办理情况" in html and "内容：已约谈信访人" in html

    # an upload in the kind's category, listed and served to those who see the case in full
    r = officer.post(f"{url}/files", data={"category": "material", "csrf_token": csrf_of(html)},
                     files={"file": ("现场照片.pdf", b"%PDF-1.4 photo", "application/pdf")})
    assert r.status_code == 303, r.text
    html = officer.get(url).text
    m = re.search(rf'href="{url}/files/(\d+)"', html)
    assert m and "现场照片.pdf" in html and "信访材料" in html
    got = officer.get(f"{url}/files/{m.group(1)}")
    assert got.status_code == 200 and got.content == b"%PDF-1.4 photo"

    # the one policy: another officer and the administrator read nothing of it
    assert web.login("officer2").get(url).status_code == 403
    assert web.login("admin").get(url).status_code == 403
    assert _post(web.login("officer2"), f"{url}/actions/answer", "/cases/mine", {"text": "x"}).status_code == 403

    r = _post(officer, f"{url}/actions/answer", url, {"text": "经核查，已责成物业整改。",
                                                      "expected_version": _version(officer.get(url).text)})
    assert r.status_code == 303
    html = officer.get(url).text
    assert 'id="case-state">已出具处理意见<' in html and "经核查，已责成物业整改。" in html
    assert _forms(html) == set() and "当前没有您可以执行的操作" in html and "已完成" in html
    assert findings(html, url, allowed_data=frozenset({"default"})) == []


def test_the_shared_page_leaves_the_kinds_with_pages_of_their_own_alone(petition_web: Web) -> None:
    web = petition_web
    case = register_case(web)
    front = web.login("front")
    assert "申请记录" in front.get(f"/cases/disclosure/{case.id}").text  # the disclosure's own page
    assert front.get("/cases/workorder/1").status_code == 404  # no shared page for the work order
    assert front.get("/cases/nothing/1").status_code == 404
    assert front.get(f"/cases/petition/{case.id + 100}").status_code == 404


def test_the_api_serves_the_shared_view_without_a_detail_of_the_kinds_own(petition_web: Web) -> None:
    web = petition_web
    web.app.include_router(case_router(PETITION, prefix="/api/petitions", tag="petitions"))
    pid = new_petition(web.db.engine, web.staff.agency_id)
    with TestClient(web.app) as c:
        r = c.post("/api/token", data={"username": "default-front", "password": "password123"})
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        d = c.get(f"/api/petitions/{pid}", headers=auth).json()
        assert d["state_label"] == "已登记" and d["number"] == "信2026-0001"
        assert {"label": "联系电话", "value": "13912345678"} in d["record"]
        assert d["allowed_actions"] == [{"action": "assign", "label": "交办"}]
        files = c.post(f"/api/petitions/{pid}/files", headers=auth,
                       files={"file": ("信访件.pdf", b"%PDF-1.4 letter", "application/pdf")})
        assert files.status_code == 201, files.text  # the page's upload category is the default
