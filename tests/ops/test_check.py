"""``banli check``, ``banli files check`` and ``GET /api/admin/health``: healthy → 0; a planted missing file, a
planted bad hash and a database one revision behind → 1 with a clear message; the same as JSON for the admin."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlmodel import select

from db.engine import write_session
from db.migrate import alembic_config, head_revision, revisions_behind, upgrade
from db.models import Agency, Outbox, SweepStatus, User
from states.calendar_notice import parse_notice
from tests.conftest import Db
from tests.ops.cli_helpers import run_cli
from tests.ops.populate import populate
from tests.web.conftest import token
from web.app import create_app
from workflow.calendar.service import import_notice
from workflow.ops.health import run_checks
from workflow.timesource import FixedTime

NOTICE_2027 = Path(__file__).resolve().parents[1] / "fixtures" / "calendar" / "2027-national.yaml"


def _healthy(db: Db, clock: FixedTime) -> None:
    """A populated instance whose scheduler ran a minute ago and whose next year's holidays are imported."""
    populate(db, clock, cases=2)
    with write_session(db.engine) as s:
        s.add(SweepStatus(job="outbox", last_started_at=clock.now() - timedelta(seconds=31),
                          last_finished_at=clock.now() - timedelta(seconds=30), last_instance="w1"))
        for o in s.exec(select(Outbox)).all():  # delivered
            o.status, o.sent_at = "sent", clock.now()
            s.add(o)
        s.commit()
    import_notice(db.engine, parse_notice(NOTICE_2027.read_text(encoding="utf-8")), actor_label="test",
                  now=clock.now())


def _files(db: Db) -> list[Path]:
    return sorted(p for p in db.settings.files_path.rglob("*") if p.is_file())


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sqlite_db: Db):  # type: ignore[no-untyped-def]
    return lambda *argv: run_cli(monkeypatch, capsys, sqlite_db.settings, *argv)


def test_healthy_instance_exits_0(sqlite_db: Db, clock: FixedTime, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _healthy(sqlite_db, clock)
    report = run_checks(sqlite_db.engine, sqlite_db.settings, clock.now())
    assert report.status == "ok", report.text()
    assert [c.name for c in report.checks] == ["schema", "database", "files", "outbox", "scheduler", "calendar",
                                                   "agencies"]
    # The command reads the system clock: the heartbeat is long past there, so leave the scheduler out.
    code, out, _ = cli("check", "--skip", "scheduler,calendar")
    assert code == 0 and "结论 / verdict: 健康 / healthy" in out and "3 个文件齐全" in out


def test_planted_missing_file(sqlite_db: Db, clock: FixedTime, cli) -> None:  # type: ignore[no-untyped-def]
    _healthy(sqlite_db, clock)
    victim = _files(sqlite_db)[0]
    victim.unlink()
    code, out, _ = cli("check", "--skip", "scheduler,calendar")
    assert code == 1
    assert "[失败 FAIL] 存储文件 files：1 个文件缺失、0 个文件损坏" in out and "从备份恢复" in out
    assert "文件缺失：文件 #" in out and victim.name[:12] in out and "案件 disclosure#" in out
    assert "结论 / verdict: 不健康 / UNHEALTHY" in out
    code, out, _ = cli("files", "check")
    assert code == 1 and "文件缺失" in out and victim.name[:12] in out


def test_planted_bad_hash(sqlite_db: Db, clock: FixedTime, cli) -> None:  # type: ignore[no-untyped-def]
    _healthy(sqlite_db, clock)
    victim = _files(sqlite_db)[-1]
    data = bytearray(victim.read_bytes())
    data[-1] ^= 0xFF  # same size, different content: only the hash shows it
    victim.write_bytes(bytes(data))
    code, out, _ = cli("check", "--only", "files")
    assert code == 1 and "0 个文件缺失、1 个文件损坏" in out
    assert "文件内容校验值不符" in out and victim.name[:12] in out
    assert cli("check", "--only", "files", "--quick")[0] == 0  # size only: documented as not enough
    code, out, _ = cli("files", "check", "--json")
    body = json.loads(out)
    assert code == 1 and body["details"]["corrupt"] == 1 and body["status"] == "fail"


def test_database_one_revision_behind(sqlite_db: Db, clock: FixedTime, cli) -> None:  # type: ignore[no-untyped-def]
    previous = revisions_behind(None)[-2]
    cfg = alembic_config(sqlite_db.url)
    with sqlite_db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, previous)
    code, out, _ = cli("check", "--only", "schema,database")
    assert code == 1
    assert f"数据库结构版本 {previous} 落后于程序（{head_revision()}）" in out
    assert "先备份（banli backup），停止调度程序，再运行 banli migrate" in out
    assert cli("migrate", "--check")[0] == 1
    upgrade(sqlite_db.engine)
    assert cli("check", "--only", "schema,database")[0] == 0


