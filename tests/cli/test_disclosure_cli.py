"""``banli disclosure import`` / ``template``: summary, exit codes, error report, nothing twice; the template's
examples import as they stand."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from cli.main import run
from settings import get_settings
from tests.fixtures.golive_gen import rows, write_xlsx
from tests.helpers import make_staff
from workflow.golive.columns import COLUMNS
from workflow.timesource import SystemTime


@pytest.fixture
def cli_env(sqlite_db, monkeypatch, tmp_path):
    monkeypatch.setenv("BANLI_DATABASE_URL", sqlite_db.url)
    monkeypatch.setenv("BANLI_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("BANLI_SECRET_KEY", "test-secret-key-0123456789")
    get_settings.cache_clear()
    make_staff(sqlite_db.engine, SystemTime().now())
    yield sqlite_db
    get_settings.cache_clear()


def test_import_reports_bad_rows_and_imports_nothing_twice(cli_env, tmp_path, capsys):
    data, bad = rows(60, bad_fraction=0.1, seed=4)
    path = write_xlsx(tmp_path / "台账.xlsx", data)
    report = tmp_path / "problems.csv"
    assert run(["disclosure", "import", str(path), "--agency", "default", "--dry-run", "--quiet"]) == 1
    assert "将导入 54" in capsys.readouterr().out
    assert run(["disclosure", "import", str(path), "--report", str(report), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "共 60 行：已导入 54" in out and "有问题 6 行" in out
    with report.open(encoding="utf-8-sig") as fh:
        problems = list(csv.reader(fh))
    assert problems[0] == ["行号", "列", "问题"] and {int(r[0]) for r in problems[1:]} == set(bad)
    assert run(["disclosure", "import", str(path), "--quiet"]) == 1
    assert "已导入 0（已办结 0，未办结 0），此前已导入 54" in capsys.readouterr().out


def test_the_template_and_its_examples(cli_env, tmp_path, capsys):
    out = tmp_path / "模板.xlsx"
    assert run(["disclosure", "template", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["申请", "示例", "填写说明", "代码表"]
    headers = [c.value for c in wb["申请"][1]]
    assert headers[0] == "原编号*" and len(headers) == len(COLUMNS)
    assert run(["disclosure", "import", str(out), "--quiet"]) == 0  # the empty template imports nothing
    assert "共 0 行" in capsys.readouterr().out
    # the examples, copied into the data sheet, import as they stand
    examples = [[c.value for c in r] for r in wb["示例"].iter_rows(min_row=2)]
    for r in examples:
        wb["申请"].append(r)
    wb.save(out)
    assert run(["disclosure", "import", str(out), "--quiet", "--user", "default-leader"]) == 1
    text = capsys.readouterr().out
    assert "承办人" in text and "lisi" in text  # the examples name an officer this agency does not have
    for row in wb["申请"].iter_rows(min_row=2):
        for cell in row:
            if cell.value == "lisi":
                cell.value = "default-officer"
    wb.save(out)
    assert run(["disclosure", "import", str(out), "--quiet"]) == 0
    assert "已导入 2（已办结 1，未办结 1）" in capsys.readouterr().out


def test_errors_are_messages_not_tracebacks(cli_env, tmp_path, capsys):
    assert run(["disclosure", "import", str(tmp_path / "none.xlsx")]) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n", encoding="utf-8")
    assert run(["disclosure", "import", str(bad), "--quiet"]) == 2
    assert "缺少必需的列" in capsys.readouterr().err
    assert run(["disclosure", "import", str(bad), "--user", "nobody"]) == 2
    assert "没有用户" in capsys.readouterr().err
