"""Every JSON operation of the API answers through a typed response model, and the model is the answer (issue 17:
"API responses typed with response models").

- /openapi.json gives every JSON operation a typed 2xx schema (an object with its properties, or a list of them),
  described in Chinese; file downloads are documented as files (their media types, no JSON schema).
- Each operation called as a role that may call it, on data that fills the answers (tests/web/api_calls.py): the
  JSON answered validates against the operation's documented schema with no undeclared key anywhere (so the
  models name every key answered), every response schema is met at least once (so no model goes unchecked), and
  what the route returned is exactly what was answered — FastAPI filters an answer through its response model,
  and a key a model forgot would silently disappear, a ``float`` would turn 15 into 15.0, an ``int`` True into 1.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from fastapi.encoders import jsonable_encoder

from tests.conftest import Db
from tests.helpers import Staff
from tests.web.api_calls import NOT_SERIALISED, Api, exercise
from tests.web.conftest import Web, token
from workflow.timesource import FixedTime

# Files, not JSON: each documents its media types. The annual report is a document in four formats (json, html,
# xlsx, docx), served inline or as an attachment.
FILES = {
    ("get", "/api/disclosures/{case_id}/files/{file_id}"),
    ("get", "/api/workorders/{case_id}/files/{file_id}"),
    ("post", "/api/public/files/{file_id}"),
    ("get", "/api/public/files/{file_id}"),
    ("get", "/api/workorders/export"),
    ("get", "/api/reports/annual/{year}"),
    ("get", "/api/reports/stats.xlsx"),
    ("get", "/api/workorders/import/{token}/errors.{fmt}"),
    ("get", "/api/golive/template.xlsx"),
    ("get", "/api/golive/import/{token}/errors.{fmt}"),
    ("get", "/api/calendar/template.yaml"),
}
METHODS = ("get", "post", "put", "patch", "delete")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _typed(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """An object with its properties, or a list of such objects — not ``{}`` nor a bare ``dict[str, Any]``."""
    schema = _resolve(spec, schema)
    if schema.get("type") == "array":
        return _typed(spec, schema.get("items", {}))
    return schema.get("type") == "object" and bool(schema.get("properties"))


def _ok(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {code: r for code, r in op["responses"].items() if code.startswith("2")}


def _spec(client: Any) -> dict[str, Any]:
    r = client.get("/openapi.json", headers=token(client, "default-officer"))
    assert r.status_code == 200
    return dict(r.json())


def test_every_json_operation_declares_a_typed_answer(web: Web) -> None:
    with web.client() as c:
        spec = _spec(c)
    ops = {(m, p): op for m, p, op in _operations(spec)}
    assert set(ops) >= FILES
    problems = []
    for (method, path), op in ops.items():
        where = f"{method.upper()} {path}"
        for code, resp in _ok(op).items():
            if not CJK.search(resp.get("description", "")):
                problems.append(f"{where} {code}: description not in Chinese: {resp.get('description')!r}")
            content = resp.get("content", {})
            if (method, path) in FILES:
                if not any(not media.startswith("application/json") for media in content):
                    problems.append(f"{where} {code}: a file should list its media types, got {sorted(content)}")
                continue
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                problems.append(f"{where} {code}: no JSON schema")
            elif not _typed(spec, schema):
                problems.append(f"{where} {code}: untyped JSON answer {schema}")
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------------- the answers are the models


def _closed(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec's schemas with ``additionalProperties: false`` wherever a model does not say otherwise: an answer
    must then carry no key its model does not name."""
    components = copy.deepcopy(spec["components"])

    def close(s: Any) -> None:
        if isinstance(s, dict):
            if "properties" in s and s.get("additionalProperties", True) is True:
                s["additionalProperties"] = False
            for v in s.values():
                close(v)
        elif isinstance(s, list):
            for v in s:
                close(v)

    close(components)
    return components


def _same(a: Any, b: Any, where: str = "") -> list[str]:
    """Where ``b`` (answered) differs from ``a`` (returned by the route, as JSON), types included."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}.{k}: dropped" for k in a if k not in b]
        out += [f"{where}.{k}: added" for k in b if k not in a]
        return out + [d for k in a if k in b for d in _same(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items returned, {len(b)} answered"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _same(x, y, f"{where}[{i}]")]
    if type(a) is not type(b) or a != b:
        return [f"{where}: {a!r} returned, {b!r} answered"]
    return []


def _met(spec: dict[str, Any], schema: dict[str, Any], data: Any, seen: set[str]) -> None:
    """The component schemas ``data`` instantiates (an object answered for a $ref)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if isinstance(data, dict):
            seen.add(name)
        _met(spec, spec["components"]["schemas"][name], data, seen)
        return
    for branch in schema.get("anyOf", []):
        target = _resolve(spec, branch)
        if (data is None) == (target.get("type") == "null") and (
                isinstance(data, dict) == (target.get("type") == "object")):
            _met(spec, branch, data, seen)
    if isinstance(data, dict):
        for k, v in data.items():
            sub = schema.get("properties", {}).get(k)
            if sub is None and isinstance(schema.get("additionalProperties"), dict):
                sub = schema["additionalProperties"]
            if sub is not None:
                _met(spec, sub, v, seen)
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for v in data:
            _met(spec, schema["items"], v, seen)


