"""``banli report annual|stats`` against a SQLite database named by BANLI_DATABASE_URL."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from cli.main import run
from settings import get_settings
from tests.report import scripted as s


@pytest.fixture
def db_url(sqlite_db, monkeypatch):
    """The migrated, seeded SQLite database with the scripted year, named by BANLI_DATABASE_URL."""
    s.build(sqlite_db.engine)
    url = sqlite_db.url
    monkeypatch.setenv("BANLI_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_annual_json_to_stdout(db_url, capsys):
    assert run(["report", "annual", "2026", "--format", "json", "--agency", "a"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["values"] for r in data["table3"]["rows"]] == list(s.EXPECTED_2021.values())


def test_annual_files_and_formats(db_url, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    assert run(["report", "annual", "2026", "--format", "xlsx", "--out", str(out), "--agency", "a",
                "--report-format", "2019", "--cross-check"]) == 0
    assert "校验" in capsys.readouterr().err
    wb = load_workbook(out)
    assert wb["表三 申请办理"].max_row == 1 + 3 + 23
    assert all(row[4].value == "通过" for row in wb["校验"].iter_rows(min_row=2))
    html = tmp_path / "all.html"
    assert run(["report", "annual", "2026", "--format", "html", "--out", str(html)]) == 0
    assert "全部机关（汇总）" in html.read_text(encoding="utf-8")
    assert run(["report", "annual", "2026", "--format", "docx", "--out", str(tmp_path / "r.docx")]) == 0


def test_user_errors(db_url, capsys):
    assert run(["report", "annual", "2026", "--format", "docx"]) == 2
    assert run(["report", "annual", "2026", "--agency", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
    assert run(["report", "stats"]) == 2


def test_stats(db_url, capsys):
    assert run(["report", "stats", "--from", "2026-01-01", "--to", "2026-01-31", "--agency", "a"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["concluded"] == 5 and data["avg_working_days_to_reply"] == 15.0  # the stored 2026 calendar
    assert run(["report", "stats", "2026", "--kind", "hotline", "--agency", "a"]) == 0
    hot = json.loads(capsys.readouterr().out)
    assert hot["received"] == 0 and "by_category" in hot
    assert run(["report", "stats", "2026", "--kind", "all"]) == 0
    both = json.loads(capsys.readouterr().out)
    assert set(both) >= {"agency", "period", "disclosure", "hotline"} and both["disclosure"]["concluded"] >= 5
    with pytest.raises(SystemExit) as exc:  # argparse: usage and the choices on stderr
        run(["report", "stats", "2026", "--kind", "nope"])
    assert exc.value.code == 2 and "hotline" in capsys.readouterr().err
