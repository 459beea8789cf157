"""The fast .xlsx reader returns what openpyxl's read-only ``iter_rows(values_only=True)`` returns."""

from __future__ import annotations

import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from workflow import xlsx_reader
from workflow.golive.source import ImportFileError, read_rows
from workflow.xlsx_reader import XlsxError, XlsxReader


def _openpyxl_rows(path, sheet=None):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def _trim(row):
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return tuple(row)


@pytest.mark.parametrize("write_only", [False, True])  # shared strings vs inline strings
def test_same_values_as_openpyxl(tmp_path, write_only):
    path = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet("工单") if write_only else wb.active
    if not write_only:
        ws.title = "工单"
    rows = [
        ["工单编号", "来电时间", "联系电话", "金额", "是否", "备注"],
        ["YN001", datetime(2026, 3, 2, 9, 15), 13987654321, 1.5, True, "=HYPERLINK(\"x\")"],
        ["YN002", date(2026, 3, 3), "013987654321", -2, False, None],
        [None, None, None, None, None, None],
        ["YN003", "2026/3/2 9:15", 1e20, 0, None, "阿诗玛 & <李> \"引号\""],
    ]
    for r in rows:
        ws.append(r)
    if not write_only:
        ws["F5"] = CellRichText([TextBlock(InlineFont(b=True), "加粗"), "普通"])
    wb.save(path)
    book = XlsxReader(path)
    mine = [(n, _trim(v)) for n, v in book.rows() if _trim(v)]
    book.close()
    theirs = [_trim(r) for r in _openpyxl_rows(path)]
    assert [v for _, v in mine] == [r for r in theirs if r]
    assert [n for n, _ in mine] == [1, 2, 3, 5]
    if not write_only:
        assert mine[-1][1][5] == "加粗普通"


def test_1904_dates_named_sheets_and_errors(tmp_path):
    path = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb.active.title = "说明"
    ws = wb.create_sheet("数据")
    ws.append(["时间"])
    ws.append([datetime(2026, 3, 2, 9, 15)])
    wb.save(path)
    book = XlsxReader(path)
    assert book.sheetnames == ["说明", "数据"]
    assert [v for _, v in book.rows("数据")] == [("时间",), (datetime(2026, 3, 2, 9, 15),)]
    with pytest.raises(XlsxError, match="不存在"):
        list(book.rows("没有"))
    book.close()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(XlsxError):
        XlsxReader(bad)


_WORKBOOK = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
             'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="工单" r:id="rId1"/></sheets>'
             '</workbook>')
_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
         'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
         'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _handmade(path, rows: str, strings: list[str]) -> None:
    """A workbook as a platform writes one: shared strings, one sheet of ``rows`` (the sheet XML's rows)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _RELS)
        z.writestr("xl/sharedStrings.xml", f"<sst {_NS}>" + "".join(f"<si><t>{t}</t></si>" for t in strings) + "</sst>")
        z.writestr("xl/worksheets/sheet1.xml", f"<worksheet {_NS}><sheetData>{rows}</sheetData></worksheet>")


def test_a_workbook_that_unpacks_too_large_is_refused_before_reading(tmp_path, monkeypatch):
    """The sizes the zip directory declares are checked first (zipfile reads no member past its declared size): a
    "zip bomb" is refused with a plain message instead of filling the memory."""
    path = tmp_path / "big.xlsx"
    _handmade(path, '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>7</v></c></row>', ["文字" * 500])
    with zipfile.ZipFile(path) as z:
        total = sum(i.file_size for i in z.infolist())
        strings = z.getinfo("xl/sharedStrings.xml").file_size
    assert list(XlsxReader(path).rows()) == [(1, ("文字" * 500, 7))]  # within the limits: read
    monkeypatch.setattr(xlsx_reader, "MAX_SHARED_STRINGS", strings - 1)
    with pytest.raises(XlsxError, match="解压后过大"):
        XlsxReader(path)
    monkeypatch.setattr(xlsx_reader, "MAX_SHARED_STRINGS", strings)
    monkeypatch.setattr(xlsx_reader, "MAX_UNPACKED", total - 1)
    with pytest.raises(XlsxError, match="请拆分为多个文件后导入"):
        XlsxReader(path)


@pytest.mark.parametrize("rows", [
    '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v>',  # cut off
    '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>9</v></c></row>',  # no such string
    '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>一</v></c></row>',  # not a number
])
def test_a_damaged_workbook_is_said_to_be_damaged(tmp_path, rows):
    path = tmp_path / "bad.xlsx"
    _handmade(path, rows, ["甲"])
    book = XlsxReader(path)
    with pytest.raises(XlsxError, match="已损坏或格式不正确，读到第2行附近"):
        list(book.rows())
    book.close()


def test_a_damaged_go_live_file_is_reported_as_such(tmp_path):
    path = tmp_path / "bad.xlsx"
    _handmade(path, '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>5</v></c></row>', ["原编号"])
    with pytest.raises(ImportFileError, match="已损坏或格式不正确"):
        read_rows(path)


def test_a_file_that_is_not_a_workbook_is_said_so_in_chinese(tmp_path):
    path = tmp_path / "not.xlsx"
    path.write_bytes(b"name,phone\n")
    with pytest.raises(XlsxError) as exc:
        XlsxReader(path)
    assert str(exc.value) == "不是有效的Excel文件（请确认是用Excel保存的 .xlsx 文件）"  # not the zip module's words
