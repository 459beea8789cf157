"""Mermaid diagrams of every state machine, generated into ``docs/states/<kind>.md``.

Run ``python -m tools.diagrams`` to rewrite them, ``python -m tools.diagrams --check`` to fail on drift.
Adding a machine is one line in ``MACHINES``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from states import disclosure, hotline
from states.machine import StateMachine


class MachineRef(NamedTuple):
    """A machine and the labels of its states."""

    title: str
    machine: StateMachine
    labels: Mapping[str, str]


MACHINES: dict[str, MachineRef] = {
    "hotline": MachineRef("12345 工单状态", hotline.MACHINE, hotline.STATE_LABELS),
    "disclosure": MachineRef("依申请公开申请状态", disclosure.MACHINE, disclosure.STATE_LABELS),
}

ROOT = Path(__file__).resolve().parent.parent
DOCS_DIR = ROOT / "docs" / "states"


def render(kind: str) -> str:
    """The Markdown page for one machine."""
    ref = MACHINES[kind]
    module = "states.hotline" if kind == "hotline" else "states.disclosure"
    return (
        f"# {ref.title}（{ref.machine.name}）\n\n"
        f"Generated from `{module}.MACHINE` by `python -m tools.diagrams`; do not edit by hand.\n\n"
        f"```mermaid\n{ref.machine.mermaid(ref.labels)}```\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (or check) docs/states/*.md from the transition tables.")
    parser.add_argument("--check", action="store_true", help="exit 1 if a file differs instead of writing")
    parser.add_argument("--out", type=Path, default=DOCS_DIR)
    args = parser.parse_args(argv)
    drift = []
    for kind in MACHINES:
        text = render(kind)
        path: Path = args.out / f"{kind}.md"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                drift.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    if drift:
        print("out of date (run python -m tools.diagrams): " + ", ".join(drift), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
