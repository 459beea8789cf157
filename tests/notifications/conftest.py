"""Shared fixtures for the notifications tests."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document

from settings import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings isolated from the environment: files and outbox under tmp_path, no SMTP, no overrides."""
    return Settings(var_dir=tmp_path / "var", smtp_host="", templates_override_dir=None, fonts_dir=None,
                    outbox_backoff_seconds=[0, 60, 300], outbox_max_attempts=3)


def docx_text(data: bytes) -> str:
    """All text of a .docx: paragraphs, then table cells (python-docx reads it back)."""
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def docx_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")
