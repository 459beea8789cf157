"""Each role × each page and action; officers only on their own cases; applicants only with their own code."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

from db.engine import read_session, write_session
from db.models import Disclosure, Event, StoredFile
from notifications.files import file_path
from tests.web.conftest import Web, count, csrf_of, register_case

ROLES = ("front", "officer", "officer2", "leader", "admin")
OK, DENIED = 200, 403

# page → roles that get it (everyone else: 403)
PAGES: dict[str, set[str]] = {
    "/frontdesk/register": {"front", "leader"},
    "/frontdesk/receipt/{id}": {"front", "leader"},
    "/cases": {"front", "officer", "officer2", "leader"},
    "/cases/mine": {"front", "officer", "officer2", "leader"},
    "/cases/disclosure/{id}": {"front", "officer", "leader"},  # officer2: not assigned to them
    "/leader": {"leader"},
    "/admin/users": {"admin"},
    "/admin/calendar": {"admin"},
    "/admin/agency": {"admin"},
    "/admin/system": {"admin"},
    "/workorders": {"front", "officer", "officer2", "leader"},  # 12345 pages: staff who handle orders
    "/reports": {"leader", "admin"},
    "/supervisor": set(),  # supervisors only (tests/web/test_supervisor_pages.py)
}


@pytest.mark.parametrize("who", ROLES)
def test_role_page_matrix(web: Web, who: str) -> None:
    case = register_case(web)
    c = web.login(who)
    for page, allowed in PAGES.items():
        r = c.get(page.format(id=case.id))
        expected = OK if who in allowed else DENIED
        assert r.status_code == expected, (who, page, r.status_code)
        assert '<html lang="zh-CN">' in r.text
        if expected == DENIED:
            assert "无权" in r.text


def test_home_depends_on_the_role(web: Web) -> None:
    homes = {"front": "/frontdesk/register", "officer": "/cases/mine", "leader": "/leader", "admin": "/admin/users"}
    for who, home in homes.items():
        assert web.login(who).get("/").headers["location"] == home


def test_officer_lists_only_their_own_cases(web: Web) -> None:
    mine = register_case(web)
    other = register_case(web, assignee_id=web.staff.officer2.id, applicant_name="李四")
    c = web.login("officer")
    for url in ("/cases/mine", "/cases", "/cases?assignee=" + str(web.staff.officer2.id)):
        html = c.get(url).text
        assert f"/cases/disclosure/{mine.id}" in html and f"/cases/disclosure/{other.id}" not in html, url


def test_officer_cannot_act_on_a_case_not_assigned_to_them(web: Web) -> None:
    case = register_case(web)
    c = web.login("officer2")
    before = count(web, Event)
    token = csrf_of(c.get("/cases/mine").text)
    r = c.post(f"/cases/disclosure/{case.id}/actions/request_correction", data={"items": "x", "csrf_token": token})
    assert r.status_code == 403 and "未分派给您" in r.text
    r = c.post(f"/cases/disclosure/{case.id}/actions/reply",
               data={"category": "disclose", "reason": "provided", "csrf_token": token})
    assert r.status_code == 403
    assert count(web, Event) == before


@pytest.mark.parametrize(("who", "action", "data", "status"), [
    ("front", "request_correction", {"items": "请写明文件名称"}, 403),  # the officer's action
    ("leader", "request_correction", {"items": "请写明文件名称"}, 403),  # the table gives it to officers only
    ("officer", "reassign", {"assignee_id": "0"}, 403),  # only a leader reassigns
    ("officer", "request_correction", {"items": "请写明文件名称"}, 303),
    ("front", "withdraw", {"reason": "申请人书面撤回"}, 303),
    ("leader", "reassign", {"assignee_id": "officer2", "reason": "工作调整"}, 303),
])
def test_actions_by_role(web: Web, who: str, action: str, data: dict[str, Any], status: int) -> None:
    case = register_case(web)
    data = {k: (str(web.staff.officer2.id) if v == "officer2" else v) for k, v in data.items()}
    c = web.login(who)
    r = web.post(c, f"/cases/disclosure/{case.id}/actions/{action}", data, page=f"/cases/disclosure/{case.id}")
    assert r.status_code == status, r.text[:500]
    if status == 403:
        assert "没有执行此操作的权限" in r.text


def test_only_allowed_actions_are_offered(web: Web) -> None:
    case = register_case(web)
    summaries = {}
    for who in ("front", "officer", "leader"):
        html = web.login(who).get(f"/cases/disclosure/{case.id}").text
        summaries[who] = set(re.findall(r'id="action-([a-z_]+)"', html))
    assert "request_correction" in summaries["officer"] and "reply" in summaries["officer"]
    assert "request_correction" not in summaries["front"] and "reply" not in summaries["front"]
    assert "reassign" in summaries["leader"] and "reassign" not in summaries["officer"]
    assert "approve_extension" not in summaries["leader"]  # nothing pending


def test_admin_and_front_desk_cannot_reach_each_others_posts(web: Web) -> None:
    front, admin = web.login("front"), web.login("admin")
    token = csrf_of(front.get("/frontdesk/register").text)
    assert front.post("/admin/users", data={"username": "x", "csrf_token": token}).status_code == 403
    token = csrf_of(admin.get("/admin/users").text)
    assert admin.post("/frontdesk/register", data={"csrf_token": token}).status_code == 403
    officer = web.login("officer")
    token = csrf_of(officer.get("/cases/mine").text)
    assert officer.post("/leader/approvals/1/approve", data={"csrf_token": token}).status_code == 403


def test_personal_data_in_full_only_for_roles_that_need_it_and_masked_in_lists(web: Web) -> None:
    case = register_case(web, phone="13800138000")
    with read_session(web.db.engine) as s:
        row = s.get(Disclosure, case.id)
        assert row is not None
        full_id = row.id_number
    for who in ("front", "officer", "leader"):
        assert full_id in web.login(who).get(f"/cases/disclosure/{case.id}").text, who
    for who in ("front", "leader"):
        listing = web.login(who).get("/cases").text
        assert full_id not in listing and "13800138000" not in listing
        assert full_id[:4] + "*" in listing and "138****8000" in listing  # one rule: states.formats


def _stored_file(web: Web, case_id: int, body: bytes, for_applicant: bool = True) -> int:
    sha = hashlib.sha256(body).hexdigest()
    path = file_path(sha, web.db.settings.files_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    with write_session(web.db.engine) as s:
        f = StoredFile(agency_id=web.staff.agency_id, case_kind="disclosure", case_id=case_id, category="notice",
                       notice_type="disclosure.reply", filename="答复书.pdf", content_type="application/pdf",
                       sha256=sha, size=len(body), for_applicant=for_applicant, created_at=web.clock.now())
        s.add(f)
        s.commit()
        assert f.id is not None
        return f.id


def _lookup(web: Web, c: Any, number: str, code: str) -> Any:
    token = csrf_of(c.get("/chaxun").text)
    return c.post("/chaxun", data={"tracking_no": number, "query_code": code, "csrf_token": token})


def test_applicant_sees_own_application_and_downloads_own_documents_only(web: Web) -> None:
    a, b = register_case(web), register_case(web, applicant_name="李四")
    fa = _stored_file(web, a.id, b"%PDF-1.4 reply for A")
    internal = _stored_file(web, a.id, b"%PDF-1.4 internal draft", for_applicant=False)
    c = web.client()
    r = _lookup(web, c, a.tracking_no, a.query_code)
    assert r.status_code == 200 and "您的申请正在办理中。" in r.text and "答复书.pdf" in r.text
    assert f"/chaxun/files/{internal}" not in r.text
    token = csrf_of(r.text)
    ok = c.post(f"/chaxun/files/{fa}", data={"tracking_no": a.tracking_no, "query_code": a.query_code,
                                              "csrf_token": token})
    assert ok.status_code == 200 and ok.content == b"%PDF-1.4 reply for A"
    assert "attachment" in ok.headers["content-disposition"]
    # another application's number with this code, this number with another's code: the same answer
    wrong_pair = _lookup(web, c, b.tracking_no, a.query_code)
    unknown = _lookup(web, c, "依申〔2026〕9999号", a.query_code)
    assert wrong_pair.status_code == unknown.status_code == 404
    msg = "未找到该申请：请核对受理编号和查询码"
    assert msg in wrong_pair.text and msg in unknown.text
    for number, code, fid in [(b.tracking_no, b.query_code, fa), (a.tracking_no, b.query_code, fa),
                              (a.tracking_no, a.query_code, internal)]:
        r = c.post(f"/chaxun/files/{fid}", data={"tracking_no": number, "query_code": code, "csrf_token": token})
        assert r.status_code == 404, (number, fid)


def test_public_lookup_is_rate_limited(web: Web) -> None:
    case = register_case(web)
    c = web.client()
    statuses = [_lookup(web, c, case.tracking_no, "WRONGCODE1").status_code for _ in range(11)]
    assert statuses[:10] == [404] * 10 and statuses[10] == 429
    assert "查询过于频繁" in _lookup(web, c, case.tracking_no, case.query_code).text


def test_staff_document_download_follows_case_access(web: Web) -> None:
    case = register_case(web)
    fid = _stored_file(web, case.id, b"%PDF-1.4 notice")
    url = f"/cases/disclosure/{case.id}/files/{fid}"
    for who, status in (("front", 200), ("officer", 200), ("leader", 200), ("officer2", 403), ("admin", 403)):
        assert web.login(who).get(url).status_code == status, who
    preview = web.login("officer").get(url + "?inline=1")
    assert preview.headers["content-disposition"].startswith("inline")
    other = register_case(web)
    assert web.login("officer").get(f"/cases/disclosure/{other.id}/files/{fid}").status_code == 404
    assert web.client().get(url).status_code == 303  # anonymous: to the login page
    page = web.login("officer").get(f"/cases/disclosure/{case.id}").text
    assert url in page and "答复书.pdf" in page


def test_unknown_case_and_page_give_html_errors(web: Web) -> None:
    c = web.login("leader")
    assert c.get("/cases/disclosure/999").status_code == 404
    r = c.get("/no-such-page")
    assert r.status_code == 404 and "页面不存在" in r.text
    api = web.client().get("/api/no-such", headers={"accept": "application/json"})
    assert api.json()["error"]["code"] == "not_found"


def test_upload_on_the_case_page_checks_content_role_and_writes_nothing_when_refused(web: Web) -> None:
    case = register_case(web)
    url = f"/cases/disclosure/{case.id}"
    officer = web.login("officer")
    token = csrf_of(officer.get(url).text)
    ok = officer.post(url + "/files", data={"category": "correction", "csrf_token": token},
                      files={"file": ("补正材料.pdf", b"%PDF-1.4 scanned", "application/pdf")})
    assert ok.status_code == 303
    page = officer.get(url).text
    assert "补正材料.pdf" in page and "上传材料" in page
    files, events = count(web, StoredFile), count(web, Event)
    bad = officer.post(url + "/files", data={"category": "correction", "csrf_token": token},
                       files={"file": ("说明.pdf", b"just text, not a PDF", "application/pdf")})
    assert bad.status_code == 422 and "文件类型不受支持" in bad.text
    assert 'id="err-upload-file">文件类型不受支持' in bad.text
    other = web.login("officer2")
    denied = other.post(url + "/files", data={"category": "correction", "csrf_token": csrf_of(other.get("/cases").text)},
                        files={"file": ("x.pdf", b"%PDF-1.4 x", "application/pdf")})
    assert denied.status_code == 403
    assert (count(web, StoredFile), count(web, Event)) == (files, events)
