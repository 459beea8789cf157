"""A restore while the instance runs refuses and changes nothing; a server started during a restore refuses too.
An archive made at the previous schema revision restores and migrates."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from db.migrate import alembic_config, current_revision, head_revision, revisions_behind, upgrade
from tests.conftest import Db
from tests.ops.cli_helpers import banli, run_cli, serving
from tests.ops.populate import disclosures, engine_for, file_hashes, fresh_target, populate, table_counts
from workflow.ops import running
from workflow.ops.backup import make_backup
from workflow.ops.restore import RestoreRefused, restore
from workflow.timesource import FixedTime


def test_restore_refuses_while_banli_serve_runs(sqlite_db: Db, clock: FixedTime, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    populate(sqlite_db, clock, cases=2)
    archive = tmp_path / "b.tar.gz"
    make_backup(sqlite_db.engine, sqlite_db.settings, archive, now=clock.now())
    with fresh_target("sqlite", tmp_path) as target:
        with serving(target) as url:  # a real `banli serve` process (it creates the database)
            code, _out, err = run_cli(monkeypatch, capsys, target, "restore", str(archive), "--replace")
            assert code == 1
            assert "服务或调度程序正在运行" in err and "请先停止" in err
            assert b"ok" in urllib.request.urlopen(f"{url}/healthz", timeout=5).read()  # still serving
            engine = engine_for(target)
            assert table_counts(engine)["disclosure"] == 0  # untouched
            engine.dispose()
        code, out, err = run_cli(monkeypatch, capsys, target, "restore", str(archive), "--replace")
        assert code == 0, err
        assert "各表行数与备份清单一致" in out and "disclosure: 2" in out


def test_server_and_worker_refuse_to_start_during_a_restore(tmp_path: Path) -> None:
    with fresh_target("sqlite", tmp_path) as target, running.exclusive(target):
        for argv in (("worker", "--once"), ("serve",)):
            res = banli(target, *argv, BANLI_PORT="1")
            assert res.returncode == 1 and "正在恢复备份" in res.stderr, res.stderr
        assert not (target.var_dir / "banli.db").exists(), "nothing migrated during the restore"


@pytest.mark.postgres
def test_restore_refuses_while_another_process_uses_the_database(pg_db: Db, clock: FixedTime,
                                                                  tmp_path: Path) -> None:
    populate(pg_db, clock, cases=1)
    archive = tmp_path / "b.tar.gz"
    make_backup(pg_db.engine, pg_db.settings, archive, now=clock.now())
    with fresh_target("postgres", tmp_path) as target:
        replica = engine_for(target)  # a web replica on another machine, connected to the target
        with replica.connect() as c:
            c.execute(text("SELECT 1"))
            engine = engine_for(target)
            with pytest.raises(RestoreRefused, match="1 个连接正在使用目标数据库"):
                restore(engine, target, archive)
        replica.dispose()
        res = restore(engine, target, archive)
        assert res.counts["disclosure"] == 1
        engine.dispose()


def test_a_backup_of_the_previous_revision_restores_and_migrates(db: Db, clock: FixedTime, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    head = head_revision()
    previous = revisions_behind(None)[-2]  # the revision before head: what the last release left
    populate(db, clock, cases=3)
    cases, files = disclosures(db.engine), file_hashes(db.settings.files_path)
    cfg = alembic_config(db.engine.url.render_as_string(hide_password=False))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, previous)
    archive = tmp_path / "old.tar.gz"
    assert make_backup(db.engine, db.settings, archive, now=clock.now()).manifest["database"][
        "schema_revision"] == previous
    upgrade(db.engine)  # leave the shared test database as it was

    with fresh_target(db.kind, tmp_path) as target:
        code, out, err = run_cli(monkeypatch, capsys, target, "restore", str(archive))
        assert code == 0, err
        assert "备份来自旧版本：启动前请运行 banli migrate" in out
        code, out, _ = run_cli(monkeypatch, capsys, target, "migrate", "--check")
        assert code == 1 and f"当前 {previous}" in out and head in out
        assert run_cli(monkeypatch, capsys, target, "migrate")[0] == 0
        assert run_cli(monkeypatch, capsys, target, "migrate", "--check")[0] == 0
        engine = engine_for(target)
        try:
            assert current_revision(engine) == head
            assert disclosures(engine) == cases
            assert file_hashes(target.files_path) == files
            assert table_counts(engine)["stored_file"] == 6
        finally:
            engine.dispose()
