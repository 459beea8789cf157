"""The admin's 上线导入 page (issue 14 item 5): the template to download, the column mapping on the page, an upload
with its result, the bad rows at their columns (downloadable), nothing twice; refused to other roles."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl

from tests.fixtures.golive_gen import BAD, rows, write_xlsx
from tests.web.conftest import Web, csrf_of
from workflow.golive.columns import BY_KEY, COLUMNS


def _upload(web: Web, who: str, path: Path, **extra: str):  # type: ignore[no-untyped-def]
    c = web.login(who)
    token = csrf_of(c.get("/admin/golive").text)
    return c.post("/admin/golive", data={"csrf_token": token, **extra},
                  files={"file": (path.name, path.read_bytes(), "application/octet-stream")})


def test_the_admin_imports_the_agency_history(web: Web, tmp_path: Path) -> None:
    c = web.login("admin")
    page = c.get("/admin/golive")
    assert page.status_code == 200 and "上线导入" in page.text
    assert all(col.header in page.text for col in COLUMNS)  # the column mapping, on the page
    assert 'href="/admin/golive"' in page.text  # in the administrator's navigation
    template = c.get("/admin/golive/template.xlsx")
    assert template.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(template.content))
    assert wb.sheetnames[0] == "申请" and "代码表" in wb.sheetnames

    data, bad = rows(40, bad_fraction=0.1, seed=21)
    path = write_xlsx(tmp_path / "台账.xlsx", data)
    dry = _upload(web, "admin", path, dry_run="on")
    assert dry.status_code == 200 and "将导入 36" in dry.text and "试运行" in dry.text
    r = _upload(web, "admin", path)
    assert r.status_code == 200, r.text[:300]
    assert "共 40 行：已导入 36" in r.text
    found = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>', r.text)
    assert {int(n) for n, _, _ in found} == set(bad)
    for n, column, problem in found:
        key, words = BAD[bad[int(n)]]
        assert column == BY_KEY[key].header and words in problem
    link = re.search(r'href="(/admin/golive/[^"]+/errors\.xlsx)"', r.text)
    assert link is not None
    sheet = openpyxl.load_workbook(io.BytesIO(c.get(link.group(1)).content)).active
    assert sheet is not None and sheet.max_row == 1 + len(bad)
    again = _upload(web, "admin", path)
    assert "已导入 0（已办结 0，未办结 0），此前已导入 36" in again.text


def test_a_leader_may_import_other_roles_may_not(web: Web, tmp_path: Path) -> None:
    data = rows(3)[0]
    path = write_xlsx(tmp_path / "a.xlsx", data)
    assert "已导入 3" in _upload(web, "leader", path).text
    found = web.login("leader").get("/cases", params={"q": data[1]["source_no"]})  # searched by its 原编号
    assert found.status_code == 200 and data[1]["description"] in found.text and data[0]["description"] not in found.text
    for who in ("front", "officer"):
        assert web.login(who).get("/admin/golive").status_code == 403


def test_a_file_without_the_columns_is_refused_at_the_file_field(web: Web, tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("姓名,日期\n张三,2025-01-01\n", encoding="utf-8")
    r = _upload(web, "admin", bad)
    assert r.status_code == 422 and "缺少必需的列" in r.text and "原编号" in r.text
    other = tmp_path / "x.txt"
    other.write_text("x", encoding="utf-8")
    assert _upload(web, "admin", other).status_code == 422
