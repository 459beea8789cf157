"""Rows appended to an openpyxl sheet with every string a plain text cell: a name or category that begins with "="
(a unit, an officer, an agency, a 12345 category from the platform's file) is shown as written, never run as a
formula when a leader opens the workbook; ``text_cell`` does the same for a write-only sheet's cell (the 12345
export, the import's problem list)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def append_text_safe(ws: Any, values: Sequence[Any]) -> None:
    """``ws.append(values)``; each string kept as text (characters Excel cannot hold removed)."""
    ws.append([_clean(v) for v in values])
    for cell in ws[ws.max_row]:
        _as_text(cell)


def text_safe_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """``ws.cell(row, column, value)``, a string kept as text."""
    return _as_text(ws.cell(row, column, _clean(value)))


def text_cell(ws: Any, value: Any) -> WriteOnlyCell:
    """A write-only sheet's cell holding ``value`` as text (None: empty)."""
    cell = WriteOnlyCell(ws, _clean("" if value is None else str(value)))
    cell.data_type = "s"
    return cell


def _clean(value: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _as_text(cell: Any) -> Any:
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


__all__ = ["append_text_safe", "text_cell", "text_safe_cell"]
