"""The settings reference, generated from ``settings.Settings`` into ``docs/settings.md``.

``python -m cli.settings_doc`` writes it, ``--check`` fails when it drifted (tests/test_settings_doc.py runs
the check, like the state diagrams). ``banli settings`` prints the values in force (secrets masked).
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "settings.md"
SECRETS = ("secret_key", "smtp_password", "database_url")

HEADER = """# Settings reference

<!-- Generated from settings.Settings by `python -m cli.settings_doc`; a test fails when it drifts. -->

Every setting is an environment variable `BANLI_<NAME>`, or a key `<name>` in the TOML/YAML/JSON file named
by `BANLI_SETTINGS_FILE` (the environment wins). Nothing else reads the environment. Lists are written as
JSON in the environment (`BANLI_ALLOWED_UPLOAD_TYPES='["application/pdf"]'`). `banli settings` prints the
values in force on a machine, secrets masked. Per-agency settings (name, seal, document numbers, working
hours, fee options, 12345 profile …) are not here: an administrator edits them on the agency's page.

| variable | type | default | meaning |
|---|---|---|---|
"""


def type_name(annotation: Any) -> str:
    """A readable type: ``str``, ``int``, ``path or empty``, ``one of on, off``, ``list of str``."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return " or ".join(type_name(a) for a in inner) + (" or empty" if len(inner) < len(args) else "")
    if origin is list:
        return f"list of {type_name(args[0])}"
    if annotation is Path:
        return "path"
    return getattr(annotation, "__name__", str(annotation))


def default_text(info: FieldInfo) -> str:
    value = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    if value is None:
        return "—"
    if isinstance(value, list):
        return "`" + json.dumps(value, ensure_ascii=False) + "`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value == "":
        return "empty"
    if isinstance(value, Path) and not value.is_absolute():
        return f"`./{value}`"
    return f"`{value}`"


def render() -> str:
    """The whole docs/settings.md."""
    rows = []
    for name, info in Settings.model_fields.items():
        if not info.description:
            raise ValueError(f"Settings.{name} has no description= (docs/settings.md is generated from them)")
        meaning = " ".join(info.description.split()).replace("|", "\\|")
        rows.append(f"| `BANLI_{name.upper()}` | {type_name(info.annotation)} | {default_text(info)} | {meaning} |")
    return HEADER + "\n".join(rows) + "\n"


def effective(settings: Settings) -> list[tuple[str, str]]:
    """The values in force, secrets masked (a password inside the database URL included)."""
    out = []
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if name == "database_url":
            from sqlalchemy.engine.url import make_url

            text = make_url(value).render_as_string(hide_password=True)
        elif name in SECRETS:
            text = "（已设置）" if value else "（未设置）"
        elif value is None:
            text = ""
        else:
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value)
        out.append((f"BANLI_{name.upper()}", text))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (or check) docs/settings.md from settings.Settings.")
    parser.add_argument("--check", action="store_true", help="exit 1 when the file differs")
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} drifted from settings.Settings: run python -m cli.settings_doc", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


def _show(args: argparse.Namespace) -> int:
    if args.reference:
        print(render(), end="")
        return 0
    from settings import get_settings

    for key, value in effective(get_settings()):
        print(f"{key}={value}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("settings", help="显示当前生效的配置（密钥已隐藏）；--reference 输出配置说明")
    p.add_argument("--reference", action="store_true", help="输出 docs/settings.md 的内容")
    p.set_defaults(handler=_show)


if __name__ == "__main__":
    raise SystemExit(main())
