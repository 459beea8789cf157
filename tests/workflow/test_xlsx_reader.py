"""The fast .xlsx reader returns what openpyxl's read-only ``iter_rows(values_only=True)`` returns."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

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
