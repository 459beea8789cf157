"""Every operation of the JSON API called once or more as a role that may call it, on data that fills the answers
(a case with an assignee, a decision, a consultation, approvals, a remedy, files and documents; a work order with
cycles and an extension; imports done and failed; sweeps run and a dead letter; a holiday notice previewed and
imported; agencies and members; the audit log).

``Api.call`` records, for each call, the operation (method and path template), the status, the JSON answered and
what the route returned before FastAPI serialised it through its ``response_model`` (``fastapi.routing
.serialize_response`` watched), so that a test can tell whether the model dropped, added or changed anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import fastapi.routing
import pytest
from fastapi.testclient import TestClient

from db.engine import write_session
from db.models import Outbox
from notifications.fixtures import fixture_context
from notifications.outbox import enqueue
from tests.conftest import Db
from tests.fixtures.golive_gen import rows as golive_rows
from tests.fixtures.golive_gen import write_xlsx
from tests.helpers import Staff, registration
from tests.hotline_helpers import order_input
from tests.web.conftest import token
from tests.web.portal_helpers import application, solve
from tests.workflow.sweep_helpers import at, register_on
from workflow.accounts.users import create_user
from workflow.portal.submissions import applicant_upload
from workflow.sweeps.run import run_all
from workflow.timesource import FixedTime

NOT_SERIALISED = object()  # the route answered a Response of its own: no response_model filtering
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LOCAL_NOTICE = """year: 2026
document: 某县人民政府关于火把节放假的通知
scope: default
holidays:
  - {name: 火把节, start: 2026-03-20, end: 2026-03-20}
