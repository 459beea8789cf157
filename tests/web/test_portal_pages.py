"""The portal's pages for applicants: guide, form downloads, every validation rule of the online form, the
challenge, the submission limit, the number and code shown once, and no account or session created."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Agency, Disclosure, Outbox, StoredFile, WebSession
from tests.helpers import resident_id, uscc
from tests.web.conftest import Web, count, csrf_of
from tests.web.portal_helpers import application, challenge_of

APPLY = "/gongkai/default/shenqing"
PDF = b"%PDF-1.4\n% portal test\n"


def post_application(web: Web, c: TestClient, data: dict[str, Any], *, files: list[Any] | None = None,
                     answer: str | None = None, page: str | None = None) -> Any:
    html = page or c.get(APPLY).text
    token, right = challenge_of(html)
    form = {**data, "csrf_token": csrf_of(html), "challenge_token": token,
            "challenge_answer": right if answer is None else answer}
    return c.post(APPLY, data=form, files=files or [])


def field_error(html: str, name: str) -> str:
    m = re.search(rf'<p class="field-error" id="err-{name}">([^<]*)</p>', html)
    assert m, f"no error slot for {name}"
    return m.group(1)


def set_agency(web: Web, **settings: Any) -> None:
    with write_session(web.db.engine) as s:
        agency = s.get(Agency, web.staff.agency_id)
        assert agency is not None
        agency.settings = {**(agency.settings or {}), **settings}
        s.add(agency)
        s.commit()
        from workflow.agencies.cache import invalidate
        invalidate()  # settings written directly: drop the per-process agency cache


def test_guide_is_rendered_from_the_agencys_settings(web: Web) -> None:
    set_agency(web, address="某县人民路8号", postal_code="675000", phone="0878-3120000", email="gk@example.gov.cn",
               office_hours="工作日 8:30—17:30", office_name="某县某局办公室", reconsideration_organ="某县人民政府",
               reply_wd=20)
    c = web.client()
    for url in ("/gongkai", "/gongkai/default"):
        r = c.get(url)
        assert r.status_code == 200
        html = r.text
        for text in ("某县人民路8号", "0878-3120000", "工作日 8:30—17:30", "某县某局办公室", "gk@example.gov.cn",
                     "以双方确认之日为收到申请之日", "申请人的姓名或者名称、身份证明、联系方式",
                     "名称、文号或者便于行政机关查询的其他特征性描述", "获取信息的方式、途径",
                     "国办函〔2020〕109号", "100元/件", "200元/件", "10元/页", "40元/页",
                     "自收到申请之日起20个工作日内", "某县人民政府申请行政复议", "/gongkai/default/shenqingbiao.docx",
                     "/gongkai/default/shenqingbiao.pdf", "/gongkai/default/shenqing"):
            assert text in html, (url, text)
    r = c.get("/gongkai/nope")
    assert r.status_code == 404 and "没有这个机关" in r.text
    assert c.get("/gongkai/default/shenqingbiao.exe").status_code == 404


def test_application_form_downloads_carry_the_agencys_data(web: Web) -> None:
    set_agency(web, address="某县人民路8号", postal_code="675000", phone="0878-3120000", office_name="某县某局办公室")
    c = web.client()
    r = c.get("/gongkai/default/shenqingbiao.docx")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        xml = z.read("word/document.xml").decode()
    assert "某县人民路8号" in xml and "0878-3120000" in xml and "政府信息公开申请表" in xml
    r = c.get("/gongkai/default/shenqingbiao.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-") and r.headers["content-type"] == "application/pdf"


INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("name missing", {"applicant_name": ""}, "applicant_name", "此项为必填项"),
    ("ID check digit", {"id_number": "530102198506120040"}, "id_number", "校验码不正确"),
    ("ID length", {"id_number": "5301021985"}, "id_number", "应为18位"),
    ("credit code", {"applicant_type": "organization", "applicant_category": "business", "id_type": "uscc",
                     "id_number": "91350100M000100Y40"}, "id_number", "统一社会信用代码"),
    ("ID type", {"id_type": "library_card"}, "id_type", "证件类型无效"),
    ("email missing", {"email": ""}, "email", "网上申请须填写电子邮箱"),
    ("email format", {"email": "lixm-at-example"}, "email", "电子邮箱格式不正确"),
    ("phone format", {"phone": "call me"}, "phone", "联系电话格式不正确"),
    ("postal code", {"postal_code": "6750"}, "postal_code", "邮政编码应为6位数字"),
    ("person as business", {"applicant_category": "business"}, "applicant_category", "自然人申请人的类别"),
    ("organisation as person", {"applicant_type": "organization", "id_type": "uscc", "id_number": uscc()},
     "applicant_category", "法人或者其他组织应选择类别"),
    ("type missing", {"applicant_type": ""}, "applicant_type", "此项为必填项"),
    ("description missing", {"description": ""}, "description", "此项为必填项"),
    ("description too long", {"description": "长" * 4001}, "description", "4000"),
    ("name too long", {"applicant_name": "名" * 201}, "applicant_name", "200"),
    ("document number too long", {"document_ref": "文" * 201}, "document_ref", "200"),
    ("purpose too long", {"purpose": "用" * 1001}, "purpose", "1000"),
    ("address too long", {"address": "址" * 301}, "address", "300"),
    ("form wanted", {"form_wanted": "fax"}, "form_wanted", "请选择列表中的选项"),
    ("obtain way", {"obtain_way": ""}, "obtain_way", "此项为必填项"),
    ("post without address", {"obtain_way": "post", "address": ""}, "address", "须填写通信地址"),
    ("challenge", {}, "challenge_answer", "验证题答案不正确"),
]


@pytest.mark.parametrize(("case", "change", "field", "message"), INVALID, ids=[c[0] for c in INVALID])
def test_each_validation_rule_is_shown_at_its_field_and_nothing_is_written(
        web: Web, case: str, change: dict[str, Any], field: str, message: str) -> None:
    c = web.client()
    data = application(**{"purpose": "核对改造范围 & <范围>", **change})
    r = post_application(web, c, data, answer="999" if case == "challenge" else None)
    assert r.status_code == 422, r.text[:500]
    assert message in field_error(r.text, field), (field, field_error(r.text, field))
    assert 'id="form-error-summary"' in r.text
    if field != "purpose":
        assert "核对改造范围 &amp; &lt;范围&gt;" in r.text  # what was typed is kept (and escaped)
    if field != "applicant_name":
        assert 'value="李小梅"' in r.text
    assert count(web, Disclosure) == 0 and count(web, Outbox) == 0


def test_attachments_are_checked_by_content_and_size(web: Web) -> None:
    web.app.state.settings = web.db.settings.model_copy(update={"max_upload_bytes": 2048})
    c = web.client()
    cases = [([("attachments", ("申请.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"))],
              "文件类型不受支持"),
             ([("attachments", ("大.pdf", PDF + b"0" * 4096, "application/pdf"))], "文件不能超过"),
             ([("attachments", (f"{i}.pdf", PDF, "application/pdf")) for i in range(6)], "最多上传5个")]
    for files, message in cases:
        r = post_application(web, c, application(), files=files)
        assert r.status_code == 422 and message in field_error(r.text, "attachments")
        assert 'id="reselect-note"' in r.text
    assert count(web, Disclosure) == 0 and count(web, StoredFile) == 0


def test_success_shows_number_and_code_once_emails_them_and_opens_no_session(web: Web) -> None:
    c = web.client()
    files = [("attachments", ("身份证.pdf", PDF, "application/pdf"))]
    r = post_application(web, c, application(), files=files)
    assert r.status_code == 303 and r.headers["location"] == "/gongkai/default/shenqing/wancheng"
    done = c.get(r.headers["location"])
    number = re.search(r'id="submission-no">([^<]+)<', done.text)
    code = re.search(r'id="query-code">([^<]+)<', done.text)
    assert number and code and number.group(1) == "网申2026000001" and "lixm@example.com" in done.text
    again = c.get("/gongkai/default/shenqing/wancheng")
    assert code.group(1) not in again.text and 'id="submitted-gone"' in again.text
    assert "banli_session" not in c.cookies and count(web, WebSession) == 0
    with read_session(web.db.engine) as s:
        row = s.exec(select(Disclosure)).one()
        assert row.state == "submitted" and code.group(1) not in row.query_code_hash
        ack = s.exec(select(Outbox)).one()
        assert ack.notice_type == "disclosure.submission_ack" and ack.context["notice"]["query_code"] == code.group(1)
        assert s.exec(select(StoredFile)).one().filename == "身份证.pdf"


def test_challenge_wrong_reused_and_expired(web: Web) -> None:
    c = web.client()
    page = c.get(APPLY).text
    token, right = challenge_of(page)
    wrong = str(int(right) + 1)
    r = post_application(web, c, application(), page=page, answer=wrong)
    assert r.status_code == 422 and "答案不正确" in field_error(r.text, "challenge_answer")
    assert challenge_of(r.text)[0] != token  # a new question
    r = post_application(web, c, application(), page=page, answer=right)  # the old question is spent
    assert r.status_code == 422 and "已使用过" in field_error(r.text, "challenge_answer")

    page = c.get(APPLY).text
    assert post_application(web, c, application(), page=page).status_code == 303
    r = post_application(web, c, application(description="另一项信息"), page=page)  # a solved one, twice
    assert r.status_code == 422 and "已使用过" in field_error(r.text, "challenge_answer")

    page = c.get(APPLY).text
    web.clock.advance(minutes=31)
    r = post_application(web, c, application(description="第三项信息"), page=page)
    assert r.status_code == 422 and "已过期" in field_error(r.text, "challenge_answer")
    assert count(web, Disclosure) == 1


def test_a_right_answer_is_kept_while_other_fields_are_fixed(web: Web) -> None:
    c = web.client()
    r = post_application(web, c, application(applicant_name=""))
    assert r.status_code == 422 and 'id="challenge-passed"' in r.text
    form = {**application(), "csrf_token": csrf_of(r.text),
            "challenge_token": re.search(r'name="challenge_token" value="([^"]+)"', r.text).group(1),  # type: ignore[union-attr]
            "challenge_answer": re.search(r'name="challenge_answer" value="([^"]+)"', r.text).group(1)}  # type: ignore[union-attr]
    assert c.post(APPLY, data=form).status_code == 303


def test_submissions_are_limited_per_ip(web: Web) -> None:
    c = web.client()
    for i in range(5):
        assert post_application(web, c, application(description=f"第{i}项信息")).status_code == 303
    r = post_application(web, c, application(description="第六项信息"))
    assert r.status_code == 429 and "过于频繁" in r.text
    assert count(web, Disclosure) == 5


def test_wrong_answers_are_limited_per_ip(web: Web) -> None:
    c = web.client()
    for _ in range(10):
        assert post_application(web, c, application(), answer="-1").status_code == 422
    r = post_application(web, c, application(), answer="-1")
    assert r.status_code == 429 and "答错次数过多" in r.text


def test_forms_without_the_csrf_cookie_are_refused(web: Web) -> None:
    c = web.client()
    page = c.get(APPLY).text
    token, right = challenge_of(page)
    other = web.client()  # no cookie
    r = other.post(APPLY, data={**application(), "csrf_token": csrf_of(page), "challenge_token": token,
                                "challenge_answer": right})
    assert r.status_code == 403 and count(web, Disclosure) == 0


def test_organisation_with_annual_report_category_and_credit_code(web: Web) -> None:
    c = web.client()
    data = application(applicant_type="organization", applicant_category="legal_service", id_type="uscc",
                       id_number=uscc(), applicant_name="某律师事务所", contact_person="王律师")
    assert post_application(web, c, data).status_code == 303
    with read_session(web.db.engine) as s:
        row = s.exec(select(Disclosure)).one()
    assert (row.applicant_category, row.id_type, row.contact_person) == ("legal_service", "uscc", "王律师")
    assert row.applicant_key == f"uscc:{uscc()}"


def test_another_browser_never_sees_the_code(web: Web) -> None:
    c = web.client()
    assert post_application(web, c, application(id_number=resident_id("11010519491231002"))).status_code == 303
    r = web.client().get("/gongkai/default/shenqing/wancheng")
    assert r.status_code == 200 and 'id="query-code"' not in r.text


def test_a_wrong_answer_keeps_the_attachment(web: Web) -> None:
    """Issue 20: the files that passed the checks are kept across the form's errors (browsers do not re-fill them)."""
    c = web.client()
    page = c.get(APPLY).text
    _, right = challenge_of(page)
    files = [("attachments", ("身份证.pdf", PDF, "application/pdf"))]
    r = post_application(web, c, application(), page=page, answer=str(int(right) + 1), files=files)
    assert r.status_code == 422 and "答案不正确" in field_error(r.text, "challenge_answer")
    assert 'id="held-files"' in r.text and "身份证.pdf" in r.text and 'id="reselect-note"' not in r.text
    held = re.search(r'name="held_files" value="([^"]+)"', r.text)
    assert held
    r = post_application(web, c, {**application(), "held_files": held.group(1)}, page=r.text)  # no file chosen
    assert r.status_code == 303
    with read_session(web.db.engine) as s:
        assert [f.filename for f in s.exec(select(StoredFile)).all()] == ["身份证.pdf"]
    # a token is not a key to anyone's files: a made-up one holds nothing
    r = post_application(web, c, {**application(description="另一项"), "held_files": "x" * 43})
    assert r.status_code == 303
    with read_session(web.db.engine) as s:
        assert len(s.exec(select(StoredFile)).all()) == 1


def test_a_deactivated_agency_takes_no_online_application(web: Web) -> None:
    """A deactivated agency takes no new cases: its form answers 404 (the guide and the look-up still answer), and a
    submission already under way is refused by the workflow as well."""
    c = web.client()
    page = c.get(APPLY).text
    token, right = challenge_of(page)
    with write_session(web.db.engine) as s:
        agency = s.exec(select(Agency).where(Agency.code == "default")).one()
        agency.active = False
        s.add(agency)
        s.commit()
    r = c.get(APPLY)
    assert r.status_code == 404 and "已停用" in r.text
    r = c.post(APPLY, data={**application(), "csrf_token": csrf_of(page), "challenge_token": token,
                            "challenge_answer": right})
    assert r.status_code == 404 and "已停用" in r.text
    assert c.get("/gongkai/default").status_code == 200 and c.get("/gongkai/default/chaxun").status_code == 200
    assert count(web, Disclosure) == 0
