"""``banli backup ARCHIVE`` and ``banli restore ARCHIVE`` (docs/deployment.md, "Backup and restore")."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import engine_and_settings, now
from cli.main import CliError
from workflow.ops.running import InstanceBusy


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def _backup(args: argparse.Namespace) -> int:
    from cli.health import require_database_file
    from workflow.ops.backup import make_backup

    archive = Path(args.archive)
    if archive.exists() and not args.overwrite:
        raise CliError(f"备份文件已存在：{archive}（加 --overwrite 覆盖）")
    require_database_file()
    engine, settings, _ = engine_and_settings(bootstrap=False)
    try:
        result = make_backup(engine, settings, archive, now=now())
    except (RuntimeError, FileNotFoundError) as exc:
        raise CliError(f"备份失败：{exc}", exit_code=1) from exc
    finally:
        engine.dispose()
    m = result.manifest
    rows = sum(m["counts"].values())
    print(f"已备份到 {result.archive}")
    print(f"  数据库：{m['database']['dialect']}，结构版本 {m['database']['schema_revision']}，"
          f"{len(m['counts'])} 张表共 {rows} 行")
    print(f"  文件：{len(m['files'])} 个，{_size(m['files_bytes'])}；密钥：已包含")
    print("  备份文件含个人信息与密钥，请妥善保管（权限 600）")
    for p in result.problems:
        print(f"  ！{p}")
    return 1 if result.problems else 0


def _restore(args: argparse.Namespace) -> int:
    from workflow.ops.restore import RestoreRefused, restore

    archive = Path(args.archive)
    if not archive.is_file():
        raise CliError(f"备份文件不存在：{archive}")
    engine, settings, _ = engine_and_settings(bootstrap=False)
    try:
        result = restore(engine, settings, archive, replace=args.replace)
        if args.migrate and result.needs_migrate:
            from db.migrate import upgrade

            upgrade(engine)
    except (RestoreRefused, InstanceBusy) as exc:
        raise CliError(f"未恢复：{exc}", exit_code=1) from exc
    except RuntimeError as exc:
        raise CliError(f"恢复失败：{exc}", exit_code=1) from exc
    finally:
        engine.dispose()
    m = result.manifest
    print(f"已从 {archive}（{m['created_at']} 备份，banli {m['banli_version']}）恢复：")
    print(f"  数据库：{engine.url.render_as_string(hide_password=True)}，结构版本 {result.schema_revision}")
    for table, n in sorted(result.counts.items()):
        print(f"    {table}: {n}")
    print(f"  各表行数与备份清单一致；文件 {result.files} 个（{_size(result.files_bytes)}），校验值全部正确 "
          f"→ {settings.files_path}")
    print(f"  密钥 → {settings.var_dir / 'secret_key'}")
    for note in result.notes:
        print(f"  ！{note}")
    if result.needs_migrate:
        if args.migrate:
            print("  已升级数据库结构（banli migrate）")
        else:
            print("  备份来自旧版本：启动前请运行 banli migrate")
    return 0


def register(sub: Any) -> None:
    b = sub.add_parser("backup", help="备份：数据库一致快照 + 存储文件 + 密钥，写入一个归档文件（含清单）")
    b.add_argument("archive", metavar="ARCHIVE", help="归档文件（.tar.gz；.tar 不压缩）")
    b.add_argument("--overwrite", action="store_true", help="覆盖已存在的归档文件")
    b.set_defaults(handler=_backup)
    r = sub.add_parser("restore", help="从备份恢复到配置的数据库与目录（目标须为空，服务须已停止）")
    r.add_argument("archive", metavar="ARCHIVE")
    r.add_argument("--replace", action="store_true", help="目标不为空时也恢复（覆盖现有数据库与文件）")
    r.add_argument("--migrate", action="store_true", help="备份来自旧版本时，恢复后立即升级数据库结构")
    r.set_defaults(handler=_restore)
