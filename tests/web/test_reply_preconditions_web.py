"""Findings h2 #3 and #4 through the API and the case page: a reply whose reason rests on a step the case has not taken
is refused (409) with the reason in Chinese; the applicant's reasons (条例第三十五条) are recorded through an action the
page offers once they were asked for, bad input at its field (422); the reply form says which reasons are not
available now, and why."""

from __future__ import annotations

import re

from tests.helpers import registration
from tests.web.conftest import Web, csrf_of, register_case, token
from workflow.timesource import local_dt


def _act(client, h, case_id: int, action: str, payload: dict):  # type: ignore[no-untyped-def]
    return client.post(f"/api/disclosures/{case_id}/actions/{action}", json={"payload": payload}, headers=h)


def test_api_refuses_the_replies_and_the_delay_with_the_reason(client, staff, clock) -> None:
    front, officer = token(client, "default-front"), token(client, "default-officer")
    case_id = client.post("/api/disclosures", json=registration(assignee_id=staff.officer.id), headers=front).json()["id"]
    for payload, words in (({"category": "unavailable", "reason": "still_unclear"}, "本申请未告知申请人补正"),
                           ({"category": "not_processed", "reason": "excessive"}, "本申请未要求申请人说明理由")):
        r = _act(client, officer, case_id, "reply", payload)
        assert r.status_code == 409, r.text
        err = r.json()["error"]
        assert err["code"] == "guard_failed" and words in err["message"] and "reply" in err["allowed_actions"]
    r = _act(client, officer, case_id, "set_delay", {"days": 30, "reason": "数量较大"})
    assert r.status_code == 409 and "须先要求申请人说明理由" in r.json()["error"]["message"]
    r = _act(client, officer, case_id, "record_reasons", {"assessment": "unreasonable"})
    assert r.status_code == 409 and "尚未要求申请人说明理由" in r.json()["error"]["message"]
    d = client.get(f"/api/disclosures/{case_id}", headers=officer).json()
    assert set(d["unavailable_replies"]) == {"unavailable.still_unclear", "not_processed.excessive"}

    clock.set(local_dt(2026, 3, 3, 10))
    assert _act(client, officer, case_id, "request_reasons", {"facts": "您本月已提交申请60件"}).status_code == 200
    r = _act(client, officer, case_id, "reply", {"category": "not_processed", "reason": "excessive"})
    assert r.status_code == 409 and "申请人说明理由的期限尚未届满（至3月17日）" in r.json()["error"]["message"]
    for payload, field, code in (({"received_date": "2026-03-04", "assessment": "unreasonable"}, "received_date",
                                  "in_future"),
                                 ({"assessment": "maybe"}, "assessment", "literal_error"),
                                 ({}, "assessment", "missing")):
        r = _act(client, officer, case_id, "record_reasons", payload)
        assert r.status_code == 422, r.text
        (f,) = r.json()["error"]["fields"]
        assert (f["field"], f["code"]) == (field, code) and re.search("[\u4e00-\u9fff]", f["message"]), f
    r = _act(client, officer, case_id, "record_reasons", {"reasons": "了解情况", "assessment": "unreasonable"})
    assert r.status_code == 200, r.text
    assert "set_delay" not in r.json()["allowed_actions"]
    r = _act(client, officer, case_id, "reply", {"category": "not_processed", "reason": "excessive"})
    assert r.status_code == 200 and r.json()["state"] == "replied"


def test_the_case_page_offers_the_reasons_form_and_marks_the_reply_reasons_not_available(web: Web) -> None:
    case = register_case(web)
    c = web.login("officer")
    url = f"/cases/disclosure/{case.id}"
    page = c.get(url).text
    assert 'id="action-record_reasons"' not in page
    assert re.search(r'<option value="still_unclear"[^>]* disabled>补正后申请内容仍不明确（条例第三十条）（暂不可选）', page)
    assert re.search(r'<option value="excessive"[^>]* disabled>', page)
    assert '<option value="not_held" data-required="">' in page  # the others stay open
    assert "暂不可选：本申请未告知申请人补正" in page and "暂不可选：本申请未要求申请人说明理由" in page
    assert "确定延迟答复期限须先要求申请人说明理由" in page  # among the actions not available now, with the reason

    web.clock.set(local_dt(2026, 3, 3, 10))
    c = web.fresh("officer")  # past the idle time-out
    r = web.post(c, url + "/actions/request_reasons", {"facts": "您本月已提交申请60件", "period_days": "10"}, page=url)
    assert r.status_code == 303, r.text
    page = c.get(url).text
    assert 'id="action-record_reasons"' in page and "收到申请人说明的理由（条例第三十五条）" in page
    assert "申请人说明理由期限" in page  # the applicant's period, among the clocks
    assert "申请人说明理由的期限尚未届满（至3月17日）" in page
    for words in ("申请人说明的理由（摘要）", "审查意见（条例第三十五条）", "理由不合理，告知不予处理", "理由合理，继续办理"):
        assert words in page, words

    r = c.post(url + "/actions/reply", data={"category": "not_processed", "reason": "excessive",
                                             "csrf_token": csrf_of(page)})
    assert r.status_code == 409 and "申请人说明理由的期限尚未届满（至3月17日）" in r.text

    web.clock.set(local_dt(2026, 3, 6, 10))
    c = web.fresh("officer")
    r = web.post(c, url + "/actions/record_reasons", {"received_date": "2026-03-05", "reasons": "课题研究需要",
                                                      "assessment": "reasonable"}, page=url)
    assert r.status_code == 303, r.text
    page = c.get(url).text
    assert 'id="action-set_delay"' in page and 'id="action-record_reasons"' not in page
    assert "申请人于3月5日说明的理由已认定为合理" in page  # why 无正当理由大量反复申请 stays closed
    assert "课题研究需要" in page and "理由合理，继续办理" in page  # the timeline