def _reachable(spec: dict[str, Any], schema: Any, out: set[str]) -> None:
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in out:
                out.add(name)
                _reachable(spec, spec["components"]["schemas"][name], out)
        for v in schema.values():
            _reachable(spec, v, out)
    elif isinstance(schema, list):
        for v in schema:
            _reachable(spec, v, out)


def test_every_answer_is_its_model_and_nothing_is_dropped(client: Any, db: Db, clock: FixedTime, staff: Staff,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    api: Api = exercise(client, db, clock, staff, monkeypatch)
    spec = _spec(client)
    closed = _closed(spec)
    ops = {(m, p): op for m, p, op in _operations(spec)}
    problems: list[str] = []
    answered: set[tuple[str, str, str]] = set()
    seen: set[str] = set()
    for call in api.calls:
        key = (call.method, call.template)
        where = f"{call.method.upper()} {call.template} → {call.status}"
        assert key in ops, f"{where}: not in /openapi.json"
        answered.add((*key, str(call.status)))
        if key in FILES or call.body is None:
            continue
        resp = ops[key]["responses"].get(str(call.status))
        if resp is None:
            problems.append(f"{where}: status not documented")
            continue
        schema = resp["content"]["application/json"]["schema"]
        validator = jsonschema_rs.validator_for({**schema, "components": closed})
        problems += [f"{where}: {e.instance_path}: {e.message}" for e in validator.iter_errors(call.body)]
        _met(spec, schema, call.body, seen)
        if call.raw is not NOT_SERIALISED:
            problems += [f"{where}: {d}" for d in _same(jsonable_encoder(call.raw), call.body)]
    # every JSON operation, with every 2xx answer it documents, was called (a failing health check answers 503)
    if ("get", "/api/admin/health", "503") in answered:
        answered.add(("get", "/api/admin/health", "200"))
    for (method, path), op in ops.items():
        for code in _ok(op):
            if (method, path, code) not in answered and (method, path) not in FILES:
                problems.append(f"{method.upper()} {path} → {code}: never called")
    # and every model of an answer was met at least once
    models: set[str] = set()
    for (method, path), op in ops.items():
        if (method, path) not in FILES:
            for resp in _ok(op).values():
                _reachable(spec, resp.get("content", {}).get("application/json", {}).get("schema", {}), models)
    models = {name for name in models if spec["components"]["schemas"][name].get("properties")}  # not enums
    problems += [f"response model {name}: no answer met it" for name in sorted(models - seen)]
    assert not problems, "\n".join(problems)


def test_a_kind_with_the_shared_case_page_answers_its_detail_as_CaseViewOut(
        web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    """A third kind (tests/cases/petition_kind) with no detail of its own: its detail answers through CaseViewOut,
    key for key the shared view (workflow.cases.view.CaseView)."""
    from fastapi.testclient import TestClient

    from tests.cases.petition_kind import PETITION, new_petition, registered
    from tests.web.api_calls import PDF, watch
    from web.api.cases import case_router

    with registered(web.db.engine):
        web.app.include_router(case_router(PETITION, prefix="/api/petitions", tag="petitions"))
        pid = new_petition(web.db.engine, web.staff.agency_id)
        with TestClient(web.app) as c:
            api = Api(c, {who: token(c, f"default-{who}") for who in ("front", "officer")})
            watch(monkeypatch, api)
            api.call("POST", "/api/petitions/{case_id}/files", "front", expect=201, path={"case_id": pid},
                     files={"file": ("信访件.pdf", PDF, "application/pdf")})
            for who in ("front", "officer"):
                api.call("GET", "/api/petitions/{case_id}", who, path={"case_id": pid}, expect=(200, 403))
            spec = _spec(c)
    schema = spec["paths"]["/api/petitions/{case_id}"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"]
    assert schema == {"$ref": "#/components/schemas/CaseViewOut"}
    validator = jsonschema_rs.validator_for({**schema, "components": _closed(spec)})
    details = [call for call in api.calls if call.template == "/api/petitions/{case_id}" and call.status == 200]
    assert details and details[0].body["files"], "the front desk sees the case in full, with its file"
    seen: set[str] = set()
    for call in details:
        assert [e.message for e in validator.iter_errors(call.body)] == []
        assert _same(jsonable_encoder(call.raw), call.body) == []
        _met(spec, schema, call.body, seen)
    assert {"CaseViewOut", "RecordLineOut", "ActionRef", "TimelineEntryOut", "CaseFileOut"} <= seen  # no clock here


def test_errors_are_documented_in_their_one_shape_and_the_reference_shows_each_answer(web: Web) -> None:
    """Every operation documents its other statuses as ErrorOut ({"error": {"code", "message", …}}, web.errors) —
    not FastAPI's {"detail": […]} for 422 —, and /docs names each answer's model in Chinese."""
    c = web.login("officer")
    spec = c.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for method, path, op in _operations(spec):
        assert op["responses"]["default"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"}, (method, path)
    html = c.get("/docs").text
    assert "Successful Response" not in html and "Validation Error" not in html
    assert '工单详情（按您可见的范围）（<a href="#schema-WorkOrderOut"><code>WorkOrderOut</code></a>）' in html
    assert "其他状态 出错（4xx、5xx）" in html and 'id="schema-ErrorOut"' in html
    assert "<h2>机关管理</h2>" in html
