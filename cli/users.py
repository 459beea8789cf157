"""``banli user create NAME --role …`` (password from stdin)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from cli.common import engine_and_settings, now
from cli.main import CliError
from workflow.accounts.users import ALL_ROLES, UserError, create_user


def _read_password() -> str:
    if sys.stdin.isatty():
        pw = getpass.getpass("密码：")
        if getpass.getpass("再次输入：") != pw:
            raise CliError("两次输入的密码不一致")
        return pw
    return sys.stdin.readline().rstrip("\r\n")


def _create(args: argparse.Namespace) -> int:
    engine, settings, _ = engine_and_settings()
    password = _read_password()
    try:
        user = create_user(engine, agency_code=args.agency or settings.default_agency_code, username=args.name,
                           password=password, roles=args.role, display_name=args.display_name, now=now(),
                           email=args.email, unit_name=args.unit)
    except UserError as exc:
        raise CliError(exc.message) from exc
    print(f"已创建用户 {user.username}（角色：{user.roles}）")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("user", help="用户管理")
    us = p.add_subparsers(dest="user_command", metavar="SUBCOMMAND")
    us.required = True
    c = us.add_parser("create", help="创建用户（密码从标准输入读取）")
    c.add_argument("name")
    c.add_argument("--role", action="append", required=True, choices=ALL_ROLES,
                   help="角色，可重复：front_desk, officer, leader, admin, supervisor")
    c.add_argument("--agency", help="机关代码（默认：初始机关）")
    c.add_argument("--display-name")
    c.add_argument("--email")
    c.add_argument("--unit", help="所属科室名称（不存在则创建）")
    c.set_defaults(handler=_create)
