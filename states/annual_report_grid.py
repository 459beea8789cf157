"""The merged-cell layout of tables 二, 三 and 四 as a grid of cells (pure).

HTML, XLSX and DOCX renderers all place the same ``Cell``s, so their merges cannot drift apart.
Rows and columns are 0-based; a cell covers ``rowspan`` × ``colspan`` grid slots.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from states.annual_report import (
    APPLICANT_HEADER,
    CATEGORIES,
    CATEGORY_LABELS,
    INFO_CONTENT,
    NOTE_CELL,
    ORGANIZATION_HEADER,
    PENDING,
    REMEDY_KINDS,
    TABLE4_GROUP_LABELS,
    TABLE4_LITIGATION,
    TABLE4_RESULT_LABELS,
    TOTAL_LABEL,
    Table2,
    Table3,
    Table4,
)

CellKind = Literal["note", "header", "label", "value", "pending"]


@dataclass(frozen=True)
class Cell:
    """One (possibly merged) cell."""

    row: int
    col: int
    text: str
    kind: CellKind
    rowspan: int = 1
    colspan: int = 1
    value: int | Decimal | None = None  # the number of a value cell

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    @property
    def last_col(self) -> int:
        return self.col + self.colspan - 1


@dataclass(frozen=True)
class Grid:
    """A table: its size, how many leading rows are header rows, and its cells in reading order."""

    n_rows: int
    n_cols: int
    header_rows: int
    cells: tuple[Cell, ...]

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by their top row, each row left to right (the order HTML needs)."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out

    def merged(self) -> list[Cell]:
        return [c for c in self.cells if c.rowspan > 1 or c.colspan > 1]


def _num(row: int, col: int, v: int) -> Cell:
    return Cell(row, col, str(v), "value", value=v)


def table3_grid(t: Table3) -> Grid:
    """Table 三 with its 3 label columns, 3 header rows and nested rowspans (rules.md §3.3)."""
    cells = [
        Cell(0, 0, NOTE_CELL, "note", rowspan=3, colspan=3),
        Cell(0, 3, APPLICANT_HEADER, "header", colspan=7),
        Cell(1, 3, CATEGORY_LABELS[CATEGORIES[0]], "header", rowspan=2),
        Cell(1, 4, ORGANIZATION_HEADER, "header", colspan=5),
        Cell(1, 9, TOTAL_LABEL, "header", rowspan=2),
        *(Cell(2, 4 + i, CATEGORY_LABELS[c], "header") for i, c in enumerate(CATEGORIES[1:])),
    ]
    rows = t.rows
    top = 3
    for i, rd in enumerate(rows):
        r = top + i
        depth = len(rd.path)
        for level, text in enumerate(rd.path):
            first_of_group = i == 0 or rows[i - 1].path[: level + 1] != rd.path[: level + 1]
            if not first_of_group:
                continue  # covered by the rowspan of the group's first row
            span = sum(1 for other in rows[i:] if other.path[: level + 1] == rd.path[: level + 1])
            # rows of a group are contiguous, so counting from here counts exactly the group
            colspan = 3 - level if level == depth - 1 else 1
            cells.append(Cell(r, level, text, "label", rowspan=span if level < depth - 1 else 1, colspan=colspan))
        cells.extend(_num(r, 3 + j, v) for j, v in enumerate(t.values[rd.key]))
    return Grid(top + len(rows), 10, top, tuple(cells))


def table4_grid(t: Table4) -> Grid:
    """Table 四: 15 columns, 3 header rows (rules.md §3.4) and one data row."""
    cells = [
        Cell(0, 0, TABLE4_GROUP_LABELS["reconsideration"], "header", colspan=5),
        Cell(0, 5, TABLE4_LITIGATION, "header", colspan=10),
        *(Cell(1, i, label, "header", rowspan=2) for i, label in enumerate(TABLE4_RESULT_LABELS)),
    ]
    for g, kind in enumerate(REMEDY_KINDS[1:], 1):
        cells.append(Cell(1, g * 5, TABLE4_GROUP_LABELS[kind], "header", colspan=5))
        cells.extend(Cell(2, g * 5 + i, label, "header") for i, label in enumerate(TABLE4_RESULT_LABELS))
    cells.extend(_num(3, i, v) for i, v in enumerate(t.values))
    return Grid(4, 15, 3, tuple(cells))


def table2_grid(t: Table2) -> Grid:
    """Table 二: per block a title row, a column-header row and its rows; unknown cells say 待填报."""
    width = 1 + max(len(b.columns) for b in t.blocks)
    cells: list[Cell] = []
    r = 0
    for b in t.blocks:
        cells.append(Cell(r, 0, b.item, "header", colspan=width))
        r += 1
        spans = _spread(len(b.columns), width - 1)
        cells.append(Cell(r, 0, INFO_CONTENT, "header"))
        col = 1
        for label, span in zip(b.columns, spans, strict=True):
            cells.append(Cell(r, col, label, "header", colspan=span))
            col += span
        r += 1
        for label in b.rows:
            cells.append(Cell(r, 0, label, "label"))
            col = 1
            for i, span in enumerate(spans):
                v = t.cell(b, label, i)
                cells.append(Cell(r, col, PENDING, "pending", colspan=span) if v is None
                             else Cell(r, col, str(v), "value", colspan=span, value=v))
                col += span
            r += 1
    return Grid(r, width, 0, tuple(cells))


def _spread(n: int, width: int) -> list[int]:
    """Split ``width`` columns among ``n`` cells, the last one taking the remainder."""
    base = width // n
    return [base] * (n - 1) + [width - base * (n - 1)]
