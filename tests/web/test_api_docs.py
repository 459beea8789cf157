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
    assert anon.get("/docs/swagger").status_code in (302, 303)
    c = web.login("officer")
    r = c.get("/docs/swagger")
    assert r.status_code == 200 and "/openapi.json" in r.text and "swagger" in r.text.lower()
    assert c.get("/openapi.json").json()["info"]["title"] == "办理 banli"


def test_the_reference_page_needs_no_internet(web: Web) -> None:
    """/docs is rendered on the server from the OpenAPI description: every operation and schema, no script
    from elsewhere (agency networks often have no Internet access)."""
    import re

    c = web.login("officer")
    html = c.get("/docs").text
    spec = c.get("/openapi.json").json()
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', html)  # nothing loaded from elsewhere
    for path, item in spec["paths"].items():
        for method in item:
            assert f"<code>{path}</code>" in html, (method, path)
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert "依申请公开申请" in html and "12345工单" in html and "公开查询（无需登录）" in html
    # a parameter with its type and whether it is required; a request body by its schema
    assert "<code>tracking_no</code></td><td>query</td><td>string</td><td>是</td>" in html
    assert "请求体：RegisterIn（application/json）" in html


def test_types_and_constraints_read_shortly() -> None:
    from web.api.reference import constraints, type_of

    assert type_of({"$ref": "#/components/schemas/RegisterIn"}) == "RegisterIn"
    assert type_of({"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]}) == "string[] | null"
    assert type_of({"enum": ["paper", "electronic"]}) == "枚举：paper, electronic"
    assert type_of({}) == "any"
    assert constraints({"maxLength": 200, "default": ""}) == "最长 200"
    assert constraints({"minimum": 1, "default": False}) == "≥ 1；默认 否"
