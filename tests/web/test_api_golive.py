"""The go-live import through the API (finding h3-4), as ``/admin/golive`` does it: the template, an upload with a
dry run, the report, a background import, and every problem of an import as .xlsx / .csv (the answer lists at most
MAX_REPORTED_ERRORS; the problem list has them all) — the page's import and its jobs, under the same policy."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from db.engine import read_session
from db.models import Disclosure
from tests.fixtures.golive_gen import rows, write_csv, write_xlsx
from tests.golive_helpers import second_agency
from tests.web.conftest import Web, token
from web.api import imports as api_imports

IMPORT = "/api/golive/import"


def _count(web: Web) -> int:
    with read_session(web.db.engine) as s:
        return int(s.exec(select(func.count()).select_from(Disclosure)).one())


def _upload(api: TestClient, h: dict[str, str], path: Path, **data: str) -> Any:
    return api.post(IMPORT, headers=h, data=data,
                    files={"file": (path.name, path.read_bytes(), "application/octet-stream")})


def _finished(api: TestClient, url: str, h: dict[str, str]) -> dict[str, Any]:
    for _ in range(400):
        status: dict[str, Any] = api.get(url, headers=h).json()
        if status["state"] != "running":
            return status
        time.sleep(0.05)
    raise AssertionError(f"still running: {url}")


def test_the_template_dry_run_import_and_problem_list(web: Web, tmp_path: Path) -> None:
    data, bad = rows(40, bad_fraction=0.1, seed=21)
    path = write_xlsx(tmp_path / "台账.xlsx", data)
    page = web.login("admin")
    with TestClient(web.app) as api:
        h = token(api, "default-admin")
        t = api.get("/api/golive/template.xlsx", headers=h)
        assert t.status_code == 200 and "attachment" in t.headers["content-disposition"]
        ours = openpyxl.load_workbook(io.BytesIO(t.content))
        pages = openpyxl.load_workbook(io.BytesIO(page.get("/admin/golive/template.xlsx").content))
        assert ours.sheetnames == pages.sheetnames and ours.sheetnames[0] == "申请"
        assert [c.value for c in next(ours.worksheets[0].iter_rows(max_row=1))] == [
            c.value for c in next(pages.worksheets[0].iter_rows(max_row=1))]  # the same workbook (its time aside)
        dry = _upload(api, h, path, dry_run="true")
        assert dry.status_code == 200, dry.text
        assert (dry.json()["dry_run"], dry.json()["created"], _count(web)) == (True, 36, 0)
        r = _upload(api, h, path)
        assert r.status_code == 200, r.text
        rep = r.json()
        assert (rep["total"], rep["created"], rep["concluded"] + rep["open"], rep["error_rows"]) == (40, 36, 36, 4)
        assert {e["row"] for e in rep["errors"]} == set(bad) and rep["errors_truncated"] == 0
        assert _count(web) == 36
        job = rep["job"]
        # every problem, as the page offers it for the same import (one folder of jobs for both)
        sheet = openpyxl.load_workbook(io.BytesIO(api.get(f"{IMPORT}/{job}/errors.xlsx", headers=h).content)).active
        assert sheet is not None and sheet.max_row == 1 + len(rep["errors"])
        got = api.get(f"{IMPORT}/{job}/errors.csv", headers=h)
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        assert got.content == page.get(f"/admin/golive/{job}/errors.csv").content
        lines = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
        assert {int(line[0]) for line in lines[1:]} == set(bad)
        status = api.get(f"{IMPORT}/{job}", headers=h).json()
        assert status["state"] == "done" and status["filename"] == "台账.xlsx" and status["report"]["created"] == 36
        again = _upload(api, h, path).json()
        assert (again["created"], again["existing"]) == (0, 36)
        for bad_url in (f"{IMPORT}/{'x' * 24}/errors.xlsx", f"{IMPORT}/{'x' * 24}"):
            r = api.get(bad_url, headers=h)
            assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        assert api.get(f"{IMPORT}/{job}/errors.pdf", headers=h).status_code == 422


def test_a_background_import_and_a_long_problem_list(web: Web, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_imports, "MAX_REPORTED_ERRORS", 2)
    data, bad = rows(30, bad_fraction=0.2, seed=5)
    path = write_csv(tmp_path / "台账.csv", data)
    with TestClient(web.app) as api:
        h = token(api, "default-leader")  # a leader may import too
        r = _upload(api, h, path, background="true")
        assert r.status_code == 202, r.text
        assert r.json()["status_url"] == f"{IMPORT}/{r.json()['job']}"
        status = _finished(api, r.json()["status_url"], h)
        assert status["state"] == "done", status
        rep = status["report"]
        assert len(rep["errors"]) == 2 and rep["errors_truncated"] == rep["error_rows"] - 2 == len(bad) - 2
        lines = api.get(r.json()["status_url"] + "/errors.csv", headers=h).content.decode("utf-8-sig").splitlines()
        assert len(lines) == 1 + len(bad)  # all of them
        # a file run in the request: the same cut, and its job names the whole list too
        again = _upload(api, h, path).json()
        assert len(again["errors"]) == 2 and again["errors_truncated"] == len(bad) - 2
        lines = api.get(f"{IMPORT}/{again['job']}/errors.csv", headers=h).content.decode("utf-8-sig").splitlines()
        assert len(lines) == 1 + len(bad)


def test_unreadable_files_and_who_may_import(web: Web, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", rows(3)[0])
    missing = tmp_path / "x.csv"
    missing.write_text("姓名,日期\n张三,2025-01-01\n", encoding="utf-8")
    other = tmp_path / "x.txt"
    other.write_text("x", encoding="utf-8")
    second_agency(web.db.engine, web.clock.now())
    with TestClient(web.app) as api:
        h = token(api, "default-admin")
        r = _upload(api, h, missing)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_file"
        assert "缺少必需的列" in r.json()["error"]["message"]
        r = _upload(api, h, other)
        assert r.status_code == 422 and "不支持的文件类型" in r.json()["error"]["message"]
        job = _upload(api, h, path).json()["job"]
        for who in ("default-front", "default-officer"):
            hw = token(api, who)
            for r in (_upload(api, hw, path), api.get("/api/golive/template.xlsx", headers=hw),
                      api.get(f"{IMPORT}/{job}", headers=hw), api.get(f"{IMPORT}/{job}/errors.csv", headers=hw)):
                assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", (who, r.text)
        assert api.post(IMPORT, files={"file": ("a.xlsx", b"x", "")}).status_code == 401
        # another agency's administrator does not see this agency's imports
        hb = token(api, "b-admin")
        assert api.get(f"{IMPORT}/{job}", headers=hb).status_code == 404
        assert api.get(f"{IMPORT}/{job}/errors.csv", headers=hb).status_code == 404
    assert _count(web) == 3
