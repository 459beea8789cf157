"""Write handling results for upload to the 12345 platform: .xlsx (Chinese headers) or JSON Lines.

Each row is a mapping with the keys of ``EXPORT_COLUMNS``. Datetimes must be aware: Excel gets them in
Asia/Shanghai without tzinfo (openpyxl refuses aware datetimes), JSON Lines as ISO 8601 with +08:00.
Text that looks like a formula is written as text, so a caller's "=HYPERLINK(…)" stays harmless.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, BinaryIO, Literal
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from workflow.xlsx_text import text_cell

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXPORT_COLUMNS: tuple[tuple[str, str, int], ...] = (  # key, header, column width
    ("order_no", "工单编号", 22),
    ("result", "办理结果", 12),
    ("reply_text", "答复内容", 60),
    ("replied_at", "答复时间", 20),
    ("handler", "办理人", 12),
    ("attachments", "附件", 30),
)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r} in export: pass aware datetimes")
    return value.astimezone(tz)


def write_export(rows: Iterable[Mapping[str, Any]], fmt: Literal["xlsx", "jsonl"], out: BinaryIO,
                 tz: ZoneInfo = SHANGHAI) -> int:
    """Stream ``rows`` to ``out`` in ``fmt``; returns the number of rows written."""
    if fmt == "xlsx":
        return _write_xlsx(rows, out, tz)
    if fmt == "jsonl":
        return _write_jsonl(rows, out, tz)
    raise ValueError(f"unknown export format {fmt!r} (xlsx or jsonl)")


def _write_jsonl(rows: Iterable[Mapping[str, Any]], out: BinaryIO, tz: ZoneInfo) -> int:
    n = 0
    for row in rows:
        obj: dict[str, Any] = {}
        for key, _, _ in EXPORT_COLUMNS:
            v = row.get(key)
            if isinstance(v, datetime):
                v = _local(v, tz).isoformat()
            elif key == "attachments":
                v = list(v or [])
            obj[key] = "" if v is None else v
        out.write((json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8"))
        n += 1
    return n


def _cell(ws: WriteOnlyWorksheet, value: Any, tz: ZoneInfo) -> WriteOnlyCell:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, _local(value, tz).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, list | tuple):
        value = "；".join(str(v) for v in value)
    return text_cell(ws, value)  # never a formula, whatever the text starts with


def _write_xlsx(rows: Iterable[Mapping[str, Any]], out: BinaryIO, tz: ZoneInfo) -> int:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("办理结果")
    for i, (_, _, width) in enumerate(EXPORT_COLUMNS):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width = width
    ws.append([header for _, header, _ in EXPORT_COLUMNS])
    n = 0
    try:
        for row in rows:
            ws.append([_cell(ws, row.get(key), tz) for key, _, _ in EXPORT_COLUMNS])
            n += 1
    except BaseException:
        ws.close()  # finish openpyxl's streaming writer (its temp file) before the error propagates
        raise
    wb.save(out)
    return n
