"""Outputs: HTML (parsed), XLSX and DOCX (read back), JSON shape — for both formats."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

import pytest
from docx import Document
from openpyxl import load_workbook

from states.annual_report import COLUMN_LABELS, NOTE_CELL, ROWS, AnnualReport, Table2, Table3, Table4
from states.annual_report_grid import table3_grid
from tests.report import scripted as s
from workflow.reports.render import render, render_html, render_json

EXPECTED_2019 = {k: v for k, v in s.EXPECTED_2021.items() if not k.startswith("3.6")} | {"3.6": s.EXPECTED_2019_OTHER}


def _report(fmt: str = "2021", name: str = "某县某局") -> AnnualReport:
    expected = s.EXPECTED_2021 if fmt == "2021" else EXPECTED_2019
    t3 = Table3(fmt, {k: tuple(v) for k, v in expected.items()})  # type: ignore[arg-type]
    return AnnualReport(2026, fmt, name, Table2(fmt, 450), t3, Table4(tuple(s.EXPECTED_TABLE4)))  # type: ignore[arg-type]


class _Tables(HTMLParser):
    """Collects every table as rows of (tag, text, rowspan, colspan)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, str, int, int]]]] = {}
        self._cell: list | None = None
        self._table: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = [tag, "", int(a.get("rowspan", 1)), int(a.get("colspan", 1))]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(tuple(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None


def _parse(html: str):
    p = _Tables()
    p.feed(html)
    return p.tables


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_html_layout_labels_and_values(fmt):
    tables = _parse(render_html(_report(fmt)))
    t3 = tables["table3"]
    assert t3[0][0] == ("th", NOTE_CELL, 3, 3)
    assert t3[0][1] == ("th", "申请人情况", 1, 7)
    assert t3[1] == [("th", "自然人", 2, 1), ("th", "法人或其他组织", 1, 5), ("th", "总计", 2, 1)]
    assert [c[1] for c in t3[2]] == list(COLUMN_LABELS[1:6])
    body = t3[3:]
    rows = ROWS[fmt]  # type: ignore[index]
    assert len(body) == len(rows)
    expected = s.EXPECTED_2021 if fmt == "2021" else EXPECTED_2019
    for tr, rd in zip(body, rows, strict=True):
        labels = [c for c in tr if c[0] == "th"]
        assert labels[-1][1] == rd.label
        assert [int(c[1]) for c in tr if c[0] == "td"] == expected[rd.key]
    spans = {c[1]: c[2:] for tr in body for c in tr if c[0] == "th"}
    assert spans["三、本年度办理结果"] == ((22, 1) if fmt == "2021" else (20, 1))
    assert spans["（三）不予公开"] == (8, 1)
    assert spans["（六）其他处理"] == ((3, 1) if fmt == "2021" else (1, 2))
    assert spans["3.危及“三安全一稳定”"] == (1, 1)
    assert spans["一、本年新收政府信息公开申请数量"] == (1, 3)
    t4 = tables["table4"]
    assert [c[1:] for c in t4[0]] == [("行政复议", 1, 5), ("行政诉讼", 1, 10)]
    assert len(t4[1]) == 7 and t4[1][5][1:] == ("未经复议直接起诉", 1, 5)
    assert [int(c[1]) for c in t4[3]] == s.EXPECTED_TABLE4
    t2 = [c[1] for tr in tables["table2"] for c in tr]
    if fmt == "2021":
        assert "0.0450" in t2 and t2.count("待填报") == 9
    else:
        assert "0.0450" not in t2 and "政府集中采购" in t2
    assert all(c[-1][1] == "通过" for c in tables["checks"][1:])


def test_html_escapes_agency_names():
    html = render_html(_report(name="张三 & <李四>局"))
    assert "张三 &amp; &lt;李四&gt;局" in html
    assert "<李四>" not in html


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_xlsx_merges_and_values(fmt):
    rep = _report(fmt)
    wb = load_workbook(io.BytesIO(render(rep, "xlsx")))
    ws = wb["表三 申请办理"]
    grid = table3_grid(rep.table3)
    expected = {f"{_col(c.col)}{c.row + 2}:{_col(c.last_col)}{c.last_row + 2}" for c in grid.merged()}
    expected.add(f"A1:{_col(grid.n_cols - 1)}1")  # the title row
    assert {str(r) for r in ws.merged_cells.ranges} == expected
    assert ws["A2"].value == NOTE_CELL
    assert ws["A7"].value == "三、本年度办理结果"
    rows = ROWS[fmt]  # type: ignore[index]
    values = s.EXPECTED_2021 if fmt == "2021" else EXPECTED_2019
    for i, rd in enumerate(rows):
        assert [ws.cell(5 + i, 4 + j).value for j in range(7)] == values[rd.key]
    t4 = wb["表四 复议诉讼"]
    assert [t4.cell(5, 1 + j).value for j in range(15)] == s.EXPECTED_TABLE4
    assert "A2:E2" in {str(r) for r in t4.merged_cells.ranges}
    t2 = wb["表二 主动公开"]
    fee = [c for row in t2.iter_rows() for c in row if c.number_format == "0.0000"]
    if fmt == "2021":
        assert len(fee) == 1 and float(fee[0].value) == 0.045
    assert wb["校验"].max_row == len(rep.checks) + 1


def _col(i: int) -> str:
    return "ABCDEFGHIJKLMNOP"[i]


def test_docx_tables_merged_and_fangsong():
    rep = _report("2021")
    doc = Document(io.BytesIO(render(rep, "docx")))
    t2, t3, t4, checks = doc.tables
    assert t3.cell(0, 0).text == NOTE_CELL and t3.cell(2, 2).text == NOTE_CELL  # merged 3×3
    assert t3.cell(0, 9).text == "申请人情况"
    for r in range(5, 27):
        assert t3.cell(r, 0).text == "三、本年度办理结果"
    assert t3.cell(7, 1).text == "（三）不予公开" and t3.cell(14, 1).text == "（三）不予公开"
    for i, rd in enumerate(ROWS["2021"]):
        assert [int(t3.cell(3 + i, 3 + j).text) for j in range(7)] == s.EXPECTED_2021[rd.key]
    assert [int(t4.cell(3, j).text) for j in range(15)] == s.EXPECTED_TABLE4
    assert t4.cell(0, 9).text == "行政诉讼"
    assert any(c.text == "0.0450" for row in t2.rows for c in row.cells)
    assert len(checks.rows) == len(rep.checks) + 1
    xml = doc.element.xml
    assert 'w:eastAsia="仿宋_GB2312"' in xml
    assert 'w:eastAsia="仿宋_GB2312"' in doc.styles["Normal"].element.xml


def test_json_shape():
    data = json.loads(render_json(_report("2021")))
    assert set(data) == {"year", "format", "table3", "table4", "table2", "checks"}
    assert data["year"] == 2026 and data["format"] == "2021"
    assert data["table3"]["columns"] == list(COLUMN_LABELS)
    assert len(data["table3"]["rows"]) == 25
    first = data["table3"]["rows"][0]
    assert first["label"] == "一、本年新收政府信息公开申请数量" and first["values"] == s.EXPECTED_2021["1"]
    assert all(len(r["values"]) == 7 and all(isinstance(v, int) for v in r["values"]) for r in data["table3"]["rows"])
    assert data["table4"] == s.EXPECTED_TABLE4
    assert data["table2"]["fee_collected_wan"] == "0.0450"
    fee_block = data["table2"]["blocks"][3]
    assert fee_block["rows"] == [{"label": "行政事业性收费", "values": ["0.0450"]}]
    assert data["table2"]["blocks"][0]["rows"][0]["values"] == [None, None, None]
    assert set(data["checks"][0]) == {"name", "column", "ok", "lhs", "rhs"}
    assert all(c["ok"] for c in data["checks"])
    assert len(json.loads(render_json(_report("2019")))["table3"]["rows"]) == 23


def test_data_as_of_is_never_after_the_day_the_report_is_made():
    from dataclasses import replace
    from datetime import date

    report = _report()
    assert "数据截至2026年12月31日" in render_html(report)  # a past year, or no production day given
    assert "数据截至2026年12月3日" in render_html(replace(report, as_of=date(2026, 12, 3)))
    assert "数据截至2026年12月31日" in render_html(replace(report, as_of=date(2027, 1, 20)))


def test_xlsx_keeps_an_agency_name_that_looks_like_a_formula_as_text():
    name = '=HYPERLINK("http://example.invalid","某局")'
    wb = load_workbook(io.BytesIO(render(_report(name=name), "xlsx")))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert wb["表三 申请办理"]["A1"].value.startswith(name)
