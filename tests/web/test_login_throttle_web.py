"""The login throttles as clients meet them (issue 15): ``POST /api/token`` answers 429 with a Retry-After header
and a structured error, the login page a plain Chinese message — and two app instances on one database share
the counts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from db.engine import make_engine
from tests.conftest import Db
from tests.helpers import make_staff
from tests.web.conftest import Web, csrf_of
from web.app import create_app
from workflow.timesource import FixedTime


def test_two_app_instances_share_the_address_count_and_the_api_answers_429(db: Db, clock: FixedTime) -> None:
    make_staff(db.engine, clock.now())
    settings = db.settings.model_copy(update={"login_ip_max_failures": 3, "login_ip_window_seconds": 600})
    other = make_engine(db.url)
    try:
        first = TestClient(create_app(settings, db.engine, clock, run_scheduler=False))
        second = TestClient(create_app(settings, other, clock, run_scheduler=False))
        for i, c in enumerate((first, second, first)):
            r = c.post("/api/token", data={"username": f"nobody-{i}", "password": "password123"})
            assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials"
        clock.advance(seconds=30)
        for c in (second, first):
            r = c.post("/api/token", data={"username": "default-front", "password": "password123"})
            assert r.status_code == 429, r.text
            assert r.headers["retry-after"] == "570"
            err = r.json()["error"]
            assert err["code"] == "login_throttled" and err["retry_after"] == 570
            assert "登录失败的次数过多" in err["message"] and "约 10 分钟" in err["message"]
        clock.advance(seconds=571)
        assert second.post("/api/token", data={"username": "default-front",
                                               "password": "password123"}).status_code == 200
    finally:
        other.dispose()


def test_a_locked_name_answers_429_on_the_api_and_the_page_says_when(web: Web) -> None:
    limit = web.db.settings.login_max_failures
    api = TestClient(web.app)
    for _ in range(limit):
        assert api.post("/api/token", data={"username": "default-front", "password": "wrong-pass"}).status_code == 401
    r = api.post("/api/token", data={"username": "default-front", "password": "password123"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "locked"
    assert r.headers["retry-after"] == str(web.db.settings.login_lockout_seconds)
    c = web.client()
    token = csrf_of(c.get("/login").text)
    page = c.post("/login", data={"username": "default-front", "password": "password123", "csrf_token": token})
    assert page.status_code == 429 and page.headers["retry-after"] == str(web.db.settings.login_lockout_seconds)
    assert "账户已暂时锁定，请约 15 分钟后再试" in page.text and 'value="default-front"' in page.text
    # the administrator sees the lock on 用户管理 and can lift it
    assert "已锁定" in web.login("admin").get("/admin/users").text
