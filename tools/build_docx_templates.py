"""Build ``templates/docx/letter.docx``, the one DOCX layout for every notice (run after editing; commit the file).

    python -m tools.build_docx_templates

The file is generated, not hand-edited, so its page set-up and styles are reviewed here as code:
A4 with GB/T 9704 margins (top 37, bottom 35, left 28, right 26 mm); body 仿宋_GB2312 三号 (16pt) at an
exact 28.9pt line pitch (22 lines); title 方正小标宋简体 二号 (22pt); headings 黑体; page numbers
"— 1 —" at the outer bottom corner (odd right, even left); the agency, the date and a seal placeholder at
the lower right. East-Asian font names are written to ``w:eastAsia`` (``font.name`` only sets the Latin
font), so Word/WPS use the official faces where installed. The body is a docxtpl loop over the blocks
produced from the notice's HTML fragment.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "notifications" / "templates" / "docx" / "letter.docx"
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
PAGE_NO_FONT = "宋体"
LATIN_FONT = "Times New Roman"
LINE_PITCH = Pt(28.9)  # 225 mm text height / 22 lines


def _fonts(rpr_owner: Any, east_asia: str, size: float, latin: str = LATIN_FONT) -> None:
    """Set Latin and East-Asian font names and the size on a style or run."""
    rpr_owner.font.name = latin
    rpr_owner.font.size = Pt(size)
    rpr = rpr_owner.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:hint"), "eastAsia")


def _indent_chars(style: Any, first_line_chars: int) -> None:
    """First-line indent in characters (w:firstLineChars, hundredths), with a twips fallback."""
    ppr = style.element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn("w:firstLineChars"), str(first_line_chars * 100))
    ind.set(qn("w:firstLine"), str(first_line_chars * 320))


def _para_style(doc: Any, name: str, *, font: str = BODY_FONT, size: float = 16, align: Any = None,
                indent: int = 0, pitch: Any = LINE_PITCH, right_chars: int = 0) -> Any:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    _fonts(style, font, size)
    pf = style.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = pitch
    if align is not None:
        pf.alignment = align
    if indent:
        _indent_chars(style, indent)
    if right_chars:
        pf.right_indent = Pt(16 * right_chars)
    return style


def _styles(doc: Any) -> None:
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE_PITCH
    normal.paragraph_format.space_after = Pt(0)
    _para_style(doc, "Banli Title", font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, pitch=Pt(36))
    _para_style(doc, "Banli DocNo", align=WD_ALIGN_PARAGRAPH.RIGHT)
    body = _para_style(doc, "Banli Body", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=2)
    body.paragraph_format.widow_control = True
    _para_style(doc, "Banli Flush", align=WD_ALIGN_PARAGRAPH.LEFT)
    _para_style(doc, "Banli Right", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para_style(doc, "Banli Center", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para_style(doc, "Banli Note", size=12, pitch=Pt(20))
    _para_style(doc, "Banli Heading", font=HEADING_FONT, indent=2)
    _para_style(doc, "Banli Table Text", size=14, pitch=Pt(22))
    _para_style(doc, "Banli Signature", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    seal = _para_style(doc, "Banli Seal", size=10.5, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=6, pitch=Pt(16))
    seal.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def _page_number(paragraph: Any, align: Any, left: bool) -> None:
    """"— N —" with a PAGE field, 宋体 四号 (14pt), one character in from the outer edge."""
    paragraph.alignment = align
    if left:
        paragraph.paragraph_format.left_indent = Pt(14)
    else:
        paragraph.paragraph_format.right_indent = Pt(14)
    for text in ("— ", None, " —"):
        if text is None:
            fld = OxmlElement("w:fldSimple")
            fld.set(qn("w:instr"), "PAGE")
            run = paragraph.add_run("1")
            _fonts(run, PAGE_NO_FONT, 14)
            fld.append(run._r)
            paragraph._p.append(fld)
        else:
            run = paragraph.add_run(text)
            _fonts(run, PAGE_NO_FONT, 14)


def _section(doc: Any) -> None:
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin = Mm(37), Mm(35)
    s.left_margin, s.right_margin = Mm(28), Mm(26)
    s.header_distance, s.footer_distance = Mm(15), Mm(25)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(s.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT, left=False)
    _page_number(s.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT, left=True)


def _borders(table: Any) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "6")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    # CT_TblPr is a sequence: tblBorders comes before tblLayout, tblCellMar and tblLook.
    look = tbl_pr.find(qn("w:tblLook"))
    if look is None:
        tbl_pr.append(borders)
    else:
        look.addprevious(borders)


def _table(doc: Any) -> None:
    """A 3×3 scaffold: row loop, column loop with colspan, row loop end (docxtpl tr/tc tags)."""
    table = doc.add_table(rows=3, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    texts = [
        ["{%tr for row in b.rows %}", "", ""],
        # ``{{r }}``: a cell's text is a docxtpl RichText (whole runs, bold for header cells), which
        # replaces the template's run; ``{{ }}`` would paste those runs inside the run's <w:t>.
        ["{%tc for c in row %}", "{% colspan c.span %}{{r c.text }}", "{%tc endfor %}"],
        ["{%tr endfor %}", "", ""],
    ]
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.paragraphs[0].style = doc.styles["Banli Table Text"]
            cell.paragraphs[0].add_run(text)


def _p(doc: Any, text: str, style: str = "Normal") -> None:
    doc.add_paragraph(text, style=doc.styles[style])


def _block_loop(doc: Any, name: str) -> None:
    """A docxtpl loop over ``name`` (a list of blocks): tables, headings and the paragraph kinds."""
    _p(doc, f"{{%p for b in {name} %}}")
    _p(doc, '{%p if b.kind == "table" %}')
    _table(doc)
    for kind, style in (("heading", "Banli Heading"), ("flush", "Banli Flush"), ("right", "Banli Right"),
                        ("center", "Banli Center"), ("note", "Banli Note")):
        _p(doc, f'{{%p elif b.kind == "{kind}" %}}')
        _p(doc, "{{ b.text }}", style)
    _p(doc, "{%p else %}")
    _p(doc, "{{ b.text }}", "Banli Body")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endfor %}")


def build(out: Path = OUT) -> Path:
    """Write the letter template to ``out``."""
    doc = Document()
    _styles(doc)
    _section(doc)
    doc.core_properties.title = "{{ heading }}"
    doc.core_properties.author = "banli"
    doc.core_properties.comments = "generated by tools/build_docx_templates.py"
    _p(doc, "{{ heading_text }}", "Banli Title")
    _p(doc, "{%p if doc_no %}")
    _p(doc, "{{ doc_no }}", "Banli DocNo")
    _p(doc, "{%p endif %}")
    _block_loop(doc, "blocks")
    _p(doc, "{%p if signed %}")
    _p(doc, "")
    _p(doc, "{{ agency.name }}", "Banli Signature")
    _p(doc, "{{ issued_date|cn_date }}", "Banli Signature")
    _p(doc, "（印章）", "Banli Seal")
    _p(doc, "{%p endif %}")
    # What follows the signature (a reply slip to cut off and return) starts on a page of its own.
    _p(doc, "{%p if appendix_blocks %}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _block_loop(doc, "appendix_blocks")
    _p(doc, "{%p endif %}")
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


if __name__ == "__main__":  # pragma: no cover
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
