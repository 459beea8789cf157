"""One's own account through the API (finding h3-4): an account with an initial password changes it without the
browser (``POST /api/account/password``: the login name and the current password, checked as every login is, then
the page's own password change), and a client ends its bearer tokens (``POST /api/token/revoke``)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import User
from tests.conftest import Db
from tests.helpers import make_staff, password_hash
from tests.web.conftest import Web, token
from web.app import create_app
from workflow.accounts.audit_trail import audit_page
from workflow.timesource import FixedTime

PASSWORD = "/api/account/password"


def _bootstrap_admin(web: Web) -> None:
    """The first-run administrator, its printed password replaced by a known one (still to be changed)."""
    with write_session(web.db.engine) as s:
        admin = s.exec(select(User).where(User.username == "admin")).one()
        assert admin.must_change_password
        admin.password_hash = password_hash()
        s.add(admin)
        s.commit()


def _change(api: TestClient, username: str, current: str, new: str) -> Response:
    return api.post(PASSWORD, json={"username": username, "current_password": current, "new_password": new})


def test_an_initial_password_is_changed_through_the_api(web: Web) -> None:
    _bootstrap_admin(web)
    with TestClient(web.app) as api:
        r = api.post("/api/token", data={"username": "admin", "password": "password123"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "password_change_required"
        assert PASSWORD in r.json()["error"]["message"]
        # the new password's rules are the page's, each at its field
        for new, code in (("short", "password_too_short"), ("password123", "same_password")):
            r = _change(api, "admin", "password123", new)
            assert r.status_code == 422, r.text
            err = r.json()["error"]
            assert err["code"] == code and err["fields"][0]["field"] == "new_password", err
            assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"])
        r = _change(api, "admin", "password123", "a-new-secret-1")
        assert r.status_code == 200, r.text
        assert r.json()["username"] == "admin" and r.json()["password_changed_at"].startswith("2026-")
        assert api.post("/api/token", data={"username": "admin", "password": "password123"}).status_code == 401
        assert api.post("/api/token", data={"username": "admin", "password": "a-new-secret-1"}).status_code == 200
    with read_session(web.db.engine) as s:
        admin = s.exec(select(User).where(User.username == "admin")).one()
    assert not admin.must_change_password
    assert "change_own_password" in [e.action for e in audit_page(web.db.engine, admin.agency_id).entries]


def test_every_session_and_token_of_the_account_ends(web: Web) -> None:
    browser = web.login("officer")
    assert browser.get("/cases/mine").status_code == 200
    with TestClient(web.app) as api:
        old = token(api, "default-officer")
        assert api.get("/api/me", headers=old).status_code == 200
        r = _change(api, "default-officer", "password123", "another-secret-2")
        assert r.status_code == 200, r.text
        assert api.get("/api/me", headers=old).status_code == 401  # at once in this process
        assert api.get("/api/me", headers=token(api, "default-officer", "another-secret-2")).status_code == 200
    r = browser.get("/cases/mine")
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]


def test_a_wrong_password_counts_as_a_failed_login(web: Web) -> None:
    with TestClient(web.app) as api:
        r = _change(api, "default-front", "wrong-pass", "another-secret-2")
        assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials"
        r = _change(api, "nobody", "password123", "another-secret-2")
        assert r.status_code == 401 and r.json()["error"]["message"] == "用户名或密码错误"  # the same answer
        for _ in range(web.db.settings.login_max_failures):
            r = _change(api, "default-front", "wrong-pass", "another-secret-2")
        assert r.status_code == 429 and r.json()["error"]["code"] == "locked" and "Retry-After" in r.headers
        # the name is locked for the login too, even with the right password
        assert api.post("/api/token", data={"username": "default-front", "password": "password123"}).status_code == 429
        assert _change(api, "default-front", "password123", "another-secret-2").status_code == 429
    entries = audit_page(web.db.engine, web.staff.agency_id).entries
    assert [e.action for e in entries if e.payload.get("username") == "default-front"].count("login_failed") >= 2
    assert "change_own_password" not in [e.action for e in entries]


def test_the_body_is_checked(web: Web) -> None:
    bodies: list[object] = [{"username": "default-front", "current_password": "password123"},
                            {"username": "default-front", "current_password": "password123", "new_password": "x" * 20,
                             "new_password2": "x" * 20}, []]
    with TestClient(web.app) as api:
        for body in bodies:
            r = api.post(PASSWORD, json=body)
            assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input", r.text
        assert _change(api, "default-front", "password123", "another-secret-2").status_code == 200


def test_refused_changes_are_answered_late(db: Db, clock: FixedTime) -> None:
    """Like the login (web.login_delay): a refusal waits out login_failure_delay_seconds; a change does not."""
    make_staff(db.engine, clock.now())
    settings = db.settings.model_copy(update={"login_failure_delay_seconds": 0.4})
    with TestClient(create_app(settings, db.engine, clock, run_scheduler=False)) as api:
        t0 = time.monotonic()
        assert _change(api, "default-front", "wrong-pass", "another-secret-2").status_code == 401
        assert time.monotonic() - t0 >= 0.4


def test_revoking_ends_every_token_of_the_account_and_no_browser_session(web: Web) -> None:
    browser = web.login("officer")
    with TestClient(web.app) as api:
        first, second = token(api, "default-officer"), token(api, "default-officer")
        other = token(api, "default-front")
        assert api.post("/api/token/revoke").status_code == 401
        r = api.post("/api/token/revoke", headers=first)
        assert r.status_code == 200 and r.json() == {"username": "default-officer", "revoked": True}
        for h in (first, second):
            assert api.get("/api/me", headers=h).status_code == 401
        assert api.get("/api/me", headers=other).status_code == 200  # someone else's go on
        assert api.get("/api/me", headers=token(api, "default-officer")).status_code == 200  # a new one works
    assert browser.get("/cases/mine").status_code == 200
    entries = audit_page(web.db.engine, web.staff.agency_id).entries
    assert entries[0].action == "revoke_own_tokens" and entries[0].payload["username"] == "default-officer"
    assert "撤销本人的访问令牌" in web.login("admin").get("/admin/audit").text
