"""The API reference as plain HTML, built on the server from the OpenAPI description.

Agency networks often have no Internet access, and Swagger UI loads its scripts from a CDN: this page needs
none. It lists every operation by group (method, path, summary, parameters, request body, responses) and every
schema with its fields, types, constraints and whether they are required.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web.pages.labels import FIELD_LABELS

TAG_LABELS = {
    "auth": "登录与令牌", "account": "本人账户", "disclosures": "依申请公开申请", "workorders": "12345工单", "public": "公开查询（无需登录）",
    "reports": "年度报告与统计", "calendar": "工作日历", "admin": "系统管理", "agencies": "机关管理", "users": "用户管理", "golive": "上线导入",
}
# FastAPI's default response descriptions, in the reference's language
RESPONSE_LABELS = {"Successful Response": "成功", "Validation Error": "输入有误（各字段的问题见 error.fields）"}
METHODS = ("get", "post", "put", "patch", "delete")
CONSTRAINTS = (("minLength", "最短"), ("maxLength", "最长"), ("minimum", "≥"), ("maximum", "≤"),
               ("exclusiveMinimum", ">"), ("exclusiveMaximum", "<"), ("pattern", "格式"), ("format", "格式"),
               ("minItems", "至少"), ("maxItems", "至多"))


@dataclass
class Param:
    name: str
    where: str
    type: str
    required: bool
    description: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    params: list[Param]
    body: str  # e.g. "RegisterIn (application/json)"
    responses: list[tuple[str, str, str]]  # (status, description, what is answered: a schema name or media types)
    anchor: str


@dataclass
class Schema:
    name: str
    description: str
    fields: list[Param] = field(default_factory=list)
    enum: list[str] = field(default_factory=list)


def type_of(s: dict[str, Any]) -> str:
    """A short type: a schema name, ``string``, ``integer[]``, ``A | null``, ``枚举：a, b``."""
    if "$ref" in s:
        return str(s["$ref"]).rsplit("/", 1)[-1]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in s:
            return " | ".join(dict.fromkeys(type_of(x) for x in s[key]))
    if "enum" in s:
        return "枚举：" + ", ".join(str(v) for v in s["enum"])
    if "const" in s:
        return f"固定值 {s['const']}"
    t = s.get("type")
    if t == "array":
        return type_of(s.get("items", {})) + "[]"
    if t == "object" and "additionalProperties" in s and isinstance(s["additionalProperties"], dict):
        return f"object（值：{type_of(s['additionalProperties'])}）"
    return str(t or "any")


def constraints(s: dict[str, Any]) -> str:
    out = [f"{label} {s[key]}" for key, label in CONSTRAINTS if key in s]
    default = s.get("default")
    if default not in (None, "", [], {}):
        out.append("默认 " + ({True: "是", False: "否"}.get(default, str(default)) if isinstance(default, bool)
                             else str(default)))
    return "；".join(out)


def _text(*parts: str) -> str:
    return "；".join(p for p in parts if p)


def _answer(response: dict[str, Any]) -> str:
    """What a response carries: its JSON schema's type (``WorkOrderOut``, ``AgencySummaryOut[]``) or, for a file, its
    media types."""
    content = response.get("content") or {}
    json_schema = (content.get("application/json") or {}).get("schema")
    if json_schema and (json_schema.get("$ref") or json_schema.get("items")) and len(content) == 1:
        return type_of(json_schema)
    return "、".join(content) if "*/*" not in content else ""  # a stored file, in its own type: the description says


def _body(op: dict[str, Any]) -> str:
    content = (op.get("requestBody") or {}).get("content") or {}
    return "；".join(f"{type_of(v.get('schema', {}))}（{media}）" for media, v in content.items())


def reference(spec: dict[str, Any]) -> dict[str, Any]:
    """Operations grouped by tag (in TAG_LABELS order) and the schemas, from an OpenAPI document."""
    groups: dict[str, list[Operation]] = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [Param(p["name"], p.get("in", ""), type_of(p.get("schema", {})), bool(p.get("required")),
                            _text(p.get("description", "") or FIELD_LABELS.get(p["name"], ""),
                                  constraints(p.get("schema", {}))))
                      for p in op.get("parameters", [])]
            responses = [(code, RESPONSE_LABELS.get(r.get("description", ""), r.get("description", "")), _answer(r))
                         for code, r in sorted(op.get("responses", {}).items())]
            anchor = f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "").strip("-")
            tag = (op.get("tags") or ["other"])[0]
            groups.setdefault(tag, []).append(Operation(method.upper(), path, op.get("summary", ""),
                                                        op.get("description", ""), params, _body(op), responses,
                                                        anchor))
    order = [t for t in TAG_LABELS if t in groups] + sorted(t for t in groups if t not in TAG_LABELS)
    schemas = []
    for name, s in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(s.get("required", []))
        schemas.append(Schema(name, s.get("description", ""), [
            Param(k, "", type_of(v), k in required, _text(v.get("description", "") or FIELD_LABELS.get(k, ""),
                                                             constraints(v)))
            for k, v in s.get("properties", {}).items()], [str(v) for v in s.get("enum", [])]))
    return {"title": spec.get("info", {}).get("title", ""), "version": spec.get("info", {}).get("version", ""),
            "groups": [(t, TAG_LABELS.get(t, t), groups[t]) for t in order], "schemas": schemas,
            "schema_names": {s.name for s in schemas}}


__all__ = ["reference", "type_of"]
