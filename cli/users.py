"""``banli user create NAME --role …`` (password from stdin)."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
from collections.abc import Iterator
from typing import Any

from cli.common import engine_and_settings, now
from cli.main import CliError
from workflow.accounts import memberships
from workflow.accounts.principal import system
from workflow.accounts.users import ALL_ROLES, UserError, checked_roles, create_user


def _read_password() -> str:
    if sys.stdin.isatty():
        pw = getpass.getpass("密码：")
        if getpass.getpass("再次输入：") != pw:
            raise CliError("两次输入的密码不一致")
        return pw
    return sys.stdin.readline().rstrip("\r\n")


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """A refusal of the accounts workflow (UserError) as a command-line error: its message, no traceback."""
    try:
        yield
    except UserError as exc:
        raise CliError(exc.message) from exc


def _create(args: argparse.Namespace) -> int:
    engine, settings, _ = engine_and_settings()
    password = _read_password()
    with _refusals():
        user = create_user(engine, agency_code=args.agency or settings.default_agency_code, username=args.name,
                           password=password, roles=args.role, display_name=args.display_name, now=now(),
                           email=args.email, unit_name=args.unit)
    print(f"已创建用户 {user.username}（角色：{','.join(sorted(checked_roles(args.role)))}）")
    return 0


def _grant(args: argparse.Namespace) -> int:
    engine, _, _ = engine_and_settings()
    with _refusals():
        m = memberships.grant(engine, username=args.name, agency_code=args.agency, roles=args.role,
                              actor=system(0, "命令行"), now=now())
    print(f"{args.name} 现在也在机关 {args.agency} 任职（角色：{','.join(sorted(m.roles))}）；登录后可“切换机关”，接口令牌用 agency={args.agency}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    engine, _, _ = engine_and_settings()
    with _refusals():
        done = memberships.revoke(engine, username=args.name, agency_code=args.agency, actor=system(0, "命令行"),
                                  now=now())
    print(f"已取消 {args.name} 在机关 {args.agency} 的任职" if done else f"{args.name} 在机关 {args.agency} 没有任职")
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
    g = us.add_parser("grant", help="让用户同时在另一个机关任职（兼任），例如县政务公开办的人员兼任某局的承办人")
    g.add_argument("name")
    g.add_argument("--agency", required=True, help="兼任的机关代码")
    g.add_argument("--role", action="append", required=True, choices=[r for r in ALL_ROLES if r != "instance_admin"],
                   help="在该机关的角色，可重复")
    g.set_defaults(handler=_grant)
    r = us.add_parser("revoke", help="取消用户在另一个机关的兼任")
    r.add_argument("name")
    r.add_argument("--agency", required=True)
    r.set_defaults(handler=_revoke)
