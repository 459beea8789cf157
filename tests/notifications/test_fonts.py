"""The body face installed by scripts/_setup.sh is a 仿宋 covering all of GB 2312, and printed notices use it."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from notifications.fixtures import fixture_context
from notifications.fonts import coverage, face_file
from notifications.render import render


def test_fandolfang_covers_gb2312_level_1_and_2() -> None:
    path = face_file()
    assert path is not None, "FandolFang is not installed: run scripts/test.sh (fangsong_ensure) as root"
    cov = coverage(path)
    assert cov["level1"][:2] == (3755, 3755)
    assert cov["level2"][:2] == (3008, 3008)


def test_printed_body_is_set_in_fangsong(settings) -> None:
    pdf = render("disclosure.reply", fixture_context("disclosure.reply"), "pdf", settings=settings).content
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "reply.pdf"
        src.write_bytes(pdf)
        fonts = subprocess.run(["pdffonts", str(src)], capture_output=True, text=True, check=True).stdout
    assert "FandolFang" in fonts
    assert "UKai" not in fonts  # the old fallback set the body in 楷体
