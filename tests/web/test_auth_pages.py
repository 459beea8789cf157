"""Login, logout, CSRF on every form, idle time-out, lock-out, admin revocation, redirects for anonymous users."""

from __future__ import annotations

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import Disclosure, WebSession
from tests.web.conftest import Web, count, csrf_of, register_case

STAFF_PAGES = ["/", "/cases", "/cases/mine", "/frontdesk/register", "/leader", "/admin/users", "/admin/calendar",
               "/admin/agency", "/admin/system", "/workorders", "/cases/disclosure/1", "/frontdesk/receipt/1"]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_anonymous_users_are_sent_to_login(web: Web, url: str) -> None:
    r = web.client().get(url)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


def test_public_pages_need_no_login(web: Web) -> None:
    c = web.client()
    for url in ("/login", "/chaxun", "/static/banli.css", "/static/banli.js"):
        assert c.get(url).status_code == 200, url
    html = c.get("/chaxun").text
    assert '<html lang="zh-CN">' in html


def test_login_sets_a_signed_httponly_lax_cookie_and_lands_on_the_role_home(web: Web) -> None:
    c = web.client()
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": "default-officer", "password": "password123", "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/cases/mine"
    cookie = r.headers["set-cookie"]
    assert "banli_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    raw = c.cookies.get("banli_session") or ""
    assert "." in raw  # token.signature
    with read_session(web.db.engine) as s:
        rows = s.exec(select(WebSession)).all()
    assert len(rows) == 1 and rows[0].token_hash not in raw  # only the hash is stored


def test_login_goes_back_to_next_but_never_off_site(web: Web) -> None:
    c = web.client()
    token = csrf_of(c.get("/login").text)
    ok = c.post("/login", data={"username": "default-front", "password": "password123", "csrf_token": token,
                                "next": "/cases?state=handling"})
    assert ok.headers["location"] == "/cases?state=handling"
    c2 = web.client()
    token = csrf_of(c2.get("/login").text)
    evil = c2.post("/login", data={"username": "default-front", "password": "password123", "csrf_token": token,
                                   "next": "//evil.example/x"})
    assert evil.headers["location"] == "/frontdesk/register"


def test_wrong_password_keeps_the_username_and_says_so_in_chinese(web: Web) -> None:
    c = web.client()
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": "default-front", "password": "nope", "csrf_token": token})
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text and 'value="default-front"' in r.text


def test_lock_out_after_repeated_failures_then_unlocked_by_time(web: Web) -> None:
    c = web.client()
    token = csrf_of(c.get("/login").text)
    limit = web.db.settings.login_max_failures
    for _ in range(limit):
        c.post("/login", data={"username": "default-front", "password": "wrong-pass", "csrf_token": token})
    r = c.post("/login", data={"username": "default-front", "password": "password123", "csrf_token": token})
    assert r.status_code == 429 and "锁定" in r.text
    web.clock.advance(seconds=web.db.settings.login_lockout_seconds + 1)
    r = c.post("/login", data={"username": "default-front", "password": "password123", "csrf_token": token})
    assert r.status_code == 303
    # each failure is in the admins' 操作记录 with its address, the one that locked the account says so; the
    # attempt refused while locked adds no row
    log = web.login("admin").get("/admin/audit").text
    assert log.count("<td>登录失败</td><td>default-front</td>") == limit
    assert log.count("连续失败次数已达上限，账户暂时锁定") == 1 and "来源地址 testclient" in log
    assert "wrong-pass" not in log


