"""docs/states/hotline.md must match the transition table (regenerate: python -m states.diagrams)."""

from __future__ import annotations

from pathlib import Path

from states import diagrams
from states.hotline import MACHINE, STATE_LABELS

ROOT = Path(__file__).resolve().parents[2]


def test_hotline_diagram_matches_table():
    text = (ROOT / "docs" / "states" / "hotline.md").read_text(encoding="utf-8")
    assert text == diagrams.render("hotline"), "docs/states/hotline.md drifted: run python -m states.diagrams"
    assert MACHINE.mermaid(STATE_LABELS) in text


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
