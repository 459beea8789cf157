"""Mermaid diagrams of every state machine, generated into ``docs/states/<kind>.md``.

Run ``python -m states.diagrams`` to rewrite them, ``python -m states.diagrams --check`` to fail on drift.
Adding a machine is one line in ``MACHINES``; a module not written yet is skipped.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from states.machine import StateMachine


class MachineRef(NamedTuple):
    """Where a machine and its state labels live (imported lazily)."""

    module: str
    title: str
    machine: str = "MACHINE"
    labels: str = "STATE_LABELS"


MACHINES: dict[str, MachineRef] = {
    "hotline": MachineRef("states.hotline", "12345 工单状态"),
    "disclosure": MachineRef("states.disclosure", "依申请公开申请状态"),
}

ROOT = Path(__file__).resolve().parent.parent
DOCS_DIR = ROOT / "docs" / "states"


def render(kind: str) -> str | None:
    """The Markdown page for one machine, or None when its module does not exist yet."""
    ref = MACHINES[kind]
    try:
        mod = importlib.import_module(ref.module)
    except ModuleNotFoundError as exc:
        if exc.name == ref.module:
            return None
        raise
    if not Path(mod.__file__ or "").resolve().is_relative_to(ROOT):
        return None  # found in another checkout (an editable install elsewhere): not this tree's machine
    machine: StateMachine = getattr(mod, ref.machine)
    labels: Mapping[str, str] = getattr(mod, ref.labels)
    return (
        f"# {ref.title}（{machine.name}）\n\n"
        f"Generated from `{ref.module}.{ref.machine}` by `python -m states.diagrams`; do not edit by hand.\n\n"
        f"```mermaid\n{machine.mermaid(labels)}```\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (or check) docs/states/*.md from the transition tables.")
    parser.add_argument("--check", action="store_true", help="exit 1 if a file differs instead of writing")
    parser.add_argument("--out", type=Path, default=DOCS_DIR)
    args = parser.parse_args(argv)
    drift = []
    for kind in MACHINES:
        text = render(kind)
        if text is None:
            continue
        path: Path = args.out / f"{kind}.md"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                drift.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    if drift:
        print("out of date (run python -m states.diagrams): " + ", ".join(drift), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
