"""A fast streaming reader for the first (or a named) sheet of an .xlsx file: values only.

openpyxl's read-only mode builds a cell object per value and spends ~0.23 ms on a 13-column row; a
100,000-row 12345 export then takes longer to read than to import. This reader walks the sheet XML
with ``xml.etree.ElementTree.iterparse`` (C accelerated) and returns what openpyxl's
``iter_rows(values_only=True)`` returns for the cell types platforms write: shared and inline strings
(rich-text runs joined, phonetic runs left out), numbers (int when integral), booleans, error codes
as text, cached formula results, ISO dates (``t="d"``) and date-formatted numbers as ``datetime``
(1900 and 1904 date systems, via openpyxl's own date-format test). Row numbers come from the file.
"""

from __future__ import annotations

import os
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# What a workbook may unpack to (the sizes its directory declares; zipfile reads no member past its declared size): a
# 100,000-row 12345 export unpacks to ~100 MB. The shared strings are held in memory while the sheet is read.
MAX_UNPACKED = 2 * 1024**3
MAX_SHARED_STRINGS = 512 * 1024**2


class XlsxError(ValueError):
    """The file is not a readable workbook, or the sheet does not exist (Chinese message)."""


# What a damaged or hand-made workbook raises while it is read (bad XML, a bad number or string index, a damaged
# deflate stream or CRC) — ValueError covers int()/float() on a bad value and datetime.fromisoformat.
_BROKEN = (ParseError, ValueError, IndexError, zipfile.BadZipFile, zlib.error, EOFError, OSError)


def _text(el: Element) -> str:
    """The text of a string item: plain ``<t>`` or rich-text runs, without phonetic (``rPh``) runs."""
    t = el.find(NS + "t")
    if t is not None:
        return t.text or ""
    return "".join(r.findtext(NS + "t") or "" for r in el.findall(NS + "r"))


def _shared_strings(z: zipfile.ZipFile, path: str | None) -> list[str]:
    if path is None or path not in z.namelist():
        return []
    out: list[str] = []
    with z.open(path) as fh:
        for _, el in iterparse(fh, ("end",)):
            if el.tag == NS + "si":
                out.append(_text(el))
                el.clear()
    return out


def _date_styles(z: zipfile.ZipFile, path: str | None) -> frozenset[int]:
    """Indexes of cell styles whose number format shows a date or time."""
    if path is None or path not in z.namelist():
        return frozenset()
    custom: dict[int, str] = {}
    xfs: list[int] = []
    with z.open(path) as fh:
        for _, el in iterparse(fh, ("end",)):
            if el.tag == NS + "numFmt":
                custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
            elif el.tag == NS + "cellXfs":
                xfs = [int(xf.get("numFmtId", "0")) for xf in el.findall(NS + "xf")]
    codes = {**BUILTIN_FORMATS, **custom}
    return frozenset(i for i, fid in enumerate(xfs) if is_date_format(codes.get(fid, "General")))


