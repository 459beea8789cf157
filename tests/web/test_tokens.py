"""Ending an account's sessions ends its API tokens too (issue 15), on every instance: the token carries the
account's generation number, which ending the sessions bumps (web.auth.TokenService)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import Web, token
from web.app import create_app
from workflow.accounts import admin as user_admin


def test_ending_sessions_ends_api_tokens(web_any: Web) -> None:
    web = web_any
    api = TestClient(web.app)
    other = TestClient(create_app(web.db.settings, web.db.engine, web.clock, run_scheduler=False))  # 2nd instance
    officer = token(api, "default-officer")
    leader = token(api, "default-leader")
    assert api.get("/api/me", headers=officer).status_code == 200
    assert other.get("/api/me", headers=officer).status_code == 200  # now remembered there for a few seconds
    admin = web.login("admin")
    r = web.post(admin, f"/admin/users/{web.staff.officer.id}/sessions", {}, page="/admin/users")
    assert r.status_code == 303
    assert api.get("/api/me", headers=officer).status_code == 401
    other.app.state.tokens.cache_seconds = 0  # the other instance's memory runs out (cache_seconds later)
    other.app.state.tokens._cache.clear()
    assert other.get("/api/me", headers=officer).status_code == 401
    assert api.get("/api/me", headers=leader).status_code == 200  # another account's token is untouched
    fresh = token(api, "default-officer")  # a new login works
    assert api.get("/api/me", headers=fresh).status_code == 200


def test_ending_sessions_through_the_workflow_ends_tokens(web_any: Web) -> None:
    web = web_any
    api = TestClient(web.app)
    officer = token(api, "default-officer")
    user_admin.revoke_sessions(web.db.engine, web.staff.officer.id, agency_id=web.staff.agency_id,
                               actor=web.staff.admin, now=web.clock.now())
    web.app.state.tokens.forget_user(web.staff.officer.id)
    assert api.get("/api/me", headers=officer).status_code == 401
