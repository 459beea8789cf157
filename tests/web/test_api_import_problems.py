"""Every problem of a 12345 import through the API (finding h3-4): the answer lists at most MAX_REPORTED_ERRORS
problems (``errors_truncated`` counts the rest); ``GET /api/workorders/import/{job}/errors.{xlsx,csv}`` gives all of
them — the file the import page offers at ``/workorders/import/{token}/errors.*`` —, for an import run in the
request (its report is kept under ``job``) as for a background one."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import Web, csrf_of, token
from web.api import imports as api_imports

IMPORT = "/api/workorders/import"


def _jsonl(good: int, bad: int) -> bytes:
    """A platform export (its Chinese headers, workflow/hotline/data/mappings/default.yaml): good rows, then bad ones
    (one problem each: the time)."""
    lines = [{"工单编号": f"GD-P-{i}", "来电时间": "2026-03-02 09:00", "诉求类型": "投诉", "诉求内容": "路灯不亮"}
             for i in range(good)]
    lines += [{"工单编号": f"GD-Q-{i}", "来电时间": "昨天", "诉求类型": "投诉", "诉求内容": "x"} for i in range(bad)]
    return "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode() + b"\n"


def _finished(api: TestClient, url: str, h: dict[str, str]) -> dict[str, Any]:
    for _ in range(400):
        status: dict[str, Any] = api.get(url, headers=h).json()
        if status["state"] != "running":
            return status
        time.sleep(0.05)
    raise AssertionError(f"still running: {url}")


def test_every_problem_of_an_import_is_downloadable(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_imports, "MAX_REPORTED_ERRORS", 3)
    body = _jsonl(4, 7)
    page = web.login("front")
    with TestClient(web.app) as api:
        h = token(api, "default-front")
        r = api.post(IMPORT, headers=h, files={"file": ("orders.jsonl", body, "")})
        assert r.status_code == 200, r.text
        rep = r.json()
        assert (rep["created"], rep["error_rows"], len(rep["errors"]), rep["errors_truncated"]) == (4, 7, 3, 4), rep
        job = rep["job"]
        got = api.get(f"{IMPORT}/{job}/errors.csv", headers=h)
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        assert 'filename="import-errors.csv"' in got.headers["content-disposition"]
        lines = got.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "行号,列,问题" and len(lines) == 1 + 7
        assert got.content == page.get(f"/workorders/import/{job}/errors.csv").content  # the page's own list
        sheet = openpyxl.load_workbook(io.BytesIO(api.get(f"{IMPORT}/{job}/errors.xlsx", headers=h).content)).active
        assert sheet is not None and sheet.max_row == 1 + 7
        status = api.get(f"{IMPORT}/{job}", headers=h).json()  # a report run in the request reads like a job's
        assert status["state"] == "done" and status["filename"] == "orders.jsonl"
        assert status["report"]["errors_truncated"] == 4
        # a background import: the same list at its status URL
        r = api.post(IMPORT, headers=h, files={"file": ("again.jsonl", body, "")}, data={"background": "true"})
        url = r.json()["status_url"]
        assert _finished(api, url, h)["report"]["error_rows"] == 7
        lines = api.get(url + "/errors.csv", headers=h).content.decode("utf-8-sig").splitlines()
        assert len(lines) == 1 + 7
        # the officer may not import, nor read an import's problems
        r = api.get(f"{IMPORT}/{job}/errors.csv", headers=token(api, "default-officer"))
        assert r.status_code == 403
        for missing in (f"{IMPORT}/{'x' * 24}/errors.csv", f"{IMPORT}/{job}/errors.txt"):
            assert api.get(missing, headers=h).status_code in (404, 422)
    # a job started on the page is followed through the API too
    with TestClient(web.app) as api:
        h = token(api, "default-front")
        r = page.post("/workorders/import", data={"csrf_token": csrf_of(page.get("/workorders/import").text)},
                      files={"file": ("page.jsonl", body, "application/octet-stream")})
        assert r.status_code == 200, r.text[:300]
        link = r.text.split('href="/workorders/import/', 1)[1].split("/errors.", 1)[0]
        assert len(api.get(f"{IMPORT}/{link}/errors.csv", headers=h).content.decode("utf-8-sig").splitlines()) == 8
