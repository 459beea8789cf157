"""``banli agency create CODE NAME [--parent CODE]``, ``banli agency list|show|edit``, ``deactivate``/``activate``."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import engine_and_settings, now
from cli.main import CliError
from db.engine import read_session
from states.agencies import KIND_LABELS, AgencyKind
from workflow.accounts.principal import Principal, system
from workflow.agencies import registry
from workflow.agencies.completeness import missing_notice_settings
from workflow.agencies.config import agency_config
from workflow.errors import Conflict, DomainValidation, Forbidden, NotFound

KINDS = [k.value for k in AgencyKind]
CLI = "命令行"


def _actor(agency_id: int = 0) -> Principal:
    return system(agency_id, CLI)


def _fail(exc: Exception) -> CliError:
    if isinstance(exc, DomainValidation):
        return CliError("；".join(f["message"] for f in exc.fields))
    return CliError(getattr(exc, "message", str(exc)))


def _create(args: argparse.Namespace) -> int:
    engine, _, _ = engine_and_settings()
    try:
        a = registry.create_agency(engine, code=args.code, name=args.name, parent_code=args.parent, kind=args.kind,
                                   actor=_actor(), now=now())
    except (Conflict, DomainValidation, Forbidden, NotFound) as exc:
        raise _fail(exc) from exc
    print(f"已创建机关 {a.code}：{a.name}（{KIND_LABELS[AgencyKind(a.kind)]}）")
    print(f"下一步：banli user create 用户名 --agency {a.code} --role admin  为它设立机关管理员")
    return 0


def _list(args: argparse.Namespace) -> int:
    engine, _, _ = engine_and_settings()
    rows = registry.list_agencies(engine)
    print(f"{'代码':<20}{'名称':<30}{'用户':>4}{'未办结':>6}  状态")
    for r in rows:
        name = "　" * r.depth + r.node.name
        state = "在用" if r.node.active else "已停用"
        print(f"{r.node.code:<20}{name:<30}{r.users:>4}{r.open_disclosures + r.open_workorders:>6}  {state}")
    return 0


def show_lines(engine: Any, code: str) -> list[str]:
    """What ``banli agency show`` prints (also used by tests)."""
    with read_session(engine) as s:
        try:
            a = registry.by_code(s, code)
        except NotFound as exc:
            raise _fail(exc) from exc
        assert a.id is not None
        nodes = registry.hierarchy(s)
        parent = nodes.get(a.parent_id) if a.parent_id else None
        kids = sorted((n for n in nodes.values() if n.parent_id == a.id), key=lambda n: n.code)
        work = registry.open_work(s, a.id)
        cfg = agency_config(a)
        proposal = registry.remedy_proposal(s, a)
    lines = [f"代码：{a.code}", f"名称：{a.name}", f"类别：{KIND_LABELS[AgencyKind(a.kind)]}",
             f"上级机关：{f'{parent.name}（{parent.code}）' if parent else '无'}",
             "下级机关：" + ("、".join(f"{k.name}（{k.code}）" for k in kids) or "无"),
             f"状态：{'在用' if a.active else '已停用'}",
             f"未办结：依申请公开 {work.disclosures} 件，12345工单 {work.workorders} 件",
             f"行政复议机关：{cfg.reconsideration_organ or '（未设置）'}",
             f"行政诉讼管辖法院：{cfg.litigation_court or '（未设置）'}"]
    if proposal is not None:
        lines.append(f"按上下级关系建议：行政复议机关 {proposal.reconsideration_organ}，"
                     f"管辖法院 {proposal.litigation_court or '（请按当地管辖规定填写）'}")
        lines.append(f"  依据：{proposal.basis}")
    missing = missing_notice_settings(a.name, cfg)
    if missing:
        lines.append("文书所需设置尚缺：" + "、".join(m.label for m in missing) + "（补齐前文书暂不发出）")
    return lines


def _show(args: argparse.Namespace) -> int:
    engine, _, _ = engine_and_settings()
    print("\n".join(show_lines(engine, args.code)))
    return 0


def _edit(args: argparse.Namespace) -> int:
    engine, _, _ = engine_and_settings()
    parent: object = registry.KEEP
    if args.no_parent:
        parent = None
    elif args.parent is not None:
        parent = args.parent
    try:
        a = registry.update_agency(engine, args.code, name=args.name, kind=args.kind, parent_code=parent,
                                   actor=_actor(), now=now())
    except (Conflict, DomainValidation, Forbidden, NotFound) as exc:
        raise _fail(exc) from exc
    print(f"已保存机关 {a.code}：{a.name}")
    return 0


def _set_active(active: bool) -> Any:
    def run(args: argparse.Namespace) -> int:
        engine, _, _ = engine_and_settings()
        try:
            a = registry.set_agency_active(engine, args.code, active, actor=_actor(), now=now())
        except (Conflict, DomainValidation, Forbidden, NotFound) as exc:
            raise _fail(exc) from exc
        print(f"已{'启用' if active else '停用'}机关 {a.code}：{a.name}")
        return 0

    return run


def register(sub: Any) -> None:
    p = sub.add_parser("agency", help="机关管理（新建、查看、修改、停用）")
    ag = p.add_subparsers(dest="agency_command", metavar="SUBCOMMAND")
    ag.required = True
    kind_help = "机关类别：government（人民政府）、department（政府工作部门）、other（其他）；省略时按名称判断"
    c = ag.add_parser("create", help="新建机关")
    c.add_argument("code", help="机关代码：小写英文字母、数字、短横线，例如 xx-zrzyj")
    c.add_argument("name", help="机关全称，例如 某某县自然资源局")
    c.add_argument("--parent", help="上级机关代码（如本县人民政府的代码）")
    c.add_argument("--kind", choices=KINDS, help=kind_help)
    c.set_defaults(handler=_create)
    ag.add_parser("list", help="列出全部机关（按上下级排列）").set_defaults(handler=_list)
    s = ag.add_parser("show", help="查看一个机关")
    s.add_argument("code")
    s.set_defaults(handler=_show)
    e = ag.add_parser("edit", help="修改机关名称、类别或上级机关")
    e.add_argument("code")
    e.add_argument("--name")
    e.add_argument("--kind", choices=KINDS, help=kind_help)
    e.add_argument("--parent", help="新的上级机关代码")
    e.add_argument("--no-parent", action="store_true", help="取消上级机关")
    e.set_defaults(handler=_edit)
    d = ag.add_parser("deactivate", help="停用机关（有未办结案件时拒绝；不删除任何记录）")
    d.add_argument("code")
    d.set_defaults(handler=_set_active(False))
    r = ag.add_parser("activate", help="重新启用机关")
    r.add_argument("code")
    r.set_defaults(handler=_set_active(True))
