"""Following a case in the portal and the clerk's side: the uniform not-found answer, look-up limits, other
applicants' documents, withdrawal in both states, correction upload and the clerk's queues, the dashboard."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Agency, Disclosure, StoredFile
from notifications.files import store_file
from tests.web.conftest import Web, csrf_of, register_case
from tests.web.portal_helpers import application
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import OnlineSubmissionIn
from workflow.portal.submissions import Submitted, submit_online
from workflow.timesource import local_dt

LOOKUP = "/gongkai/default/chaxun"
PDF = b"%PDF-1.4\n% follow test\n"


def submitted(web: Web, **over: Any) -> Submitted:
    files = over.pop("files", [("身份证.pdf", PDF)])
    return submit_online(web.db.engine, OnlineSubmissionIn.model_validate(application(**over)), files,
                         agency_code=over.pop("agency_code", "default"), ip="198.51.100.1", now=web.clock.now(),
                         settings=web.db.settings)


def look(c: TestClient, number: str, code: str, url: str = LOOKUP) -> Any:
    return c.post(url, data={"tracking_no": number, "query_code": code, "csrf_token": csrf_of(c.get(url).text)})


def keyed_post(c: TestClient, url: str, number: str, code: str, data: dict[str, Any] | None = None,
               files: list[Any] | None = None) -> Any:
    token = csrf_of(c.get(LOOKUP).text)
    return c.post(url, data={"tracking_no": number, "query_code": code, "csrf_token": token, **(data or {})},
                  files=files or [])


def reply_file(web: Web, case_id: int) -> int:
    """A document addressed to the applicant (as the outbox stores a sent reply)."""
    with write_session(web.db.engine) as s:
        f = store_file(s, PDF + str(case_id).encode(), agency_id=web.staff.agency_id, filename=f"答复书-{case_id}.pdf",
                       content_type="application/pdf", category="notice", now=web.clock.now(), case_kind="disclosure",
                       case_id=case_id, notice_type="disclosure.reply", for_applicant=True,
                       root=web.db.settings.files_path)
        s.commit()
        assert f.id is not None
        return f.id


def test_wrong_number_wrong_code_and_other_agency_give_the_same_answer(web: Web) -> None:
    sub = submitted(web)
    with write_session(web.db.engine) as s:
        s.add(Agency(code="other", name="某县另一局", settings={}, created_at=web.clock.now()))
        s.commit()
    c = web.client()
    answers = [look(c, "网申2099999999", sub.query_code), look(c, sub.submission_no, "WRONGCODE2"),
               look(c, sub.submission_no, sub.query_code, "/gongkai/other/chaxun")]
    for r in answers:
        assert r.status_code == 404
        assert re.search(r'id="lookup-error"[^>]*>([^<]+)<', r.text).group(1) == "未找到该申请：请核对受理编号和查询码"  # type: ignore[union-attr]
    ok = look(c, sub.submission_no, sub.query_code)
    assert ok.status_code == 200 and "正在等待工作人员确认受理" in ok.text
    for url in ("/gongkai/default/chaxun/chehui", "/gongkai/default/chaxun/buzheng"):
        r = keyed_post(c, url, sub.submission_no, "WRONGCODE2", {"confirm": "yes", "note": "x"})
        assert r.status_code == 404 and "未找到该申请" in r.text
    with read_session(web.db.engine) as s:
        assert s.get(Disclosure, sub.id).state == "submitted"  # type: ignore[union-attr]


def test_lookups_are_limited_per_number_and_per_ip(web: Web) -> None:
    sub = submitted(web)
    c = web.client()
    statuses = [look(c, sub.submission_no, "WRONGCODE3").status_code for _ in range(11)]
    assert statuses[:10] == [404] * 10 and statuses[10] == 429
    assert look(c, sub.submission_no, sub.query_code).status_code == 429  # even with the right code now
    others = [look(c, f"网申20260000{i:02d}", "WRONGCODE3").status_code for i in range(20, 29)]
    assert others[-1] == 429  # 20 look-ups a minute from one address


def test_no_reading_another_applicants_documents_by_changing_numbers_or_ids(web: Web) -> None:
    a, b = register_case(web), register_case(web, applicant_name="王五", description="另一项信息")
    fa, fb = reply_file(web, a.id), reply_file(web, b.id)
    with write_session(web.db.engine) as s:  # A's own upload is not addressed to A through the look-up
        up = store_file(s, PDF + b"scan", agency_id=web.staff.agency_id, filename="扫描件.pdf",
                        content_type="application/pdf", category="application", now=web.clock.now(),
                        case_kind="disclosure", case_id=a.id, root=web.db.settings.files_path)
        s.commit()
        scan = up.id
    c = web.client()

    def get(file_id: int, number: str, code: str) -> Any:
        return keyed_post(c, f"/chaxun/files/{file_id}", number, code)

    own = get(fa, a.tracking_no, a.query_code)
    assert own.status_code == 200 and own.content.startswith(b"%PDF")
    assert own.headers["content-disposition"].startswith("attachment") and own.headers["x-content-type-options"] == "nosniff"
    assert get(fb, a.tracking_no, a.query_code).status_code == 404  # B's file id with A's keys
    assert get(fb, b.tracking_no, a.query_code).status_code == 404  # B's number with A's code
    assert get(fa + 1000, a.tracking_no, a.query_code).status_code == 404
    assert get(scan or 0, a.tracking_no, a.query_code).status_code == 404  # not for the applicant
    assert "答复书-" + str(b.id) not in look(c, a.tracking_no, a.query_code).text


def test_withdraw_an_unconfirmed_submission_needs_confirmation(web: Web) -> None:
    sub = submitted(web)
    c = web.client()
    page = look(c, sub.submission_no, sub.query_code)
    assert 'id="withdraw-section"' in page.text and 'data-confirm="确认撤回该申请' in page.text
    r = keyed_post(c, "/gongkai/default/chaxun/chehui", sub.submission_no, sub.query_code, {"reason": "重复了"})
    assert r.status_code == 422 and "请勾选确认撤回" in r.text and 'value="重复了"' in r.text
    r = keyed_post(c, "/gongkai/default/chaxun/chehui", sub.submission_no, sub.query_code,
                   {"reason": "重复了", "confirm": "yes"})
    assert r.status_code == 200 and "已撤回申请" in r.text and "您已撤回本申请" in r.text
    assert 'id="withdraw-section"' not in r.text
    with read_session(web.db.engine) as s:
        assert s.get(Disclosure, sub.id).state == "discarded"  # type: ignore[union-attr]


def test_withdraw_a_registered_application_closes_it_and_not_after_the_reply(web: Web) -> None:
    sub = submitted(web)
    wf.act(web.db.engine, sub.id, "confirm_submission", {}, web.staff.front, web.clock.now())
    c = web.client()
    r = keyed_post(c, "/gongkai/default/chaxun/chehui", "依申〔2026〕0001号", sub.query_code, {"confirm": "yes"})
    assert r.status_code == 200 and "您已撤回本申请" in r.text
    with read_session(web.db.engine) as s:
        row = s.get(Disclosure, sub.id)
        assert row is not None and (row.state, row.decision) == ("closed", "other.withdrawn")
    replied = register_case(web)
    wf.act(web.db.engine, replied.id, "reply", {"category": "disclose", "reason": "provided"}, web.staff.officer,
           web.clock.now())
    page = look(c, replied.tracking_no, replied.query_code)
    assert 'id="withdraw-section"' not in page.text
    r = keyed_post(c, "/gongkai/default/chaxun/chehui", replied.tracking_no, replied.query_code, {"confirm": "yes"})
    assert r.status_code == 409 and "不能撤回" in r.text


def test_correction_uploaded_online_is_recorded_by_the_clerk_on_the_day_they_confirm(web: Web) -> None:
    case = register_case(web)
    wf.act(web.db.engine, case.id, "request_correction", {"items": ["请写明所需文件的年度"]}, web.staff.officer,
           web.clock.now())
    c = web.client()
    page = look(c, case.tracking_no, case.query_code)
    assert 'id="upload-section"' in page.text and "请写明所需文件的年度" in page.text
    url = "/gongkai/default/chaxun/buzheng"
    bad = keyed_post(c, url, case.tracking_no, case.query_code, {"note": "见附件"},
                     [("attachments", ("补正.pdf", b"<!doctype html><html><body>x</body></html>", "application/pdf"))])
    assert bad.status_code == 422 and "文件类型不受支持" in bad.text and "见附件" in bad.text
    web.clock.set(local_dt(2026, 3, 5, 22))  # Thursday night
    ok = keyed_post(c, url, case.tracking_no, case.query_code, {"note": "所需文件为2025年度"},
                    [("attachments", ("补正.pdf", PDF, "application/pdf"))])
    assert ok.status_code == 200 and "补正材料已提交" in ok.text and "所需文件为2025年度" in ok.text
    with read_session(web.db.engine) as s:
        assert s.get(Disclosure, case.id).state == "awaiting_correction"  # type: ignore[union-attr]

    web.clock.set(local_dt(2026, 3, 9, 9))  # the clerk, next Monday
    clerk = web.fresh("front")
    queue = clerk.get("/frontdesk/online")
    assert f'id="corr-{case.id}"' in queue.text and "补正.pdf" in queue.text and "所需文件为2025年度" in queue.text
    r = web.post(clerk, f"/frontdesk/online/{case.id}/receive_correction", {"expected_version": "3"},
                 page="/frontdesk/online")
    assert r.status_code == 303
    assert "已登记收到补正材料" in clerk.get(r.headers["location"]).text
    with read_session(web.db.engine) as s:
        row = s.get(Disclosure, case.id)
        assert row is not None and row.state == "handling" and row.base_date.isoformat() == "2026-03-09"  # type: ignore[union-attr]
        f = s.exec(select(StoredFile).where(StoredFile.case_id == case.id, StoredFile.category == "correction")).one()
        assert f.created_by is None
    assert f'id="corr-{case.id}"' not in clerk.get("/frontdesk/online").text


def test_the_clerks_queue_shows_age_duplicates_and_files_and_acts(web: Web) -> None:
    first = submitted(web)
    web.clock.advance(hours=3)
    dup = submitted(web)
    web.clock.advance(hours=26)
    clerk = web.login("front")
    html = clerk.get("/frontdesk/online").text
    assert f'id="sub-{first.id}"' in html and "1天5小时" in html and "身份证.pdf" in html
    dup_block = html[html.index(f'id="sub-{dup.id}"'):]
    assert "疑似重复" in dup_block and first.submission_no in dup_block
    r = web.post(clerk, f"/frontdesk/online/{dup.id}/request_completion", {"message": "", "expected_version": "1"},
                 page="/frontdesk/online")
    assert "此项为必填项" in clerk.get(r.headers["location"]).text
    r = web.post(clerk, f"/frontdesk/online/{dup.id}/discard_submission", {"reason": "重复提交", "expected_version": "1"},
                 page="/frontdesk/online")
    assert "已完成：作废网上申请" in clerk.get(r.headers["location"]).text
    r = web.post(clerk, f"/frontdesk/online/{first.id}/confirm_submission", {"expected_version": "1"},
                 page="/frontdesk/online")
    assert r.headers["location"] == f"/cases/disclosure/{first.id}"  # on to assign it
    assert "已确认受理，受理编号 依申〔2026〕0001号" in clerk.get(r.headers["location"]).text
    assert 'id="no-submissions"' in clerk.get("/frontdesk/online").text
    r = web.post(clerk, f"/frontdesk/online/{first.id}/confirm_submission", {"expected_version": "1"},
                 page="/frontdesk/online")  # a stale or repeated click changes nothing
    assert "未能确认受理网上申请" in clerk.get(r.headers["location"]).text
    scan = clerk.get(f"/cases/disclosure/{first.id}/files/{_file_id(web, first.id)}")
    assert scan.headers["content-disposition"].startswith("attachment") and scan.headers["x-content-type-options"] == "nosniff"
    assert web.login("officer").get("/frontdesk/online").status_code == 403


def test_leaders_see_unconfirmed_submissions_with_their_age(web: Web) -> None:
    submitted(web)
    web.clock.advance(hours=50)
    html = web.login("leader").get("/leader").text
    assert re.search(r'id="stat-unconfirmed"><div class="n">1</div>', html)
    assert "网申2026000001" in html[html.index('id="unconfirmed"'):] and "2天2小时" in html


def _file_id(web: Web, case_id: int) -> int:
    with read_session(web.db.engine) as s:
        return int(s.exec(select(col(StoredFile.id)).where(StoredFile.case_id == case_id)).first() or 0)


def test_withdrawal_page_says_how_the_applicant_is_told(web: Web) -> None:
    """Issue 19 item 3: an applicant who gave no email is not told a confirmation email was sent."""
    c = web.client()
    for over, told, not_told in (({"email": "", "obtain_way": "collect"}, "本机关将书面告知您", "电子邮件"),
                                 ({}, "本机关将通过电子邮件向您发送确认通知", "书面告知")):
        case = register_case(web, **over)
        r = keyed_post(c, "/gongkai/default/chaxun/chehui", case.tracking_no, case.query_code, {"confirm": "yes"})
        m = re.search(r'id="lookup-message">([^<]*)<', r.text)
        assert r.status_code == 200 and m and m.group(1).startswith("已撤回申请。")
        assert told in m.group(1) and not_told not in m.group(1)


def test_a_provisional_reply_deadline_reads_alike_at_the_desk_and_in_the_lookup(web: Web) -> None:
    """The front-desk receipt and the applicant's look-up write the documents' note (states.formats.provisional_note)
    after a reply deadline counted through a year whose holiday notice is not out; a firm one has none."""
    note = "2027年1月4日（星期一）前（暂定：2027年节假日安排尚未公布，如有调整以调整后为准）"
    web.clock.set(local_dt(2026, 12, 4, 10, 0))
    late = register_case(web, received_at="2026-12-04T09:30:00+08:00")
    firm = register_case(web, received_at="2026-11-02T09:30:00+08:00")
    front = web.login("front")
    desk = front.get(f"/frontdesk/receipt/{late.id}").text
    assert note in "".join(re.search(r'id="reply-due">(.*?)<div', desk, re.S).group(1).split())  # type: ignore[union-attr]
    assert "暂定" not in front.get(f"/frontdesk/receipt/{firm.id}").text
    c = web.client()
    due = re.search(r'id="reply-due">(.*?)</dd>', look(c, late.tracking_no, late.query_code).text, re.S)
    assert due is not None and "2027年1月4日前（暂定：2027年节假日安排尚未公布，如有调整以调整后为准）" in due.group(1)
    assert "暂定" not in look(c, firm.tracking_no, firm.query_code).text
