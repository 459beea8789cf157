"""docs/states/<kind>.md must match each transition table (regenerate: python -m tools.diagrams)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import diagrams

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kind", ["disclosure", "hotline"])
def test_diagram_matches_table(kind: str) -> None:
    assert set(diagrams.MACHINES) == {"disclosure", "hotline"}
    expected = diagrams.render(kind)
    text = (ROOT / "docs" / "states" / f"{kind}.md").read_text(encoding="utf-8")
    assert text == expected, f"docs/states/{kind}.md drifted: run python -m tools.diagrams"
    ref = diagrams.MACHINES[kind]
    assert ref.machine.mermaid(ref.labels) in text


def test_the_repository_docs_pass_the_check_mode() -> None:
    assert diagrams.main(["--check"]) == 0


def test_check_mode_reports_drift(tmp_path, capsys):
    assert diagrams.main(["--check", "--out", str(tmp_path)]) == 1
    assert diagrams.main(["--out", str(tmp_path)]) == 0
    assert diagrams.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "hotline.md").write_text("stale", encoding="utf-8")
    assert diagrams.main(["--check", "--out", str(tmp_path)]) == 1
    assert "hotline.md" in capsys.readouterr().err


def test_every_machine_is_imported_explicitly() -> None:
    """No machine is skipped silently: a broken or missing module fails the import of the tool itself."""
    assert all(ref.machine.table for ref in diagrams.MACHINES.values())
