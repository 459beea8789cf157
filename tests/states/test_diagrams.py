"""docs/states/<kind>.md must match each transition table (regenerate: python -m states.diagrams)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from states import diagrams

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kind", ["disclosure", "hotline"])
def test_diagram_matches_table(kind: str) -> None:
    assert set(diagrams.MACHINES) == {"disclosure", "hotline"}
    expected = diagrams.render(kind)
    assert expected is not None, f"the {kind} machine was not found in this tree"
    text = (ROOT / "docs" / "states" / f"{kind}.md").read_text(encoding="utf-8")
    assert text == expected, f"docs/states/{kind}.md drifted: run python -m states.diagrams"
    mod = importlib.import_module(diagrams.MACHINES[kind].module)
    assert mod.MACHINE.mermaid(mod.STATE_LABELS) in text


def test_the_repository_docs_pass_the_check_mode() -> None:
    assert diagrams.main(["--check"]) == 0


def test_check_mode_reports_drift(tmp_path, capsys):
    assert diagrams.main(["--check", "--out", str(tmp_path)]) == 1
    assert diagrams.main(["--out", str(tmp_path)]) == 0
    assert diagrams.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "hotline.md").write_text("stale", encoding="utf-8")
    assert diagrams.main(["--check", "--out", str(tmp_path)]) == 1
    assert "hotline.md" in capsys.readouterr().err


def test_missing_machine_module_is_skipped(monkeypatch, tmp_path):
    monkeypatch.setitem(diagrams.MACHINES, "future", diagrams.MachineRef("states.no_such_module", "x"))
    assert diagrams.render("future") is None
    assert diagrams.main(["--out", str(tmp_path)]) == 0
    assert not (tmp_path / "future.md").exists()