def test_outbox_scheduler_and_calendar_findings(db: Db, clock: FixedTime) -> None:
    populate(db, clock, cases=1)
    report = run_checks(db.engine, db.settings, clock.now(), only=["scheduler", "calendar"])
    sched, cal = report.checks
    assert sched.status == "warn" and "还没有运行过" in sched.message
    assert cal.status == "warn" and "2027 年的节假日安排尚未导入" in cal.message  # T0 is in March 2026
    with write_session(db.engine) as s:
        s.add(SweepStatus(job="outbox", last_finished_at=clock.now() - timedelta(hours=2)))
        for o in s.exec(select(Outbox)).all():
            o.next_attempt_at = clock.now() - timedelta(hours=3)
            s.add(o)
        s.commit()
    report = run_checks(db.engine, db.settings, clock.now(), only=["outbox", "scheduler"])
    assert [c.status for c in report.checks] == ["fail", "fail"] and report.exit_code() == 1
    assert "最早的待发通知已等待 180 分钟" in report.checks[0].message
    assert "调度程序已 120 分钟没有运行" in report.checks[1].message
    with write_session(db.engine) as s:
        for o in s.exec(select(Outbox)).all():
            o.status = "dead"
            s.add(o)
        s.commit()
    outbox = run_checks(db.engine, db.settings, clock.now(), only=["outbox"]).checks[0]
    assert outbox.status == "warn" and "发送失败（死信）" in outbox.message


def test_admin_health_endpoint(db: Db, clock: FixedTime) -> None:
    _healthy(db, clock)
    app = create_app(db.settings, db.engine, clock, run_scheduler=False)
    with TestClient(app) as c:
        admin, officer = token(c, "default-admin"), token(c, "default-officer")
        assert c.get("/api/admin/health", headers=officer).status_code == 403
        r = c.get("/api/admin/health", headers=admin)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "ok" and {ch["name"] for ch in body["checks"]} >= {"files", "schema", "calendar"}
        assert body["request"] == {"client_ip": "testclient", "scheme": "http"}
        next(p for p in db.settings.files_path.rglob("*") if p.is_file()).unlink()
        r = c.get("/api/admin/health?quick=true", headers=admin)
        files = next(ch for ch in r.json()["checks"] if ch["name"] == "files")
        assert r.status_code == 503 and files["status"] == "fail" and files["details"]["hashed"] is False


def test_planted_agency_settings_and_login_names(db: Db, clock: FixedTime) -> None:
    """Settings written past the settings page (by hand in the database, or saved before a rule existed) and login
    names that differ only in case: named by agency and setting in Chinese, a warning (the other agencies work on)."""
    populate(db, clock, cases=1)
    check = run_checks(db.engine, db.settings, clock.now(), only=["agencies"]).checks[0]
    assert check.status == "ok", check.message
    with write_session(db.engine) as s:
        agency = s.exec(select(Agency).where(Agency.code == "default")).one()
        agency.settings = {**agency.settings, "timezone": "Mars/Olympus", "digest_time": "8点半"}
        s.add(agency)
        other = Agency(code="other", name="邻县某局", settings={"reply_wd": "二十"}, created_at=clock.now())
        s.add(other)
        s.flush()
        assert other.id is not None
        s.add(User(agency_id=other.id, username="Wang.Wu", display_name="王五", password_hash="x",
                   created_at=clock.now()))
        s.add(User(agency_id=other.id, username="wang.wu", display_name="王五", password_hash="x",
                   created_at=clock.now()))
        s.commit()
    report = run_checks(db.engine, db.settings, clock.now(), only=["agencies"])
    check = report.checks[0]
    assert check.status == "warn" and report.exit_code() == 0 and report.exit_code(strict=True) == 1
    assert check.message.startswith("2 个机关的设置无法使用，请由机关管理员在“机关设置”中更正")
    assert "时间——请从列表中选择时间" in check.message and "每日汇总发送时间——应写成 08:30" in check.message
    assert "邻县某局：答复期限（工作日）——存储的值无法读取" in check.message
    assert check.details["agencies"][1] == {"agency": "other", "active": True,
                                            "fields": [{"field": "reply_wd", "code": "unreadable"}]}
    assert check.details["login_names_differing_in_case"] == [["Wang.Wu", "wang.wu"]]
    with write_session(db.engine) as s:
        for a in s.exec(select(Agency)).all():
            a.settings = {k: v for k, v in a.settings.items() if k not in ("timezone", "digest_time", "reply_wd")}
            s.add(a)
        s.commit()
    check = run_checks(db.engine, db.settings, clock.now(), only=["agencies"]).checks[0]
    assert check.status == "warn" and "有 1 组登录名只有大小写不同（Wang.Wu、wang.wu）" in check.message
