"""The lists' due bounds (findings h3 #2): an instant carries its offset, a time without one is a 422 at the field in
Chinese (never a 500), and a date alone is a day of the listed agency — due_before D up to its 24:00 (a deadline on D
included), due_after D from just after its 0:00 (a deadline at 0:00 is the day before's 24:00) — for both kinds."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from db.engine import read_session
from db.models import User
from states.wording import NAIVE_TIME_MESSAGE
from tests.conftest import Db
from tests.helpers import Staff, make_staff, registration
from tests.hotline_helpers import local, order_input
from web.app import create_app
from workflow.timesource import FixedTime

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def api(db: Db) -> tuple[TestClient, Staff, Any]:
    clk = FixedTime(local(2026, 3, 2, 10))
    staff = make_staff(db.engine, clk.now())
    app = create_app(db.settings, db.engine, clk, run_scheduler=False)

    def headers(p: Any) -> dict[str, str]:
        with read_session(db.engine) as s:
            user = s.get(User, p.id)
        return {"Authorization": f"Bearer {app.state.tokens.issue(user)}"}

    return TestClient(app), staff, headers


def _ids(client: TestClient, url: str, headers: dict[str, str], **params: str) -> set[int]:
    r = client.get(url, params=params, headers=headers)
    assert r.status_code == 200, (params, r.text)
    return {i["id"] for i in r.json()["items"]}


@pytest.mark.parametrize("url", ["/api/disclosures", "/api/workorders"])
def test_a_time_without_offset_is_refused_in_chinese(api, url: str) -> None:
    client, staff, h = api
    lead = h(staff.leader)
    for name in ("due_before", "due_after"):
        for value in ("2026-12-04T10:00:00", "2026-12-04 10:00"):
            r = client.get(url, params={name: value}, headers=lead)
            assert r.status_code == 422, (name, value, r.text)
            assert r.json()["error"]["fields"] == [{"field": name, "code": "timezone_aware",
                                                    "message": NAIVE_TIME_MESSAGE}]
        for value, code in (("明天", "invalid_datetime"), ("2026-02-30", "invalid_datetime"),
                            ("1764806400", "invalid_datetime"),  # not read as seconds since 1970
                            ("0001-01-01", "date_out_of_range"), ("0001-01-01T00:00:00+00:00", "date_out_of_range")):
            r = client.get(url, params={name: value}, headers=lead)
            assert r.status_code == 422 and r.json()["error"]["fields"][0]["code"] == code, (value, r.text)
            assert "应" in r.json()["error"]["fields"][0]["message"]
        assert client.get(url, params={name: "2026-12-04T10:00:00+08:00"}, headers=lead).status_code == 200
        assert client.get(url, params={name: "2026-12-04T02:00:00Z"}, headers=lead).status_code == 200


def test_a_date_alone_is_a_day_of_the_agency(api) -> None:
    client, staff, h = api
    front, lead = h(staff.front), h(staff.leader)
    case = client.post("/api/disclosures", json=registration(), headers=front).json()["id"]
    [item] = client.get("/api/disclosures", headers=lead).json()["items"]
    due = datetime.fromisoformat(item["next_due_at"]).astimezone(SHANGHAI)
    assert (due.hour, due.minute) == (0, 0)  # a period ends at 24:00 of its last day
    day = due.date() - timedelta(days=1)  # the day it is shown on: "… 24:00"
    url = "/api/disclosures"
    assert _ids(client, url, lead, due_before=day.isoformat()) == {case}
    assert _ids(client, url, lead, due_before=(day - timedelta(days=1)).isoformat()) == set()
    assert _ids(client, url, lead, due_after=day.isoformat()) == {case}
    assert _ids(client, url, lead, due_after=due.date().isoformat()) == set()
    assert _ids(client, url, lead, due_after=day.isoformat(), due_before=day.isoformat()) == {case}
    # an instant is compared as it is, both bounds included
    assert _ids(client, url, lead, due_before=due.isoformat()) == {case}
    assert _ids(client, url, lead, due_after=due.isoformat()) == {case}
    assert _ids(client, url, lead, due_before=(due - timedelta(seconds=1)).isoformat()) == set()


def test_work_orders_take_the_same_bounds(api) -> None:
    client, staff, h = api
    front, lead = h(staff.front), h(staff.leader)
    oid = client.post("/api/workorders", json=order_input(), headers=front).json()["id"]
    [item] = client.get("/api/workorders", headers=lead).json()["items"]
    due = datetime.fromisoformat(item["next_due_at"]).astimezone(SHANGHAI)
    shown = (due - timedelta(microseconds=1)).date()  # 0:00 is the day before's 24:00
    url = "/api/workorders"
    assert _ids(client, url, lead, due_before=shown.isoformat(), due_after=shown.isoformat()) == {oid}
    assert _ids(client, url, lead, due_before=(shown - timedelta(days=1)).isoformat()) == set()
    assert _ids(client, url, lead, due_after=(shown + timedelta(days=1)).isoformat()) == set()
    assert _ids(client, url, lead, due_after=date(2026, 3, 1).isoformat()) == {oid}
