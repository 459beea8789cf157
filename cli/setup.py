"""``banli setup FILE.yaml [--agency CODE]``: the first-run setup of an agency for scripted installs — the same
settings, checks and audit row as the setup page (workflow.agencies.setup)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cli.common import engine_and_settings, now
from cli.main import CliError
from db.engine import read_session
from workflow.accounts.principal import system
from workflow.agencies.registry import by_code, first_agency
from workflow.agencies.setup import apply_setup, setup_from_mapping
from workflow.errors import Conflict, DomainValidation, Forbidden, NotFound
from workflow.input_errors import errors_line

EXAMPLE = """\
# banli setup 机关设置.yaml
name: 某某县自然资源局
code: xx-zrzyj                      # 可省略：保持现有代码
seal_text: 某某县自然资源局
office_name: 某某县自然资源局政府信息公开办公室
address: 某某县人民路1号
postal_code: "675000"
phone: 0878-1234567
email: gk@example.gov.cn
reconsideration_organ: 某某县人民政府
litigation_court: 某某县人民法院
morning: "09:00-12:00"
afternoon: "14:30-18:00"
hotline_profile: yunnan_county
tracking_format: "依申〔{year}〕{seq:04d}号"
"""


def _run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"文件不存在：{path}\n文件示例：\n{EXAMPLE}")
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CliError(f"{path} 不是有效的 YAML：{exc}") from exc
    if not isinstance(raw, dict):
        raise CliError(f"{path} 应是“名称: 值”形式的设置列表\n文件示例：\n{EXAMPLE}")
    engine, _, _ = engine_and_settings()
    with read_session(engine) as s:
        try:
            agency = by_code(s, args.agency) if args.agency else first_agency(s)
        except NotFound as exc:
            raise CliError(exc.message) from exc
    assert agency.id is not None
    try:
        data = setup_from_mapping(raw)
        done = apply_setup(engine, agency.id, data, actor=system(agency.id, "命令行"), now=now())
    except ValidationError as exc:
        raise CliError(errors_line(exc.errors())) from exc
    except DomainValidation as exc:
        raise CliError("；".join(f"{f['field']}：{f['message']}" for f in exc.fields)) from exc
    except (Conflict, Forbidden, NotFound) as exc:
        raise CliError(exc.message) from exc
    print(f"已完成机关设置：{done.name}（{done.code}）。等待设置的文书已排队发出。")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("setup", help="按 YAML 文件完成机关设置（首次安装时使用）")
    p.add_argument("file", help="设置文件（YAML），示例见 banli setup --help")
    p.add_argument("--agency", help="机关代码（默认：第一个机关）")
    p.epilog = "文件示例：\n" + EXAMPLE
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.set_defaults(handler=_run)
