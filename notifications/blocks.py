"""A notice body (an HTML fragment) as blocks: paragraphs, headings and tables, for DOCX and plain text.

The body templates use a small, checked subset of HTML so the same wording can be laid out in Word:
``<p>`` (classes ``flush``, ``right``, ``center``, ``note``), ``<h3>``, ``<table>/<tr>/<th>/<td colspan>``,
``<colgroup>/<col style="width: N%">`` (a form's fixed column widths, used by the PDF and the DOCX alike),
``<br>`` and the inline tags ``strong b em span u i a``. Anything else is a template error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

PARAGRAPH_CLASSES = ("flush", "right", "center", "note")
_INLINE = frozenset({"strong", "b", "em", "span", "u", "i", "a"})
_TRANSPARENT = frozenset({"div", "section", "tbody", "thead", "colgroup"})
_WS = re.compile(r"[ \t\r\n\f]+")
_COL_WIDTH = re.compile(r"^\s*width\s*:\s*(\d+(?:\.\d+)?)%\s*;?\s*$")


class FragmentError(ValueError):
    """The body fragment uses markup outside the supported subset."""


@dataclass
class Cell:
    text: str = ""
    span: int = 1
    header: bool = False


@dataclass
class Block:
    """``kind`` is p | flush | right | center | note | heading | table."""

    kind: str
    text: str = ""
    rows: list[list[Cell]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # a table's column shares (``<col>``), summing to 1
    classes: tuple[str, ...] = ()  # a table's classes (``dense``: set in 小四 like the PDF)

    @property
    def columns(self) -> int:
        return max((sum(c.span for c in row) for row in self.rows), default=0)

    @property
    def plain(self) -> str:
        """The block as plain text (tables: ``label：value`` for pairs, cells joined by two spaces)."""
        if self.kind != "table":
            indent = "　　" if self.kind == "p" else ""
            return indent + self.text
        lines = []
        for row in self.rows:
            texts = [c.text.replace("\n", " ") for c in row]
            if [c.header for c in row] == [True, False] * (len(row) // 2) and row:
                pairs = [f"{texts[i]}：{texts[i + 1]}" for i in range(0, len(texts), 2)]
                lines.append("；".join(pairs))
            else:
                lines.append(" | ".join(texts))
        return "\n".join(lines)


def _clean(parts: list[str]) -> str:
    text = _WS.sub(" ", "".join(parts))
    return "\n".join(line.strip() for line in text.replace("\x00", "\n").split("\n")).strip()


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buf: list[str] | None = None
        self.kind = ""
        self.table: Block | None = None
        self.cell: Cell | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in _INLINE or tag in _TRANSPARENT:
            return
        if tag == "br":
            if self.buf is None:
                raise FragmentError("<br> outside a paragraph or cell")
            self.buf.append("\x00")
        elif tag in ("p", "h2", "h3", "h4"):
            if self.buf is not None:
                raise FragmentError(f"<{tag}> inside another block")
            cls = (a.get("class") or "").strip()
            if tag != "p":
                self.kind = "heading"
            elif cls in PARAGRAPH_CLASSES:
                self.kind = cls
            elif cls == "":
                self.kind = "p"
            else:
                raise FragmentError(f"unsupported paragraph class {cls!r}")
            self.buf = []
        elif tag == "table":
            self.table = Block("table", classes=tuple((a.get("class") or "").split()))
        elif tag == "col":
            m = _COL_WIDTH.match(a.get("style") or "")
            if self.table is None or self.table.rows or m is None:
                raise FragmentError('<col> needs style="width: N%" and belongs before the table\'s rows')
            self.table.widths.append(float(m.group(1)) / 100)
        elif tag == "tr":
            if self.table is None:
                raise FragmentError("<tr> outside <table>")
            self.table.rows.append([])
        elif tag in ("td", "th"):
            if self.table is None or not self.table.rows:
                raise FragmentError(f"<{tag}> outside <tr>")
            self.cell = Cell(span=int(a.get("colspan") or 1), header=tag == "th")
            self.buf = []
        else:
            raise FragmentError(f"unsupported tag <{tag}> in a notice body")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "h2", "h3", "h4") and self.buf is not None and self.cell is None:
            self.blocks.append(Block(self.kind, _clean(self.buf)))
            self.buf = None
        elif tag in ("td", "th") and self.cell is not None and self.table is not None:
            self.cell.text = _clean(self.buf or [])
            self.table.rows[-1].append(self.cell)
            self.cell, self.buf = None, None
        elif tag == "table" and self.table is not None:
            _pad(self.table)
            _check_widths(self.table)
            self.blocks.append(self.table)
            self.table = None

    def handle_data(self, data: str) -> None:
        if self.buf is not None:
            self.buf.append(data)
        elif data.strip():
            raise FragmentError(f"text outside a paragraph: {data.strip()[:40]!r}")


def _pad(table: Block) -> None:
    """Widen the last cell of short rows so every row spans the full grid (DOCX needs a regular grid)."""
    width = table.columns
    for row in table.rows:
        short = width - sum(c.span for c in row)
        if short > 0 and row:
            row[-1].span += short


def _check_widths(table: Block) -> None:
    if table.widths and (len(table.widths) != table.columns or abs(sum(table.widths) - 1) > 0.005):
        raise FragmentError(f"<col> widths {table.widths} do not cover the table's {table.columns} columns")


def parse_fragment(html: str) -> list[Block]:
    """Parse a rendered body fragment into blocks; FragmentError on unsupported markup."""
    p = _Parser()
    p.feed(html)
    p.close()
    if p.buf is not None or p.table is not None:
        raise FragmentError("unclosed paragraph or table in a notice body")
    return p.blocks