def test_login_form_needs_its_csrf_token(web: Web) -> None:
    c = web.client()
    c.get("/login")
    r = c.post("/login", data={"username": "default-front", "password": "password123"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = c.post("/login", data={"username": "default-front", "password": "password123", "csrf_token": "forged"})
    assert r.status_code == 403
    fresh = web.client()  # no cookie at all: the token from another browser does not help
    token = csrf_of(c.get("/login").text)
    assert fresh.post("/login", data={"username": "default-front", "password": "password123",
                                      "csrf_token": token}).status_code == 403


def test_every_staff_post_checks_the_session_csrf_token(web: Web) -> None:
    case = register_case(web)
    officer = web.login("officer")
    before = count(web, Disclosure)
    for url, data in [(f"/cases/disclosure/{case.id}/actions/request_correction", {"items": "x"}),
                      ("/logout", {})]:
        assert officer.post(url, data=data).status_code == 403
        assert officer.post(url, data={**data, "csrf_token": "bad"}).status_code == 403
    front = web.login("front")
    other_token = csrf_of(front.get("/frontdesk/register").text)
    r = officer.post(f"/cases/disclosure/{case.id}/actions/request_correction",
                     data={"items": "x", "csrf_token": other_token})  # another session's token
    assert r.status_code == 403
    assert count(web, Disclosure) == before
    page = officer.get(f"/cases/disclosure/{case.id}")
    assert "办理中" in page.text  # nothing happened


def test_idle_session_expires_and_activity_keeps_it_alive(web: Web) -> None:
    c = web.login("officer")
    idle = web.db.settings.session_idle_seconds
    web.clock.advance(seconds=idle - 60)
    assert c.get("/cases/mine").status_code == 200
    web.clock.advance(seconds=idle - 60)  # sliding: measured from the last request
    assert c.get("/cases/mine").status_code == 200
    web.clock.advance(seconds=idle + 1)
    r = c.get("/cases/mine")
    assert r.status_code == 303 and "reason=expired" in r.headers["location"]
    assert "登录已超时" in web.client().get(r.headers["location"]).text
    with read_session(web.db.engine) as s:
        assert s.exec(select(WebSession)).one().revoked_reason == "idle"


def test_logout_ends_the_session_server_side(web: Web) -> None:
    c = web.login("leader")
    stolen = c.cookies.get("banli_session")
    r = web.post(c, "/logout", {}, page="/leader")
    assert r.status_code == 303 and r.headers["location"] == "/login?reason=logged_out"
    replay = web.client()
    replay.cookies.set("banli_session", stolen or "")
    assert replay.get("/leader").status_code == 303


def test_admin_revokes_sessions_deactivates_and_resets_passwords(web: Web) -> None:
    officer = web.login("officer")
    admin = web.login("admin")
    oid = web.staff.officer.id
    web.post(admin, f"/admin/users/{oid}/sessions", {}, page="/admin/users")
    assert officer.get("/cases/mine").status_code == 303
    web.clients.pop("officer")
    officer = web.login("officer")
    r = web.post(admin, f"/admin/users/{oid}/password", {"password": "new-password-1"}, page="/admin/users")
    assert r.status_code == 303
    assert officer.get("/cases/mine").status_code == 303  # the reset ended the session
    web.clients.pop("officer")
    web.login("officer", password="new-password-1")
    web.post(admin, f"/admin/users/{oid}/deactivate", {}, page="/admin/users")
    assert web.clients["officer"].get("/cases/mine").status_code == 303
    c = web.client()
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": "default-officer", "password": "new-password-1", "csrf_token": token})
    assert r.status_code == 401


def test_session_cookie_tampering_is_rejected(web: Web) -> None:
    c = web.login("front")
    raw = c.cookies.get("banli_session") or ""
    c.cookies.set("banli_session", raw[:-2] + ("AA" if not raw.endswith("AA") else "BB"))
    assert c.get("/cases").status_code == 303


def test_staff_change_their_own_password(web: Web) -> None:
    """Every staff member can change their password (the first admin is told to): the current one is checked,
    problems are shown at their field, and on success every session and API token of the account ends."""
    from datetime import timedelta

    from fastapi.testclient import TestClient

    officer = web.login("officer")
    page = officer.get("/cases/mine").text
    assert 'href="/account/password"' in page and "修改密码" in page
    form = officer.get("/account/password")
    assert form.status_code == 200 and 'autocomplete="current-password"' in form.text
    api = TestClient(web.app)
    bearer = api.post("/api/token", data={"username": "default-officer", "password": "password123"}).json()
    headers = {"Authorization": f"Bearer {bearer['access_token']}"}
    assert api.get("/api/me", headers=headers).status_code == 200
    for data, field, text in (
        ({"current_password": "wrong-one", "new_password": "brand-new-pw", "new_password2": "brand-new-pw"},
         "current_password", "当前密码不正确"),
        ({"current_password": "password123", "new_password": "brand-new-pw", "new_password2": "brand-new-px"},
         "new_password2", "两次输入的新密码不一致"),
        ({"current_password": "password123", "new_password": "short", "new_password2": "short"},
         "new_password", "密码至少需要"),
        ({"current_password": "password123", "new_password": "password123", "new_password2": "password123"},
         "new_password", "不能与当前密码相同"),
    ):
        r = web.post(officer, "/account/password", data, page="/account/password")
        assert r.status_code == 422 and text in r.text and f'id="field-{field}"' in r.text, (field, r.text[:200])
        assert "brand-new-pw" not in r.text and "wrong-one" not in r.text  # passwords are never echoed
    web.clock.set(web.clock.now() + timedelta(minutes=1))  # the tokens' stamp is the password's time, in seconds
    r = web.post(officer, "/account/password", {"current_password": "password123", "new_password": " new pass 1 ",
                                               "new_password2": " new pass 1 "}, page="/account/password")
    assert r.status_code == 303 and r.headers["location"].endswith("/login?reason=password_changed")
    assert officer.get("/cases/mine").status_code == 303  # this session ended too
    assert api.get("/api/me", headers=headers).status_code == 401  # and the API token
    assert "密码已修改，请用新密码登录" in web.client().get("/login?reason=password_changed").text
    web.clients.pop("officer")
    with pytest.raises(AssertionError):
        web.login("officer")  # the old password no longer works
    web.login("officer", password=" new pass 1 ")  # spaces are part of the password as typed
    assert web.client().get("/account/password").status_code == 303  # login required
