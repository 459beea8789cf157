"""Reading the go-live import file: the first sheet of an .xlsx, or a .csv (UTF-8, or GB18030 as Excel saves a
Chinese .csv), as (row number, cells by column key). No DB, no clock."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workflow.golive.columns import BY_KEY, locate
from workflow.hotline.mapping import MappingError
from workflow.xlsx_reader import XlsxError, XlsxReader

Cells = dict[str, Any]  # column key → raw value
INSTRUCTION_SHEETS = ("示例", "填写说明", "代码表")  # the template's other sheets: never data


class ImportFileError(MappingError):
    """The file cannot be read at all (format, header row): a Chinese message for the person (a MappingError, as
    the 12345 import's, so the import jobs report it at the file field)."""


def blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def read_rows(path: Path) -> tuple[dict[str, str], Iterator[tuple[int, Cells]]]:
    """(column key → header as written, the data rows); ImportFileError when the file is unusable."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx(path)
    elif suffix == ".csv":
        rows = _csv(path)
    else:
        raise ImportFileError(f"不支持的文件类型“{path.suffix}”（支持 .xlsx、.csv）")
    first = next(rows, None)
    if first is None:
        raise ImportFileError("文件是空的：第一行应为表头")
    headers = first[1]
    found, missing = locate(headers)
    if missing:
        raise ImportFileError("文件缺少必需的列：" + "、".join(missing) + "（请使用导入模板）")
    written = {k: str(headers[i]).strip() for k, i in found.items()}

    def data() -> Iterator[tuple[int, Cells]]:
        for number, values in rows:
            if all(blank(v) for v in values):
                continue
            yield number, {k: values[i] if i < len(values) else None for k, i in found.items()}

    return written, data()


def _xlsx(path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
    try:
        book = XlsxReader(path)
    except XlsxError as exc:
        raise ImportFileError(f"无法读取Excel文件（{exc}）") from exc
    try:
        sheet = next((n for n in book.sheetnames if n not in INSTRUCTION_SHEETS), None)
        yield from book.rows(sheet)
    except XlsxError as exc:
        raise ImportFileError(f"无法读取Excel文件（{exc}）") from exc
    finally:
        book.close()


def _csv(path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # gb18030 decodes any byte string; kept for the type checker
        raise ImportFileError("无法识别文件编码（请另存为 UTF-8 的 CSV）")
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            yield number, tuple(row)
    except csv.Error as exc:  # e.g. a cell over the csv module's field limit (131,072 characters)
        raise ImportFileError(f"CSV文件第{number + 1}行附近无法读取（某一格内容过长或格式不正确），请检查后重新导入"
                              ) from exc


def header_of(written: dict[str, str], key: str) -> str:
    """The column as the person wrote it (or as the template names it, when the file has no such column)."""
    return written.get(key, BY_KEY[key].header)
