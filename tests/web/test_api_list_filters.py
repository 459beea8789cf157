"""The API's case lists filter as the pages do (finding h3-4): by unit (科室) and by the month a case was received, as
/cases does (the same conditions: workflow.cases.list_filters), and by whether a request awaits a decision
(待审批, e.g. an extension for the leader) — so a client can list the pending approvals across cases."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import col, select, update

from db.models import Agency
from tests.hotline_helpers import act as order_act
from tests.hotline_helpers import new_order
from tests.web.conftest import Web, register_case, token
from workflow.agencies.cache import invalidate
from workflow.disclosure import actions as wf


def _ids(api: TestClient, url: str, h: dict[str, str], **params: Any) -> set[int]:
    r = api.get(url, headers=h, params=params)
    assert r.status_code == 200, r.text
    return {item["id"] for item in r.json()["items"]}


def _units(api: TestClient, h: dict[str, str]) -> dict[str, int]:
    return {u["name"]: u["id"] for u in api.get("/api/workorders/assignment-choices", headers=h).json()["units"]}


def test_disclosures_by_unit_month_and_pending_approval(web: Web) -> None:
    s, now = web.staff, web.clock.now()
    feb = register_case(web, received_at="2026-02-26T09:30:00+08:00", assignee_id=s.officer.id).id  # 综合科
    mar = register_case(web, assignee_id=s.officer2.id).id  # 法规科, received 2 March
    waiting = register_case(web, assignee_id=s.officer.id).id
    wf.act(web.db.engine, waiting, "request_extension", {"days": 10, "reason": "需要调取档案"}, s.officer, now)
    url = "/api/disclosures"
    with TestClient(web.app) as api:
        h = token(api, "default-leader")
        units = _units(api, token(api, "default-front"))
        assert _ids(api, url, h, unit=units["综合科"]) == {feb, waiting}
        assert _ids(api, url, h, unit=units["法规科"]) == {mar}
        assert _ids(api, url, h, month="2026-02") == {feb}
        assert _ids(api, url, h, month="2026-03") == {mar, waiting}
        assert _ids(api, url, h, month="2026-03", unit=units["综合科"]) == {waiting}
        assert _ids(api, url, h, pending_approval="true") == {waiting}  # the leader's approvals to decide
        assert _ids(api, url, h, pending_approval="false") == {feb, mar}
        # an officer's list stays their own, whatever the filter
        assert _ids(api, url, token(api, "default-officer"), unit=units["法规科"]) == set()
        for bad in ("2026-13", "三月", "2026"):
            r = api.get(url, headers=h, params={"month": bad})
            assert r.status_code == 422, (bad, r.text)
            field = r.json()["error"]["fields"][0]
            assert field["field"] == "month" and "2026-03" in field["message"], field
    # the /cases page answers the same for the same filters
    page = web.login("leader")
    for params, expected in (({"unit": units["综合科"]}, {feb, waiting}), ({"month": "2026-02"}, {feb})):
        html = page.get("/cases", params={**params, "kind": "disclosure"}).text
        assert {int(n) for n in re.findall(r'href="/cases/disclosure/(\d+)"', html)} == expected, params


def test_workorders_by_unit_month_in_the_agency_zone_and_pending_approval(web: Web) -> None:
    s, now, engine = web.staff, web.clock.now(), web.db.engine
    units: dict[str, int]
    with TestClient(web.app) as api:
        units = _units(api, token(api, "default-front"))
    # 1 March 00:30 in Beijing is still 28 February in UTC: the month is the agency's
    early = new_order(engine, s.front, now, received_at="2026-03-01 00:30")
    late = new_order(engine, s.front, now, received_at="2026-02-28 23:30")
    for oid, officer, unit in ((early, s.officer, "综合科"), (late, s.officer2, "法规科")):
        order_act(engine, oid, "sign_for", s.front, now)
        order_act(engine, oid, "assign", s.front, now, assignee_id=officer.id, unit_id=units[unit])
    order_act(engine, early, "start_handling", s.officer, now)
    order_act(engine, early, "request_extension", s.officer, now, days=3, reason="需要协调")
    url = "/api/workorders"
    with TestClient(web.app) as api:
        h = token(api, "default-leader")
        assert _ids(api, url, h, unit=units["综合科"]) == {early}
        assert _ids(api, url, h, unit=units["法规科"]) == {late}
        assert _ids(api, url, h, month="2026-03") == {early}
        assert _ids(api, url, h, month="2026-02") == {late}
        assert _ids(api, url, h, pending_approval="true") == {early}
        assert _ids(api, url, h, pending_approval="false") == {late}
        assert _ids(api, url, h, unit=999_999) == set()
        r = api.get(url, headers=h, params={"month": "2026-00"})
        assert r.status_code == 422 and r.json()["error"]["fields"][0]["code"] == "invalid_month"
    page = web.login("leader")
    html = page.get("/cases", params={"month": "2026-03", "kind": "workorder"}).text
    assert {int(n) for n in re.findall(r'href="/workorders/(\d+)"', html)} == {early}



def test_a_month_and_a_due_day_are_read_together_in_the_agency_zone(web: Web) -> None:
    """One reading of a list's filter in the listed agency's zone (workflow.cases.keyset.in_agency_zone): the month
    of an instant and a day given as a due bound, in the same request — and both follow the agency's zone."""
    s, now, engine = web.staff, web.clock.now(), web.db.engine
    feb = new_order(engine, s.front, now, received_at="2026-02-28 23:30")  # Tokyo: 1 March 00:30
    mar = new_order(engine, s.front, now, received_at="2026-03-01 08:30")
    url = "/api/workorders"
    with TestClient(web.app) as api:
        h = token(api, "default-leader")
        dues = {i["id"]: i["next_due_at"] for i in api.get(url, headers=h).json()["items"]}
        assert set(dues.values()) == {"2026-03-02T16:00:00+00:00"}  # 24:00 of 2 March in Beijing
        assert _ids(api, url, h, month="2026-03", due_before="2026-03-02", due_after="2026-03-02") == {mar}
        assert _ids(api, url, h, month="2026-02", due_before="2026-03-02") == {feb}
        assert _ids(api, url, h, month="2026-03", due_before="2026-03-01") == set()
        with engine.begin() as conn:  # the agency keeps another zone (UTC+9): its months and days are its own
            agency = conn.execute(select(Agency.id, Agency.settings).where(col(Agency.code) == "default")).one()
            conn.execute(update(Agency).where(col(Agency.id) == agency.id).values(
                settings={**(agency.settings or {}), "timezone": "Asia/Tokyo"}))
        invalidate()
        assert _ids(api, url, h, month="2026-03") == {feb, mar}
        assert _ids(api, url, h, month="2026-02") == set()
        # 16:00 UTC is 3 March 01:00 there: due on the 3rd, not by the end of the 2nd
        assert _ids(api, url, h, month="2026-03", due_before="2026-03-02") == set()
        assert _ids(api, url, h, month="2026-03", due_before="2026-03-03", due_after="2026-03-03") == {feb, mar}
