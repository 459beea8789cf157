"""``banli hotline import`` / ``export``: progress, summary, exit codes, error report, nothing twice."""

from __future__ import annotations

import csv
import json

import pytest

from cli.main import run
from settings import get_settings
from tests.fixtures.hotline_gen import make_xlsx
from tests.helpers import make_staff
from tests.hotline_helpers import act, new_order
from workflow.hotline.mapping import load_mapping
from workflow.timesource import SystemTime


@pytest.fixture
def cli_env(sqlite_db, monkeypatch, tmp_path):
    monkeypatch.setenv("BANLI_DATABASE_URL", sqlite_db.url)
    monkeypatch.setenv("BANLI_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("BANLI_SECRET_KEY", "test-secret-key-0123456789")
    get_settings.cache_clear()
    yield sqlite_db
    get_settings.cache_clear()


def test_import_reports_bad_rows_and_imports_nothing_twice(cli_env, tmp_path, capsys):
    path = tmp_path / "平台导出.xlsx"
    manifest = make_xlsx(path, 200, bad_fraction=0.05, seed=12)
    report = tmp_path / "problems.csv"
    assert run(["hotline", "import", str(path), "--report", str(report), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert f"共 200 行：已新增 {200 - len(manifest)}，已更新 0，未变化 0，有问题 {len(manifest)} 行" in out
    with report.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert {int(r[0]) for r in rows[1:]} == set(manifest)
    assert run(["hotline", "import", str(path), "--quiet"]) == 1
    assert f"已新增 0，已更新 0，未变化 {200 - len(manifest)}" in capsys.readouterr().out
    clean = tmp_path / "clean.xlsx"
    make_xlsx(clean, 30, bad_fraction=0, seed=13)
    assert run(["hotline", "import", str(clean), "--dry-run", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "共 30 行：将新增" in out and "有问题 0 行（试运行，未写入数据库）" in out


def test_import_errors_are_messages_not_tracebacks(cli_env, tmp_path, capsys):
    assert run(["hotline", "import", str(tmp_path / "none.xlsx")]) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n", encoding="utf-8")
    assert run(["hotline", "import", str(bad), "--quiet"]) == 2
    assert "不支持的文件类型" in capsys.readouterr().err


def test_export_replies(cli_env, tmp_path, capsys):
    now = SystemTime().now()
    staff = make_staff(cli_env.engine, now)
    oid = new_order(cli_env.engine, staff.front, now, received_at=now.strftime("%Y-%m-%dT%H:%M:%S+00:00"))
    act(cli_env.engine, oid, "sign_for", staff.front, now)
    act(cli_env.engine, oid, "assign", staff.front, now, assignee_id=staff.officer.id)
    act(cli_env.engine, oid, "reply", staff.officer, now, result_text="已处理完毕")
    out = tmp_path / "replies.jsonl"
    # A date typed on the command line is a day in the mapping's zone (Asia/Shanghai), not in UTC: after
    # 16:00 UTC the local day is already the next one.
    since = now.astimezone(load_mapping().tz).strftime("%Y-%m-%d")
    assert run(["hotline", "export", "--since", since, "--format", "jsonl", "--out", str(out)]) == 0
    assert "已导出 1 条办理结果" in capsys.readouterr().out
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["reply_text"] == "已处理完毕" and row["handler"] == "承办人李明"
    assert run(["hotline", "export", "--since", "上周", "--out", str(out)]) == 2
    assert "--since：无法识别的日期或时间“上周”" in capsys.readouterr().err
    # --until as a date includes that day, like the export page and the API
    assert run(["hotline", "export", "--since", since, "--until", since, "--format", "jsonl", "--out", str(out)]) == 0
    assert "已导出 1 条办理结果" in capsys.readouterr().out
    assert run(["hotline", "export", "--since", since, "--until", "2000-01-01", "--out", str(out)]) == 2
    assert "--until：截止时间应晚于起始时间" in capsys.readouterr().err
