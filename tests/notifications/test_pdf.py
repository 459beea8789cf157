"""PDF output: Chinese text really extracted (pdftotext), fonts refused when missing, fonts_dir faces."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from notifications import pdf
from notifications.catalog import CATALOG
from notifications.errors import FontsMissing
from notifications.fixtures import EXT_B, fixture_context, markers, reply_context
from notifications.lint_layout import MARGINS_MM, PT_PER_MM, SEAL_MM, Page, pdf_pages, seal, seal_rings
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


# ------------------------------------------------------------------ the seal at the end of a page (findings h4 §4)

SEAL_NAME = "永仁县自然资源局"  # 8 characters: "…（印章）" no longer fits on one line of the 42 mm ring
BODY_STEP = "及相关会议纪要的印发情况"  # 12 characters: about half a line of 三号


def _knob(code: str, k: int) -> dict[str, Any]:
    """``code``'s fixture signed by SEAL_NAME, its free text ``k`` steps longer (starting short)."""
    ctx = fixture_context(code)
    ctx["agency"].update(name=SEAL_NAME, seal_text=SEAL_NAME)
    more = BODY_STEP * k
    if code == "disclosure.closure_notice":  # the tester's document: a withdrawal, the shortest closure
        ctx["notice"] = {"reason": "withdrawn", "withdrawal_date": "2026-11-20"}
        ctx["case"]["description"] = "请公开2025年地质灾害隐患点名录" + more
    elif code == "disclosure.extension_notice":
        ctx["notice"]["reason"] = "需要调档核对" + more
    else:  # workorder.reply_sheet: the text grows inside a table cell (小四 lines of 22pt)
        ctx["notice"]["reply_text"] = "经现场核查，彩钢房已拆除" + more
    return ctx


def _ring(pdf: bytes) -> tuple[int, tuple[float, float, float, float], str, Page]:
    """The one seal ring of a document: its page, box (pt), the text printed inside it (the small lines) and
    the page; asserts it is a whole 42 mm circle inside the type area with the whole seal text."""
    rings = seal_rings(pdf)
    assert len(rings) == 1, rings
    n, (x0, y0, x1, y1) = rings[0]
    page = pdf_pages(pdf)[n - 1]
    want = SEAL_MM * PT_PER_MM
    assert abs((x1 - x0) - want) < 3 and abs((y1 - y0) - want) < 3, (n, rings)  # a whole circle, not an arch
    top, bottom = MARGINS_MM["top"] * PT_PER_MM, page.height - MARGINS_MM["bottom"] * PT_PER_MM
    left, right = MARGINS_MM["left"] * PT_PER_MM, page.width - MARGINS_MM["right"] * PT_PER_MM
    assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom + 1, (n, rings, page.height)
    small = sorted((ln for ln in page.lines if ln.height < 13 and x0 <= ln.x0 and ln.x1 <= x1
                    and y0 <= ln.y0 and ln.y1 <= y1), key=lambda ln: ln.y0)
    inside = "".join(ln.text for ln in small)
    assert inside == SEAL_NAME + "（印章）", (n, inside)
    assert seal(pdf) == []
    return n, (x0, y0, x1, y1), inside, page


def _sweep(code: str, tmp_path: Path, settings: Any) -> list[tuple[int, float]]:
    """(page, bottom of the ring) for the body growing step by step until the signature has left page 1 twice;
    every variant's ring is whole with its text, and the text is in pdftotext's output."""
    seen: list[tuple[int, float]] = []
    for k in range(40):
        data = render(code, _knob(code, k), "pdf", settings=settings).content
        n, box, _, _ = _ring(data)
        assert SEAL_NAME + "（印章）" in pdf_text(data, tmp_path), (code, k)
        seen.append((n, box[3]))
        if [page for page, _ in seen].count(2) == 2:
            break
    return seen


@needs_poppler
@pytest.mark.parametrize("code", ["disclosure.closure_notice", "disclosure.extension_notice",
                                  "workorder.reply_sheet"])
def test_the_seal_is_whole_wherever_the_body_ends(code, tmp_path, settings):
    """The body grows by half a line at a time until the signature leaves page 1: on every variant the ring is a
    whole circle inside the type area with its whole text, on page 1 while the signature fits there, else on
    page 2 (the tester's 不再处理告知书 cut it at the foot of page 1)."""
    seen = _sweep(code, tmp_path, settings)
    assert seen[0][0] == 1 and seen[-1][0] == 2, seen  # the sweep crossed the page's end…
    bottom = 297 * PT_PER_MM - MARGINS_MM["bottom"] * PT_PER_MM
    assert max(y for page, y in seen if page == 1) > bottom - 45, seen  # …with the signature at the foot of page 1


@needs_poppler
def test_the_seal_is_whole_at_every_height_near_the_end_of_page_1(tmp_path, settings):
    """Between two steps of the body: a spacer 0–30 pt high before the signature of the tester's document, at
    its longest body still signed on page 1."""
    code = "disclosure.closure_notice"
    k = [page for page, _ in _sweep(code, tmp_path, settings)].index(2) - 1
    html = render(code, _knob(code, k), "html", settings=settings).content.decode()
    pages = set()
    for space in range(0, 31, 3):
        spaced = html.replace('<div class="signature">', f'<div style="height:{space}pt"></div>'
                              '<div class="signature">', 1)
        assert spaced != html
        pages.add(_ring(pdf.html_to_pdf(spaced, fonts_dir=None))[0])
    assert pages == {1, 2}
