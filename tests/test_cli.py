"""The `banli` command line: calendar arithmetic and imports, users, migrate — and `banli serve` starting up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app import main
from settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
NOTICE_2027 = ROOT / "tests" / "fixtures" / "calendar" / "2027-national.yaml"


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("BANLI_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("BANLI_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_workdays_worked_example(cli_env, capsys) -> None:
    code, out, _ = run(capsys, "calendar", "add-workdays", "2025-09-22", "20")
    assert code == 0 and out.splitlines()[0] == "2025-10-24"
    code, out, _ = run(capsys, "calendar", "add-workdays", "2025-09-22", "20", "--explain")
    assert out.splitlines()[0] == "2025-10-24"
    assert "国庆节" in out and "2025-09-28" in out and "2025-10-11" in out


def test_provisional_2027_then_exact_after_importing_the_notice(cli_env, capsys) -> None:
    code, out, err = run(capsys, "calendar", "add-workdays", "2026-12-04", "20")
    assert code == 0 and out.splitlines()[0] == "2027-01-04"  # 元旦 (a fixed date) is a day off even now
    assert "provisional" in err and "2027" in err and "元旦、劳动节、国庆节" in err
    code, out, err = run(capsys, "calendar", "add-workdays", "2027-01-20", "20")
    provisional_due = out.splitlines()[0]
    code, out, _ = run(capsys, "calendar", "show", "2027")
    assert "2027-01-01\t放假（暂定）\t元旦" in out and "尚无全国节假日安排数据" in out
    code, out, err = run(capsys, "calendar", "import", str(NOTICE_2027))
    assert code == 0, err
    code, out, err = run(capsys, "calendar", "add-workdays", "2027-01-20", "20")
    assert code == 0 and "provisional" not in err
    assert out.splitlines()[0] != provisional_due  # the fixture notice puts 春节 on 2027-02-05..13
    code, out, _ = run(capsys, "calendar", "show", "2027")
    assert "元旦" in out and "import" in out and "暂定" not in out


@pytest.mark.parametrize("argv,needle", [
    (("calendar", "add-workdays", "2025-09-22", "-3"), "0 到 3660"),
    (("calendar", "add-workdays", "2025-09-22", "99999"), "0 到 3660"),
    (("calendar", "add-workdays", "2025-13-45", "5"), "日期格式错误"),
    (("calendar", "add-workdays", "2025-09-22", "five"), "整数"),
])
def test_bad_input_is_a_clear_error(cli_env, capsys, argv, needle) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and needle in err


def test_contradictory_notice_changes_nothing(cli_env, capsys, tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2027\ndocument: 测试\nholidays:\n  - {name: 元旦, start: 2027-01-01, end: 2027-01-03}\n"
                   "workdays: [2027-01-02]\n", encoding="utf-8")
    run(capsys, "calendar", "show", "2027")  # creates the database
    code, _, err = run(capsys, "calendar", "import", str(bad))
    assert code == 2 and "第" in err and "行" in err
    code, out, _ = run(capsys, "calendar", "show", "2027")
    assert "测试" not in out and "调休上班" not in out and "尚无全国节假日安排数据" in out


def test_user_create_reads_password_from_stdin(cli_env, capsys, monkeypatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("a-good-password\n"))
    code, out, _ = run(capsys, "user", "create", "wang", "--role", "front_desk", "--role", "officer")
    assert code == 0 and "wang" in out
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    code, _, err = run(capsys, "user", "create", "li", "--role", "officer")
    assert code == 2 and "密码" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_creates_the_database_and_prints_where_to_log_in(tmp_path) -> None:
    port = _free_port()
    env = {**os.environ, "BANLI_PORT": str(port), "PYTHONPATH": str(ROOT)}
    env.pop("BANLI_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-c", "import app, sys; sys.exit(app.main(['serve']))"], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(150):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("banli serve did not start")
        assert b"ok" in body
        assert (tmp_path / "var" / "banli.db").exists()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out and "admin" in out and "密码" in out
