"""DOCX output: the body blocks poured into ``docx/letter.docx`` with docxtpl (autoescape, StrictUndefined).

The template (built by ``build_docx_templates.py``) holds the page set-up, the styles and the loops;
each paragraph's text arrives as a docxtpl ``Listing`` and each table cell's as a ``RichText`` (whole runs,
bold in label cells, for the template's ``{{r c.text }}``), both escaped with line breaks kept, so applicant
input such as ``张三 & <李四>`` is written literally.
"""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docxtpl import DocxTemplate, Listing, RichText
from jinja2 import Environment

from notifications.blocks import Block

TEXT_WIDTH_TWIPS = round((210 - 28 - 26) / 25.4 * 1440)  # A4 minus GB/T 9704 left/right margins
_SHARES = {2: (0.28, 0.72), 4: (0.17, 0.33, 0.17, 0.33)}  # label/value forms


@lru_cache(maxsize=16)
def _template_bytes(path: Path, mtime: float) -> bytes:
    return path.read_bytes()


DENSE_HALF_POINTS = 24  # 小四 (12pt): a dense form's text, as in the PDF (layout/notice.css table.form.dense)


def _cell(text: str, header: bool, dense: bool = False) -> RichText:
    """A table cell's text as whole runs (the template's ``{{r c.text }}``), bold in header cells.

    RichText escapes the text; line breaks become ``<w:br/>`` when docxtpl resolves the listing marks.
    A ``Listing`` cannot be used here: ``{{r }}`` replaces the run, so the value must be runs, not text.
    """
    return RichText(text, bold=header, size=DENSE_HALF_POINTS if dense else None)


def docx_blocks(blocks: list[Block]) -> list[dict[str, Any]]:
    """Blocks as plain dicts for the docxtpl loops."""
    out: list[dict[str, Any]] = []
    for b in blocks:
        if b.kind == "table":
            dense = "dense" in b.classes
            rows = [[{"text": _cell(c.text, c.header, dense), "span": c.span} for c in row] for row in b.rows]
            out.append({"kind": "table", "text": "", "rows": rows})
        else:
            out.append({"kind": b.kind, "text": Listing(b.text), "rows": []})
    return out


def _fix_widths(document: Any, declared: list[list[float]]) -> None:
    """Give dynamic tables a sane grid: the docxtpl column loop copies the template cell's width. A table's
    own column shares (``<col>`` in the body, ``declared`` in document order) win; else label/value shares."""
    for n, table in enumerate(document.tables):
        grid = table._tbl.tblGrid
        cols = grid.findall(qn("w:gridCol"))
        if not cols:
            continue
        own = declared[n] if n < len(declared) else []
        shares = own if len(own) == len(cols) else _SHARES.get(len(cols), tuple(1 / len(cols) for _ in cols))
        if own:
            table.autofit = False  # <w:tblLayout w:type="fixed"/>: Word keeps the form's columns as given
        widths = [round(TEXT_WIDTH_TWIPS * s) for s in shares]
        for col, w in zip(cols, widths, strict=True):
            col.set(qn("w:w"), str(w))
        for tr in table._tbl.tr_lst:
            pos = 0
            for tc in tr.tc_lst:
                span = tc.grid_span
                tc_pr = tc.get_or_add_tcPr()
                tcw = tc_pr.find(qn("w:tcW"))
                if tcw is None:
                    tcw = OxmlElement("w:tcW")
                    tc_pr.append(tcw)
                tcw.set(qn("w:type"), "dxa")
                tcw.set(qn("w:w"), str(sum(widths[pos:pos + span])))
                pos += span


def render_docx(template_path: Path, context: dict[str, Any], blocks: list[Block], env: Environment, *,
                appendix: list[Block] | None = None) -> bytes:
    """Render ``template_path`` with ``context`` plus ``blocks`` (and the ``appendix`` blocks printed after
    the signature); returns the .docx bytes."""
    data = _template_bytes(template_path, template_path.stat().st_mtime)
    tpl = DocxTemplate(io.BytesIO(data))
    ctx = dict(context)
    ctx["blocks"] = docx_blocks(blocks)
    ctx["appendix_blocks"] = docx_blocks(appendix or [])
    ctx["heading_text"] = Listing("\n".join(context.get("heading_lines") or [context.get("heading", "")]))
    tpl.render(ctx, jinja_env=env, autoescape=True)
    _fix_widths(tpl.docx, [b.widths for b in [*blocks, *(appendix or [])] if b.kind == "table"])
    out = io.BytesIO()
    tpl.save(out)
    return _normalise_zip(out.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Fixed entry timestamps, so the same notice gives the same bytes (and the same SHA-256) every time."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