def _targets(z: zipfile.ZipFile, rels_path: str, base: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type suffix, part path) from a .rels part."""
    out: dict[str, tuple[str, str]] = {}
    if rels_path not in z.namelist():
        return out
    with z.open(rels_path) as fh:
        for _, el in iterparse(fh, ("end",)):
            if el.tag == PKG_REL_NS + "Relationship":
                target = el.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
                out[el.get("Id", "")] = (el.get("Type", "").rsplit("/", 1)[-1], part)
    return out


def _col(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


def _number(v: str) -> int | float:
    """As openpyxl reads a number: float when written with a point or an exponent, else int."""
    return float(v) if ("." in v or "E" in v or "e" in v) else int(v)


def _check_sizes(z: zipfile.ZipFile, shared_strings: str | None = None) -> None:
    """XlsxError when the workbook would unpack to more than this reader takes (a "zip bomb" is refused before its
    parts are unpacked)."""
    sizes = {i.filename: i.file_size for i in z.infolist()}
    if sum(sizes.values()) > MAX_UNPACKED or sizes.get(shared_strings or "", 0) > MAX_SHARED_STRINGS:
        raise XlsxError(f"Excel文件解压后过大（不超过{MAX_UNPACKED // 1024**3}GB，其中文字内容不超过"
                        f"{MAX_SHARED_STRINGS // 1024**2}MB），请拆分为多个文件后导入")


class XlsxReader:
    """Open a workbook, list its sheets, stream one sheet's rows as (row number, values)."""

    def __init__(self, path: str | os.PathLike[str] | IO[bytes]) -> None:
        self._zip: zipfile.ZipFile | None = None
        try:
            self._zip = zipfile.ZipFile(path)
            rels = _targets(self._zip, "xl/_rels/workbook.xml.rels", "xl")
            by_type = {kind: part for kind, part in rels.values()}
            _check_sizes(self._zip, by_type.get("sharedStrings"))
            with self._zip.open("xl/workbook.xml") as fh:
                root_sheets: list[tuple[str, str]] = []
                self._epoch = WINDOWS_EPOCH
                for _, el in iterparse(fh, ("end",)):
                    if el.tag == NS + "sheet":
                        root_sheets.append((el.get("name", ""), el.get(REL_NS + "id", "")))
                    elif el.tag == NS + "workbookPr" and el.get("date1904") in ("1", "true"):
                        self._epoch = MAC_EPOCH
            self.sheets = [(name, rels.get(rid, ("", ""))[1]) for name, rid in root_sheets]
            self._strings = _shared_strings(self._zip, by_type.get("sharedStrings"))
            self._dates = _date_styles(self._zip, by_type.get("styles"))
        except XlsxError:
            self.close()
            raise
        except (*_BROKEN, KeyError) as exc:
            self.close()
            raise XlsxError("不是有效的Excel文件（请确认是用Excel保存的 .xlsx 文件）") from exc

    @property
    def sheetnames(self) -> list[str]:
        return [name for name, _ in self.sheets]

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def rows(self, sheet: str | None = None, min_row: int = 1) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number, values) for each non-empty row at or after ``min_row`` of the sheet (default: first)."""
        match = [part for name, part in self.sheets if sheet is None or name == sheet]
        assert self._zip is not None
        if not match or match[0] not in self._zip.namelist():
            raise XlsxError(f"工作表“{sheet}”不存在（现有：{'、'.join(self.sheetnames)}）")
        at = 1  # the row being read
        try:
            with self._zip.open(match[0]) as fh:
                for _, el in iterparse(fh, ("end",)):
                    if el.tag != NS + "row":
                        continue
                    number = at = int(el.get("r") or at)
                    values = self._values(el) if number >= min_row else None
                    at = number + 1
                    if values is not None:
                        yield number, values
                    el.clear()
        except _BROKEN as exc:  # the file's own fault: said plainly, with where it stopped
            raise XlsxError(f"Excel文件已损坏或格式不正确，读到第{at}行附近无法继续") from exc

    def _values(self, row: Element) -> tuple[Any, ...]:
        values: list[Any] = []
        for c in row.iter(NS + "c"):
            ref = c.get("r")
            i = _col(ref) if ref else len(values)
            if i > len(values):
                values.extend([None] * (i - len(values)))
            values.append(self._cell(c))
        return tuple(values)

    def _cell(self, c: Element) -> Any:
        t = c.get("t", "n")
        if t == "inlineStr":
            el = c.find(NS + "is")
            return _text(el) if el is not None else ""
        v = c.findtext(NS + "v")
        if v is None or (v == "" and t != "str"):  # a formula without a cached result
            return None
        if t == "s":
            return self._strings[int(v)]
        if t in ("str", "e"):
            return v
        if t == "b":
            return v == "1"
        if t == "d":
            return datetime.fromisoformat(v)
        n = _number(v)
        if self._dates and int(c.get("s", "0")) in self._dates:
            try:
                return from_excel(n, self._epoch)
            except (ValueError, OverflowError):  # no date Excel can show (1e20 as a date): the row's check says so
                return n
        return n
