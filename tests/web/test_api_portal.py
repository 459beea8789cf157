"""The portal through the JSON API (/api/public/{code}/…), on SQLite and PostgreSQL: the challenge, an online
application (then the clerk's online queue and the status look-up with the returned code), the challenge and field
errors in Chinese, withdrawal with the one 404 for a wrong number, a wrong code and another agency, a correction
upload checked by content, the limits answered 429 with Retry-After — the pages' use cases, limits and checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Agency, Disclosure, Outbox, StoredFile
from tests.web.conftest import Web, count, register_case
from tests.web.portal_helpers import application, solve
from workflow.disclosure import actions as wf
from workflow.portal.online import from_body

BASE = "/api/public/default"
PDF = b"%PDF-1.4\n% api portal test\n"
NOT_FOUND = {"error": {"code": "not_found", "message": "未找到该申请：请核对受理编号和查询码"}}


@pytest.fixture
def api(web_any: Web) -> Iterator[TestClient]:
    with TestClient(web_any.app) as c:
        yield c


def challenge(c: TestClient, base: str = BASE) -> tuple[str, str]:
    """(token, right answer) of a fresh challenge."""
    r = c.get(base + "/challenge")
    assert r.status_code == 200, r.text
    body = r.json()
    return body["challenge_token"], str(solve(body["question"]))


def apply(c: TestClient, data: dict[str, Any] | None = None, *, answer: Any = None, token: str | None = None,
          base: str = BASE) -> Any:
    fresh, right = challenge(c, base)
    body = {**(application() if data is None else data), "challenge_token": fresh if token is None else token,
            "challenge_answer": right if answer is None else answer}
    return c.post(base + "/applications", json=body)


def fields_of(r: Any) -> dict[str, str]:
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_input"
    return {f["field"]: f["message"] for f in err["fields"]}


def case_id(web: Web, number: str) -> int:
    with read_session(web.db.engine) as s:
        return s.exec(select(Disclosure.id).where(Disclosure.submission_no == number)).one()  # type: ignore[return-value]


def test_a_challenge_is_a_chinese_question_and_a_token_never_cached(api: TestClient) -> None:
    r = api.get(BASE + "/challenge")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["question"].endswith("等于多少？") and body["expires_in"] == 1800 and body["challenge_token"]
    assert api.get(BASE + "/challenge").json()["challenge_token"] != body["challenge_token"]  # fresh every time
    r = api.get("/api/public/nope/challenge")
    assert r.status_code == 404 and "没有这个机关" in r.json()["error"]["message"]


def test_an_application_through_the_api_reaches_the_clerk_and_the_code_looks_it_up(web_any: Web,
                                                                                  api: TestClient) -> None:
    r = apply(api)
    assert r.status_code == 201, r.text
    assert r.headers["cache-control"] == "no-store"
    sub = r.json()
    assert sub["submission_no"] == "网申2026000001" and sub["email"] == "lixm@example.com"
    assert sub["state"] == "submitted" and "等待工作人员确认受理" in sub["state_text"] and sub["duplicate"] is False
    code = sub["query_code"]
    with read_session(web_any.db.engine) as s:
        row = s.exec(select(Disclosure)).one()
        assert row.state == "submitted" and row.channel == "internet" and code not in row.query_code_hash
        ack = s.exec(select(Outbox)).one()  # the query code is emailed, as from the page
        assert ack.notice_type == "disclosure.submission_ack" and ack.context["notice"]["query_code"] == code
    clerk = web_any.login("front")
    queue = clerk.get("/frontdesk/online").text
    assert f'id="sub-{row.id}"' in queue and "网申2026000001" in queue and "李小梅" in queue
    look = api.post("/api/public/status", json={"tracking_no": sub["submission_no"], "query_code": code})
    assert look.status_code == 200 and look.json()["state"] == "submitted" and look.json()["can_withdraw"] is True
    assert look.json()["upload"] == "supplement"
    # the same applicant and description within a day: flagged for the clerk, as from the page
    again = apply(api)
    assert again.status_code == 201 and again.json()["duplicate"] is True


def test_a_wrong_answer_is_refused_and_spends_its_question(web_any: Web, api: TestClient) -> None:
    token, right = challenge(api)
    r = apply(api, token=token, answer=str(int(right) + 1))
    assert fields_of(r) == {"challenge_answer": "验证题答案不正确，请计算新的题目"}
    r = apply(api, token=token, answer=right)  # no second guess at the same question
    assert fields_of(r) == {"challenge_answer": "验证题已使用过，请计算新的题目"}
    assert fields_of(apply(api, token="forged.1.2.3"))["challenge_answer"] == "验证题无效，请计算新的题目"
    assert fields_of(apply(api, answer=""))["challenge_answer"] == "请填写验证题的答案"
    web_any.clock.advance(minutes=31)
    assert fields_of(apply(api, token=token, answer=right))["challenge_answer"].startswith("验证题")
    fresh, answer = challenge(api)
    web_any.clock.advance(minutes=31)
    assert fields_of(apply(api, token=fresh, answer=answer))["challenge_answer"] == "验证题已过期，请计算新的题目"
    assert count(web_any, Disclosure) == 0
    token, right = challenge(api)
    r = apply(api, token=token, answer=int(right))  # a number may be sent as a number
    assert r.status_code == 201, r.text
    assert fields_of(apply(api, token=token, answer=right)) == {"challenge_answer": "验证题已使用过，请计算新的题目"}


def test_field_errors_are_in_chinese_at_their_fields_all_at_once(web_any: Web, api: TestClient) -> None:
    data = application(applicant_name="", email="lixm-at-example", id_number="530102198506120040",
                       postal_code="6750", obtain_way="fax")
    token, right = challenge(api)
    r = apply(api, data, token=token, answer=str(int(right) + 1))
    errors = fields_of(r)
    assert errors == {
        "applicant_name": "内容不能为空", "email": "电子邮箱格式不正确", "postal_code": "邮政编码应为6位数字",
        "obtain_way": errors["obtain_way"], "id_number": errors["id_number"],
        "challenge_answer": "验证题答案不正确，请计算新的题目"}
    assert "校验码不正确" in errors["id_number"]  # said even while other fields are wrong, as on the page
    # the same when the type is written by its name, as the model accepts it
    token, right = challenge(api)
    named = fields_of(apply(api, {**data, "id_type": "居民身份证"}, token=token, answer=right))
    assert "校验码不正确" in named["id_number"] and "email" in named, named
    assert errors["obtain_way"].startswith("取值无效，可选：")
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in errors.values())
    # a model-level rule at the field it concerns; an unknown field refused at its name
    errors = fields_of(apply(api, application(email="")))
    assert errors == {"email": "网上申请须填写电子邮箱，用于接收提交确认、接收回执和办理结果"}
    assert set(fields_of(apply(api, {**application(), "priority": "high"}))) == {"priority"}
    assert set(fields_of(api.post(BASE + "/applications", json=[1, 2]))) == {""}  # not an object
    # a right answer is not spent by the field errors: fixed fields go through with it
    token, right = challenge(api)
    assert set(fields_of(apply(api, application(applicant_name=""), token=token, answer=right))) == {"applicant_name"}
    assert apply(api, token=token, answer=right).status_code == 201
    assert count(web_any, Disclosure) == 1


def test_unknown_and_deactivated_agencies_take_no_application(web_any: Web, api: TestClient) -> None:
    token, right = challenge(api)
    body = {**application(), "challenge_token": token, "challenge_answer": right}
    r = api.post("/api/public/nope/applications", json=body)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    with write_session(web_any.db.engine) as s:
        agency = s.exec(select(Agency).where(Agency.code == "default")).one()
        agency.active = False
        s.add(agency)
        s.commit()
    for r in (api.get(BASE + "/challenge"), api.post(BASE + "/applications", json=body)):
        assert r.status_code == 404 and "已停用" in r.json()["error"]["message"]
    assert count(web_any, Disclosure) == 0


def test_withdraw_answers_one_404_for_a_wrong_number_code_or_agency(web_any: Web, api: TestClient) -> None:
    sub = apply(api).json()
    with write_session(web_any.db.engine) as s:
        s.add(Agency(code="other", name="某县另一局", settings={}, created_at=web_any.clock.now()))
        s.commit()
    number, code = sub["submission_no"], sub["query_code"]
    wrong = [api.post(BASE + "/withdraw", json={"tracking_no": number, "query_code": "WRONGCODE2"}),
             api.post(BASE + "/withdraw", json={"tracking_no": "网申2099999999", "query_code": code}),
             api.post("/api/public/other/withdraw", json={"tracking_no": number, "query_code": code})]
    for r in wrong:
        assert (r.status_code, r.json()) == (404, NOT_FOUND)
    r = api.post(BASE + "/withdraw", json={"tracking_no": number, "query_code": code, "reason": "重复了"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["message"].startswith("已撤回申请") and body["status"]["state"] == "discarded"
    assert body["status"]["can_withdraw"] is False
    r = api.post(BASE + "/withdraw", json={"tracking_no": number, "query_code": code})
    assert r.status_code == 409 and r.json()["error"] == {"code": "not_withdrawable",
                                                          "message": "本申请当前不能撤回（已答复或已终止办理）"}
    r = api.post(BASE + "/withdraw", json={"tracking_no": number, "query_code": code, "reason": "x" * 501})
    assert r.status_code == 422 and fields_of(r)["reason"]


def test_withdraw_a_registered_application_closes_it(web_any: Web, api: TestClient) -> None:
    case = register_case(web_any)
    r = api.post(BASE + "/withdraw", json={"tracking_no": case.tracking_no, "query_code": case.query_code})
    assert r.status_code == 200 and r.json()["status"]["state"] == "closed"
    with read_session(web_any.db.engine) as s:
        assert s.get(Disclosure, case.id).decision == "other.withdrawn"  # type: ignore[union-attr]


def test_correction_takes_a_pdf_and_refuses_what_is_not_pdf_jpg_or_png(web_any: Web, api: TestClient) -> None:
    sub = apply(api).json()
    number, code = sub["submission_no"], sub["query_code"]
    cid = case_id(web_any, number)
    staff = web_any.staff
    for action, payload, who in (("confirm_submission", {}, staff.front),
                                 ("assign", {"assignee_id": staff.officer.id}, staff.front),
                                 ("request_correction", {"items": ["请写明所需文件的年度"]}, staff.officer)):
        wf.act(web_any.db.engine, cid, action, payload, who, web_any.clock.now())
    url = BASE + "/correction"
    keys = {"tracking_no": number, "query_code": code}
    bad = [("补正.pdf", b"<!doctype html><html><body>x</body></html>", "application/pdf"),
           ("说明.docx", b"PK\x03\x04" + b"\x00" * 40, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
           ("a.gif", b"GIF89a" + b"\x00" * 20, "image/gif")]
    for name, data, ctype in bad:
        r = api.post(url, data={**keys, "note": "见附件"}, files=[("attachments", (name, data, ctype))])
        errors = fields_of(r)
        assert list(errors) == ["attachments"] and errors["attachments"].startswith(name + "：")
    r = api.post(url, data={**keys, "note": "所需文件为2025年度"},
                 files=[("attachments", ("补正.pdf", PDF, "application/pdf"))])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["category"] == "correction" and body["message"].startswith("补正材料已提交")
    assert body["files"] == [{"filename": "补正.pdf", "size": len(PDF), "content_type": "application/pdf"}]
    assert body["note"] == "所需文件为2025年度" and body["status"]["state"] == "awaiting_correction"
    assert body["status"]["uploads"][-1]["files"] == ["补正.pdf"]
    with read_session(web_any.db.engine) as s:
        stored = s.exec(select(StoredFile).where(StoredFile.case_id == cid, StoredFile.category == "correction")).one()
        assert stored.created_by is None and stored.filename == "补正.pdf"
    clerk = web_any.login("front")
    assert f'id="corr-{cid}"' in clerk.get("/frontdesk/online").text  # the clerk's queue of online corrections
    # the one 404, nothing asked, nothing sent, too many
    r = api.post(url, data={"tracking_no": number, "query_code": "WRONGCODE2"},
                 files=[("attachments", ("补正.pdf", PDF, "application/pdf"))])
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert fields_of(api.post(url, data={**keys, "note": " "}))["attachments"] == "请上传材料或填写说明"
    many = [("attachments", (f"{i}.pdf", PDF, "application/pdf")) for i in range(6)]
    assert fields_of(api.post(url, data=keys, files=many))["attachments"] == "一次最多上传5个文件"
    wf.act(web_any.db.engine, cid, "receive_correction", {}, staff.front, web_any.clock.now())
    r = api.post(url, data=keys, files=[("attachments", ("补正.pdf", PDF, "application/pdf"))])
    assert r.status_code == 409 and r.json()["error"]["message"] == "本申请当前不需要上传材料"


def test_an_unconfirmed_submission_is_completed_with_its_attachments(web_any: Web, api: TestClient) -> None:
    sub = apply(api).json()
    r = api.post(BASE + "/correction", data={"tracking_no": sub["submission_no"], "query_code": sub["query_code"]},
                 files=[("attachments", ("身份证.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"))])
    assert r.status_code == 201 and r.json()["category"] == "application"
    assert r.json()["message"].startswith("补充材料已提交")


def test_submissions_and_wrong_answers_are_limited_per_address_with_retry_after(web_any: Web,
                                                                                api: TestClient) -> None:
    for i in range(5):
        assert apply(api, application(description=f"第{i}项信息")).status_code == 201
    r = apply(api, application(description="第六项信息"))
    assert r.status_code == 429
    err = r.json()["error"]
    assert err["code"] == "too_many_submissions" and "过于频繁" in err["message"]
    assert int(r.headers["retry-after"]) == err["retry_after"] and 0 < err["retry_after"] <= 2 * 3600
    assert count(web_any, Disclosure) == 5
    for _ in range(10):
        assert apply(api, answer="-1").status_code == 422
    r = apply(api, answer="-1")
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_wrong_answers"
    assert "答错次数过多" in r.json()["error"]["message"] and int(r.headers["retry-after"]) > 0


def test_withdraw_and_correction_count_against_the_lookup_limits(web_any: Web, api: TestClient) -> None:
    case = register_case(web_any)
    answers = [api.post(BASE + "/withdraw", json={"tracking_no": case.tracking_no, "query_code": "WRONGCODE3"})
               for _ in range(6)]
    answers += [api.post(BASE + "/correction", data={"tracking_no": case.tracking_no, "query_code": "WRONGCODE3",
                                                     "note": "见附件"}) for _ in range(5)]
    assert [r.status_code for r in answers] == [404] * 10 + [429]
    assert answers[-1].json()["error"]["code"] == "rate_limited" and int(answers[-1].headers["retry-after"]) > 0
    r = api.post("/api/public/status", json={"tracking_no": case.tracking_no, "query_code": case.query_code})
    assert r.status_code == 429 and "retry-after" in r.headers  # the look-up shares them, the right code too


def test_a_json_body_is_read_as_the_form() -> None:
    fields, token, answer = from_body({"applicant_name": "李小梅", "challenge_token": "t", "challenge_answer": 12})
    assert (fields, token, answer) == ({"applicant_name": "李小梅"}, "t", "12")
    assert from_body({"challenge_token": 5, "challenge_answer": True}) == ({}, "", "")
