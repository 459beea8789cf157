"""docs/settings.md must list every setting of settings.Settings (regenerate: python -m cli.settings_doc)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cli import settings_doc
from settings import Settings


def test_the_repository_reference_matches_settings() -> None:
    text = settings_doc.DOC.read_text(encoding="utf-8")
    assert text == settings_doc.render(), "docs/settings.md drifted: run python -m cli.settings_doc"
    for name, info in Settings.model_fields.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"| `BANLI_{name.upper()}` |"))
        assert info.description and " ".join(info.description.split())[:40] in line
    assert settings_doc.main(["--check"]) == 0


def test_check_mode_reports_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "settings.md"
    assert settings_doc.main(["--check", "--out", str(out)]) == 1
    assert settings_doc.main(["--out", str(out)]) == 0
    assert settings_doc.main(["--check", "--out", str(out)]) == 0
    out.write_text(out.read_text(encoding="utf-8").replace("BANLI_PORT", "BANLI_PORTX"), encoding="utf-8")
    assert settings_doc.main(["--check", "--out", str(out)]) == 1
    assert "drifted" in capsys.readouterr().err


def test_a_new_setting_without_description_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class Wider(Settings):
        model_config = SettingsConfigDict(env_prefix="BANLI_", extra="ignore")
        undocumented: int = Field(1)

    monkeypatch.setattr(settings_doc, "Settings", Wider)
    with pytest.raises(ValueError, match="undocumented"):
        settings_doc.render()


def test_types_and_defaults_are_readable() -> None:
    text = settings_doc.render()
    assert "| `BANLI_SCHEDULER` | one of `on`, `off` | `on` |" in text
    assert "| `BANLI_FILES_DIR` | path or empty | — |" in text
    assert "| `BANLI_VAR_DIR` | path | `./var` |" in text
    assert '| `BANLI_OUTBOX_BACKOFF_SECONDS` | list of int | `[0, 60, 300, 1800, 3600, 7200, 14400]` |' in text


def test_effective_values_mask_secrets() -> None:
    s = Settings(database_url="postgresql+psycopg://banli:hunter2@db/banli", secret_key="s3cret",
                 smtp_password="pw")
    shown = dict(settings_doc.effective(s))
    assert "hunter2" not in shown["BANLI_DATABASE_URL"] and "***" in shown["BANLI_DATABASE_URL"]
    assert shown["BANLI_SECRET_KEY"] == "（已设置）" and shown["BANLI_SMTP_PASSWORD"] == "（已设置）"
    assert set(shown) == {f"BANLI_{n.upper()}" for n in Settings.model_fields}
