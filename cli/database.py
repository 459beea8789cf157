"""``banli migrate`` — create or upgrade the database schema and seed first-start data."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import engine_and_settings, print_admin_credentials


def _migrate(args: argparse.Namespace) -> int:
    engine, _settings, result = engine_and_settings(bootstrap=True)
    print(f"数据库已是最新结构：{engine.url.render_as_string(hide_password=True)}")
    if result and result.seeded_years:
        print(f"已导入 {result.seeded_years} 个年度的节假日数据（chinese-calendar）")
    print_admin_credentials(result)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("migrate", help="创建/升级数据库结构（Alembic）并初始化")
    p.set_defaults(handler=_migrate)
