"""The API description and its page are for logged-in staff only (nothing but the public look-up and the
portal is reachable without login)."""

from __future__ import annotations

from tests.web.conftest import Web, token


def test_openapi_needs_a_bearer_token(client, staff) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert client.get("/openapi.json", headers={"Authorization": "Bearer forged"}).status_code == 401
    r = client.get("/openapi.json", headers=token(client, "default-front"))
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/disclosures" in paths and "/api/workorders" in str(paths)
    assert not any(p.startswith(("/cases", "/leader", "/admin")) for p in paths)  # pages stay out of the schema
    for url in ("/redoc", "/docs/oauth2-redirect"):
        assert client.get(url).status_code == 404


def test_docs_page_for_a_logged_in_session_only(web: Web) -> None:
    anon = web.client()
    r = anon.get("/docs")
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]
    assert anon.get("/openapi.json").status_code == 401
    c = web.login("officer")
    r = c.get("/docs")
    assert r.status_code == 200 and "/openapi.json" in r.text and "swagger" in r.text.lower()
    assert c.get("/openapi.json").json()["info"]["title"] == "办理 banli"
