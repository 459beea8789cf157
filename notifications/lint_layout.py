"""The document linter, layout part: the PDF as poppler sees it (``pdftotext -bbox-layout``, ``pdftoppm``).

Checks: the title on one line or broken between whole words, and not alone on the first page; nothing beyond
the margins (the page number lives in the bottom margin by design); the signature after the body and before
any reply slip; the seal ring whole, inside the type area and with its whole text on every page it appears.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from notifications.lint_text import Finding

PT_PER_MM = 72 / 25.4
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # layout/notice.css (GB/T 9704-2012)
SEAL_MM = 42
SEAL_MARK = "（印章）"  # the last words inside the ring (layout/letter.html)
TITLE_MIN_HEIGHT = 20.0  # pt: 二号 (22pt) title lines; the body (三号, 16pt) stays below
_TOLERANCE = 3.0  # pt
_PAGE_NO = re.compile(r"^[—\-–]?\d+[—\-–]?$|^[—\-–]$")
_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Page:
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)


def pdf_pages(pdf: bytes) -> list[Page]:
    """The text lines of every page with their boxes (points, origin top left)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-bbox-layout", str(src), "-"], capture_output=True, check=True,
                             timeout=60).stdout
    root = ElementTree.fromstring(out)
    pages = []
    for p in root.iter(f"{_NS}page"):
        page = Page(float(p.get("width", 0)), float(p.get("height", 0)))
        for ln in p.iter(f"{_NS}line"):
            words = [w.text or "" for w in ln.iter(f"{_NS}word")]
            page.lines.append(Line("".join(words), *(float(ln.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax"))))
        pages.append(page)
    return pages


def title(pages: list[Page], units: list[str]) -> list[Finding]:
    """The title's printed lines must each be a run of whole units (agency name, title stems)."""
    if not pages or not units:
        return []
    lines = []
    for ln in sorted(pages[0].lines, key=lambda ln: ln.y0):  # the leading run of tall (二号) lines
        if ln.height < TITLE_MIN_HEIGHT or _PAGE_NO.match(ln.text.replace(" ", "")):
            break
        lines.append(ln.text)
    if "".join(lines) != "".join(units):
        return [("title", f"标题与应有标题不一致：{'／'.join(lines)}")]
    bounds, pos = set(), 0
    for u in units:
        pos += len(u)
        bounds.add(pos)
    pos, out = 0, []
    for text in lines[:-1]:
        pos += len(text)
        if pos not in bounds:
            out.append(("title", f"标题在词语中间断行：{'／'.join(lines)}"))
    return out


def lone_title(pages: list[Page]) -> list[Finding]:
    """The first page holds more than the title: a block that may not break (a form taller than a page) was
    pushed whole to the next page and left the title alone."""
    if len(pages) < 2:
        return []
    body = [ln for ln in pages[0].lines
            if ln.height < TITLE_MIN_HEIGHT and not _PAGE_NO.match(ln.text.replace(" ", ""))]
    return [] if body else [("page", "第1页只有标题，正文从第2页开始")]


def margins(pages: list[Page]) -> list[Finding]:
    """No text outside the type area (the page number in the bottom margin excepted)."""
    out = []
    for n, page in enumerate(pages, start=1):
        left, right = MARGINS_MM["left"] * PT_PER_MM, page.width - MARGINS_MM["right"] * PT_PER_MM
        top, bottom = MARGINS_MM["top"] * PT_PER_MM, page.height - MARGINS_MM["bottom"] * PT_PER_MM
        for ln in page.lines:
            if ln.y0 >= bottom - _TOLERANCE and _PAGE_NO.match(ln.text.replace(" ", "")):
                continue
            if (ln.x0 < left - _TOLERANCE or ln.x1 > right + _TOLERANCE or ln.y0 < top - _TOLERANCE
                    or ln.y1 > bottom + _TOLERANCE):
                out.append(("margin", f"第{n}页文字超出版心：“{ln.text[:20]}”"))
    return out


def order(pages: list[Page], *, closing: str | None, signature: str | None, appendix: str | None) -> list[Finding]:
    """The closing formula before the signature's date, the reply slip after it."""
    text = "\n".join(ln.text for p in pages for ln in p.lines)
    out: list[Finding] = []
    sig = text.rfind(signature) if signature else -1
    if signature and sig < 0:
        return [("signature", f"未找到落款日期：{signature}")]
    if closing and signature:
        end = text.rfind(closing, 0, text.find(appendix) if appendix and appendix in text else len(text))
        if end < 0 or end > sig:
            out.append(("signature", "落款不在正文之后"))
    if appendix and signature and text.find(appendix) < sig:
        out.append(("signature", f"“{appendix}”应在落款之后"))
    return out


def seal_rings(pdf: bytes, *, dpi: int = 72) -> list[tuple[int, tuple[float, float, float, float]]]:
    """(page number, box in points with the origin top left) of the red seal ring on each page that has one."""
    from PIL import Image

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(src), str(Path(tmp) / "p")], check=True, timeout=120)
        for n, png in enumerate(sorted(Path(tmp).glob("p-*.png"), key=lambda f: int(f.stem.split("-")[-1])),
                                start=1):
            with Image.open(png) as im:
                box = _red_box(im.convert("RGB"))
            if box is not None:
                out.append((n, (box[0] * 72 / dpi, box[1] * 72 / dpi, box[2] * 72 / dpi, box[3] * 72 / dpi)))
    return out


def seal(pdf: bytes, *, dpi: int = 72, pages: list[Page] | None = None) -> list[Finding]:
    """Each page's seal (the red ring) is whole: its red pixels span a full circle of 42 mm, not an arch (a ring
    cut at the page's end is as wide as a circle but taller or shorter); it lies inside the type area; and the
    text inside it is whole, down to the closing "（印章）"."""
    pages = pdf_pages(pdf) if pages is None else pages
    want = SEAL_MM * PT_PER_MM
    out = []
    for n, (x0, y0, x1, y1) in seal_rings(pdf, dpi=dpi):
        w, h = x1 - x0, y1 - y0
        if min(w, h) < 0.9 * want or max(w, h) > 1.1 * want or abs(w - h) > 0.03 * want + 72 / dpi:
            out.append(("seal", f"第{n}页印章不完整（{w:.0f}×{h:.0f}磅，应为约{want:.0f}磅的圆）"))
        page = pages[n - 1]
        left, right = MARGINS_MM["left"] * PT_PER_MM, page.width - MARGINS_MM["right"] * PT_PER_MM
        top, bottom = MARGINS_MM["top"] * PT_PER_MM, page.height - MARGINS_MM["bottom"] * PT_PER_MM
        if x0 < left - _TOLERANCE or x1 > right + _TOLERANCE or y0 < top - _TOLERANCE or y1 > bottom + _TOLERANCE:
            out.append(("seal", f"第{n}页印章超出版心"))
        inside = [ln.text for ln in page.lines
                  if x0 <= (ln.x0 + ln.x1) / 2 <= x1 and y0 <= (ln.y0 + ln.y1) / 2 <= y1]
        if not any(SEAL_MARK in text for text in inside):
            out.append(("seal", f"第{n}页印章内文字不完整（未见“{SEAL_MARK}”）"))
    return out


def _red_box(im: Any) -> tuple[int, int, int, int] | None:
    """The bounding box of the clearly red pixels (the seal placeholder, #c00 at 35 % opacity)."""
    from PIL import ImageChops

    r, g, b = im.split()
    redder_than_green = ImageChops.subtract(r, g).point(lambda v: 255 if v > 40 else 0)
    redder_than_blue = ImageChops.subtract(r, b).point(lambda v: 255 if v > 40 else 0)
    box: tuple[int, int, int, int] | None = ImageChops.multiply(redder_than_green, redder_than_blue).getbbox()
    return box


def lint_pdf(pdf: bytes, *, units: list[str] | None = None, closing: str | None = None,
             signature: str | None = None, appendix: str | None = None) -> list[Finding]:
    """Every layout check over one PDF."""
    pages = pdf_pages(pdf)
    return [*title(pages, units or []), *lone_title(pages), *margins(pages),
            *order(pages, closing=closing, signature=signature, appendix=appendix), *seal(pdf, pages=pages)]