"""


@dataclass
class Call:
    method: str
    template: str
    status: int
    content_type: str
    body: Any  # the JSON answered (None for a file)
    raw: Any  # what the route returned, before the response model (NOT_SERIALISED when it built the response)


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, dict[str, str]]
    calls: list[Call] = field(default_factory=list)
    returned: list[Any] = field(default_factory=list)

    def call(self, method: str, template: str, who: str | None, *, expect: int | tuple[int, ...] = 200,
             **kw: Any) -> Any:
        path_params = kw.pop("path", {})
        url = template.format(**path_params)
        self.returned.clear()
        headers = self.tokens[who] if who else {}
        r = self.client.request(method, url, headers=headers, **kw)
        expected = (expect,) if isinstance(expect, int) else expect
        assert r.status_code in expected, (method, url, r.status_code, r.text[:500])
        ctype = r.headers.get("content-type", "")
        body = r.json() if ctype.startswith("application/json") else None
        raw = self.returned[-1] if self.returned else NOT_SERIALISED
        self.calls.append(Call(method.lower(), template, r.status_code, ctype, body, raw))
        return body if body is not None else r


def watch(monkeypatch: pytest.MonkeyPatch, api: Api) -> None:
    """Record what each route returns before FastAPI validates and serialises it through its response model."""
    original = fastapi.routing.serialize_response

    async def recording(**kw: Any) -> Any:
        api.returned.append(kw.get("response_content"))
        return await original(**kw)

    monkeypatch.setattr(fastapi.routing, "serialize_response", recording)


def _dead_letter(db: Db, agency_id: int) -> int:
    now = at(date(2026, 3, 2), 10)
    with write_session(db.engine) as s:
        oid = enqueue(s, agency_id=agency_id, notice_type="internal.reminder", channel="email",
                      context=fixture_context("internal.reminder"), dedupe_key="schema-dead", now=now,
                      recipient="bounce@example.com")
        row = s.get(Outbox, oid)
        assert row is not None
        row.status, row.attempts, row.last_error = "dead", 8, "550 5.1.1 no such user"
        s.commit()
    return oid


def _finished(api: Api, url: str, who: str = "front") -> None:
    for _ in range(400):
        if api.client.get(url, headers=api.tokens[who]).json()["state"] != "running":
            return
        time.sleep(0.05)
    raise AssertionError(f"import still running: {url}")


def exercise(client: TestClient, db: Db, clock: FixedTime, staff: Staff, monkeypatch: pytest.MonkeyPatch) -> Api:
    """Call every operation of the API; returns the calls made."""
    create_user(db.engine, agency_code="default", username="platform", password="password123",
                roles=["instance_admin"], display_name="平台管理员", now=clock.now())
    tokens = {who: token(client, f"default-{who}") for who in ("front", "officer", "leader", "admin")}
    tokens["platform"] = token(client, "platform")
    api = Api(client, tokens)
    watch(monkeypatch, api)

    # --- auth, calendar
    api.call("POST", "/api/token", None, data={"username": "default-officer", "password": "password123"})
    api.call("GET", "/api/me", "officer")
    api.call("GET", "/api/calendar/add-workdays", "officer",
             params={"start": "2026-09-25", "days": 10})  # 国庆 skipped, 调休 counted

    # --- whom a case can be given to (the assignment forms' choices)
    for url in ("/api/disclosures/assignment-choices", "/api/workorders/assignment-choices"):
        api.call("GET", url, "front")

    # --- disclosures: two cases, one taken to a reply with a consultation, an extension and a remedy
    reg = api.call("POST", "/api/disclosures", "front", expect=201, json=registration(assignee_id=staff.officer.id))
    a = reg["id"]
    reg_b = api.call("POST", "/api/disclosures", "front", expect=201,
                     json=registration(assignee_id=staff.officer.id))
    b = reg_b["id"]
    case = "/api/disclosures/{case_id}"
    act = "/api/disclosures/{case_id}/actions/{action}"
    for who, action, payload in (
            ("officer", "start_consultation", {"consultee_kind": "third_party", "consultee_name": "某某公司",
                                               "interest": "涉及该公司的商业秘密"}),
            ("officer", "record_opinion", {"opinion": "agree", "opinion_text": "同意公开"}),
            ("officer", "request_extension", {"days": 10, "reason": "需要调取档案"}),
            ("leader", "approve_extension", {"note": "同意"}),
            ("officer", "reply", {"category": "disclose", "reason": "provided", "documents": ["招标文件"]}),
            ("officer", "record_remedy", {"kind": "reconsideration", "filed_date": "2026-03-02"})):
        api.call("POST", act, who, path={"case_id": a, "action": action}, json={"payload": payload})
    for action, payload in (("request_extension", {"days": 5, "reason": "需要调取档案"}),
                            ("request_correction", {"items": ["请写明所需信息的文号"], "guidance": "可网上补正"})):
        api.call("POST", act, "officer", path={"case_id": b, "action": action}, json={"payload": payload})
    f = api.call("POST", "/api/disclosures/{case_id}/files", "officer", expect=201, path={"case_id": a},
                 files={"file": ("答复材料.pdf", PDF, "application/pdf")}, data={"category": "other"})
    api.call("GET", "/api/disclosures/{case_id}/files/{file_id}", "officer",
             path={"case_id": a, "file_id": f["id"]})
    api.call("GET", "/api/disclosures", "officer")
    api.call("GET", "/api/disclosures", "officer", params={"limit": 1})  # a next cursor
    for who in ("officer", "leader"):
        for cid in (a, b):
            api.call("GET", case, who, path={"case_id": cid})
    api.call("GET", case, "front", path={"case_id": b})  # masked, no files
    for method, quantity in (("item", 15), ("page", 120)):
        api.call("GET", "/api/disclosures/{case_id}/fee-preview", "officer", path={"case_id": b},
                 params={"method": method, "quantity": quantity})

    # --- the applicant's look-up: documents rendered, a correction asked for and answered through the portal
    from tests.web.conftest import Web, drain_outbox

    drain_outbox(Web(client.app, db, clock, staff))  # type: ignore[arg-type]
    applicant_upload(db.engine, reg_b["tracking_no"], reg_b["query_code"], [], "已补充文号", now=clock.now(),
                     settings=db.settings)
    for r in (reg_b, reg):
        lookup = {"tracking_no": r["tracking_no"], "query_code": r["query_code"]}
        body = api.call("POST", "/api/public/status", None, json=lookup)
        api.call("GET", "/api/public/status", None, params=lookup)
    docs = body["documents"]
    assert docs, "the reply notice should be listed for the applicant"
    api.call("POST", "/api/public/files/{file_id}", None, path={"file_id": docs[0]["id"]}, json=lookup)
    api.call("GET", "/api/public/files/{file_id}", None, path={"file_id": docs[0]["id"]}, params=lookup)

    # --- the portal through the API: a challenge, an online application, its attachment, its withdrawal
    portal = {"code": "default"}
    ch = api.call("GET", "/api/public/{code}/challenge", None, path=portal)
    sub = api.call("POST", "/api/public/{code}/applications", None, expect=201, path=portal,
                   json={**application(), "challenge_token": ch["challenge_token"],
                         "challenge_answer": str(solve(ch["question"]))})
    keys = {"tracking_no": sub["submission_no"], "query_code": sub["query_code"]}
    api.call("POST", "/api/public/{code}/correction", None, expect=201, path=portal, data={**keys, "note": "身份证"},
             files=[("attachments", ("身份证.pdf", PDF, "application/pdf"))])
    api.call("POST", "/api/public/{code}/withdraw", None, path=portal, json={**keys, "reason": "不需要了"})

    # --- 12345: intake (new and repeated), list, actions to an extension request, detail, files, import, export
    order = order_input()
    oid = api.call("POST", "/api/workorders", "front", expect=201, json=order)["id"]
    api.call("POST", "/api/workorders", "front", json={**order, "title": "夜间施工噪音（更新）"})
    wact = "/api/workorders/{case_id}/actions/{action}"
    steps: tuple[tuple[str, str, dict[str, Any]], ...] = (
        ("front", "sign_for", {}), ("front", "assign", {"assignee_id": staff.officer.id}),
        ("officer", "start_handling", {}), ("officer", "request_extension", {"days": 3, "reason": "需要协调"}))
    for who, action, payload in steps:
        api.call("POST", wact, who, path={"case_id": oid, "action": action}, json={"payload": payload})
    wf = api.call("POST", "/api/workorders/{case_id}/files", "officer", expect=201, path={"case_id": oid},
                  files={"file": ("现场照片.pdf", PDF, "application/pdf")})
    api.call("GET", "/api/workorders/{case_id}/files/{file_id}", "officer",
             path={"case_id": oid, "file_id": wf["id"]})
    for who in ("front", "officer", "leader"):
        api.call("GET", "/api/workorders/{case_id}", who, path={"case_id": oid})
    api.call("GET", "/api/workorders", "leader")
    jsonl = (b'{"order_no": "GD-SCHEMA-1", "received_at": "2026-03-02 09:00", "category": "\xe6\x8a\x95\xe8\xaf\x89",'
             b' "content": "x"}\n{"order_no": "GD-SCHEMA-2", "received_at": "yesterday", "content": "y"}\n')
    done = api.call("POST", "/api/workorders/import", "front", files={"file": ("orders.jsonl", jsonl, "")})["job"]
    for data, upload in (({"background": "true"}, ("orders.jsonl", jsonl, "")),
                         ({"background": "true"}, ("x.xlsx", b"not a workbook", ""))):
        job = api.call("POST", "/api/workorders/import", "front", expect=202, files={"file": upload}, data=data)
        _finished(api, job["status_url"])
        api.call("GET", "/api/workorders/import/{token}", "front", path={"token": job["job"]})
    api.call("GET", "/api/workorders/import/{token}/errors.{fmt}", "front", path={"token": job["job"], "fmt": "csv"},
             expect=404)  # the failed job has no problem list
    for fmt in ("xlsx", "csv"):
        api.call("GET", "/api/workorders/import/{token}/errors.{fmt}", "front", path={"token": done, "fmt": fmt})
    api.call("GET", "/api/workorders/export", "front", params={"since": "2026-03-01", "format": "jsonl"})

    # --- the go-live import: the template, a file run in the request and in the background, its problems
    golive = write_xlsx(db.settings.var_dir / "golive-schema.xlsx", golive_rows(6, bad_fraction=0.3, seed=3)[0])
    golive_file = {"file": ("台账.xlsx", golive.read_bytes(), "application/octet-stream")}
    api.call("GET", "/api/golive/template.xlsx", "admin")
    ran = api.call("POST", "/api/golive/import", "admin", files=golive_file, data={"dry_run": "true"})
    for fmt in ("xlsx", "csv"):
        api.call("GET", "/api/golive/import/{token}/errors.{fmt}", "admin", path={"token": ran["job"], "fmt": fmt})
    job = api.call("POST", "/api/golive/import", "admin", expect=202, files=golive_file, data={"background": "true"})
    _finished(api, job["status_url"], "admin")
    api.call("GET", "/api/golive/import/{token}", "admin", path={"token": job["job"]})

    # --- reports
    api.call("GET", "/api/reports/annual/{year}", "leader", path={"year": 2025})
    api.call("GET", "/api/reports/stats", "leader")
    api.call("GET", "/api/reports/stats.xlsx", "leader")

    # --- scheduler and outbox, health
    register_on(db.engine, staff, date(2026, 2, 2))
    run_all(db.engine, at(date(2026, 3, 2), 10), instance="schema-test",
            settings=db.settings.model_copy(update={"outbox_dir": db.settings.var_dir / "eml"}))
    dead = _dead_letter(db, staff.agency_id)
    api.call("GET", "/api/admin/scheduler", "admin")
    api.call("POST", "/api/admin/outbox/{outbox_id}/retry", "admin", path={"outbox_id": dead})
    api.call("GET", "/api/admin/health", "admin", params={"quick": "true"}, expect=(200, 503))

    # --- the holiday arrangements: the years, the template, a local closure previewed (moving open deadlines), imported
    api.call("GET", "/api/calendar/years", "admin")
    api.call("GET", "/api/calendar/template.yaml", "admin")
    notice = {"file": ("火把节.yaml", LOCAL_NOTICE.encode("utf-8"), "text/yaml")}
    assert api.call("POST", "/api/calendar/preview", "admin", files=notice)["moved"]
    api.call("POST", "/api/calendar/import", "admin", data={"text": LOCAL_NOTICE})

    # --- agencies: a county with an office, its administrator, a member from elsewhere
    ag = "/api/admin/agencies/{code}"
    api.call("POST", "/api/admin/agencies", "platform", expect=201, json={"code": "county", "name": "某某县人民政府"})
    api.call("POST", "/api/admin/agencies", "platform", expect=201,
             json={"code": "land", "name": "某某县自然资源局", "parent": "county"})
    api.call("GET", "/api/admin/agencies", "platform")
    create_user(db.engine, agency_code="county", username="county-sup", password="password123",
                roles=["supervisor"], display_name="县政府监督员", now=clock.now())
    api.tokens["county-sup"] = token(client, "county-sup")
    assert api.call("GET", "/api/me", "county-sup")["supervised"]  # the office below, with its id
    api.call("GET", ag, "platform", path={"code": "land"})
    api.call("GET", ag, "admin", path={"code": "default"})
    api.call("PATCH", ag, "platform", path={"code": "land"}, json={"settings": {"phone": "0871-1234567"}})
    api.call("POST", ag + "/users", "platform", expect=201, path={"code": "county"},
             json={"username": "county-officer", "password": "password123", "roles": ["officer"],
                   "display_name": "县政府承办人"})
    api.call("POST", ag + "/members", "admin", expect=201, path={"code": "default"},
             json={"username": "county-officer", "roles": ["officer"]})
    api.call("GET", ag + "/members", "admin", path={"code": "default"})
    api.call("DELETE", ag + "/members/{username}", "admin", path={"code": "default", "username": "county-officer"})
    api.call("POST", ag + "/deactivate", "platform", path={"code": "land"})
    api.call("POST", ag + "/activate", "platform", path={"code": "land"})

    # --- user administration: an account of the agency listed, then each operation of the users page on it
    managed = create_user(db.engine, agency_code="default", username="managed", password="password123",
                          roles=["officer"], display_name="被管理的账户", now=clock.now()).id
    users = "/api/admin/agencies/{code}/users"
    one = {"code": "default", "user_id": managed}
    api.call("GET", users, "admin", path={"code": "default"})
    for op in ("deactivate", "activate", "unlock", "end-sessions"):
        api.call("POST", users + "/{user_id}/" + op, "admin", path=one)
    api.call("POST", users + "/{user_id}/password", "admin", path=one, json={"password": "reset-secret-1"})
    api.call("PUT", users + "/{user_id}/roles", "admin", path=one, json={"roles": ["officer", "leader"]})
    # what these did, in the audit log (its page's), one page and the next
    log = api.call("GET", "/api/admin/audit", "admin", params={"limit": 3})
    api.call("GET", "/api/admin/audit", "platform", params={"agency": "default", "before": log["next_before"]})

    # --- one's own account: a password changed without a token, then the account's tokens ended
    create_user(db.engine, agency_code="default", username="integration", password="password123",
                roles=["front_desk"], display_name="对接程序", now=clock.now())
    api.call("POST", "/api/account/password", None, json={
        "username": "integration", "current_password": "password123", "new_password": "another-secret-2"})
    api.tokens["integration"] = token(client, "integration", "another-secret-2")
    api.call("POST", "/api/token/revoke", "integration")
    return api
