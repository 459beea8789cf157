"""PDF output: Chinese text really extracted (pdftotext), fonts refused when missing, fonts_dir faces."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from notifications import pdf
from notifications.catalog import CATALOG
from notifications.errors import FontsMissing
from notifications.fixtures import EXT_B, fixture_context, markers, reply_context
from notifications.render import render

PDF_TYPES = [code for code, spec in CATALOG.items() if "pdf" in spec.formats]
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", out.decode("utf-8"))


@needs_poppler
@pytest.mark.parametrize("code", PDF_TYPES)
def test_pdf_contains_the_chinese_text(code, tmp_path, settings):
    spec = CATALOG[code]
    doc = render(code, fixture_context(code), "pdf", settings=settings)
    assert doc.content.startswith(b"%PDF") and doc.content_type == "application/pdf"
    text = pdf_text(doc.content, tmp_path)
    assert spec.title_zh in text
    for m in markers(code):
        assert re.sub(r"\s+", "", m) in text
    assert EXT_B in text
    if spec.remedy:
        assert "申请行政复议" in text and "60日内" in text


@needs_poppler
def test_reply_pdf_carries_the_reconsideration_first_clause(tmp_path, settings):
    doc = render("disclosure.reply", reply_context("refuse", "process_info"), "pdf", settings=settings)
    text = pdf_text(doc.content, tmp_path)
    assert "第十六条第二款" in text and "应当先申请行政复议" in text and "某县人民政府" in text
    assert doc.filename == "政府信息公开申请答复书-依申〔2026〕0001号.pdf"


def test_refuses_without_cjk_fonts(monkeypatch, settings):
    monkeypatch.setattr(pdf, "system_cjk_fonts", lambda: ())
    with pytest.raises(FontsMissing) as err:
        render("disclosure.reply", fixture_context("disclosure.reply"), "pdf", settings=settings)
    assert "fonts-noto-cjk" in str(err.value) and "中文字体" in str(err.value)
    # HTML and DOCX do not depend on server fonts.
    render("disclosure.reply", fixture_context("disclosure.reply"), "docx", settings=settings)


def test_fonts_dir_faces_count_as_cjk_fonts(monkeypatch, tmp_path, settings):
    source = Path("/usr/share/fonts/truetype/arphic/ukai.ttc")
    if not source.exists():
        pytest.skip("fonts-arphic-ukai not installed")
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    (fonts / "ukai.ttc").symlink_to(source)
    css = str(pdf.font_face_css(fonts))
    assert '@font-face { font-family: "AR PL UKai CN"' in css and "file://" in css
    monkeypatch.setattr(pdf, "system_cjk_fonts", lambda: ())
    pdf.ensure_cjk_fonts(fonts)  # no error: the directory provides a face
    with pytest.raises(FontsMissing):
        pdf.ensure_cjk_fonts(None)
