"""``banli migrate`` — create or upgrade the database schema and seed first-start data."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import engine_and_settings, print_admin_credentials
from db.migrate import current_revision, head_revision, known_revision, revisions_behind


def _check(args: argparse.Namespace) -> int:
    """Exit 0 when the schema is at this release's head, 1 when behind (or newer, or missing)."""
    from cli.health import require_database_file

    require_database_file()
    engine, _settings, _ = engine_and_settings(bootstrap=False)
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    if current == head:
        print(f"数据库结构已是最新：{current}")
        return 0
    if current is not None and not known_revision(current):
        print(f"数据库结构 {current} 比本程序（{head}）新：请使用与数据库相同或更新的版本")
        return 1
    todo = revisions_behind(current)
    print(f"数据库结构落后：当前 {current or '（空）'}，程序 {head}；banli migrate 将执行 {len(todo)} 个迁移："
          f"{', '.join(todo)}")
    return 1


def _migrate(args: argparse.Namespace) -> int:
    if args.check:
        return _check(args)
    engine, _settings, result = engine_and_settings(bootstrap=True)
    print(f"数据库已是最新结构：{engine.url.render_as_string(hide_password=True)}")
    if result and result.seeded_years:
        print(f"已导入 {result.seeded_years} 个年度的节假日数据（chinese-calendar）")
    print_admin_credentials(result)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("migrate", help="创建/升级数据库结构（Alembic）并初始化")
    p.add_argument("--check", action="store_true",
                   help="只检查：数据库结构落后于本程序时退出码 1（用于 CI 与部署脚本），不做任何修改")
    p.set_defaults(handler=_migrate)
