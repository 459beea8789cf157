"""Annual report outputs: HTML (Jinja2), XLSX (openpyxl), DOCX (python-docx) and JSON.

All three document formats place the cells of ``states.annual_report_grid``, so the merged layout
is the same everywhere. Templates live in ``workflow/reports/templates/``.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from states.annual_report import FEE_NOTE, PENDING, AnnualReport, Check
from states.annual_report_grid import Grid, table2_grid, table3_grid, table4_grid
from workflow.xlsx_text import append_text_safe, text_safe_cell

OutputFormat = Literal["json", "html", "xlsx", "docx"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = get_args(OutputFormat)
TEMPLATES_DIR = Path(str(resources.files("workflow.reports") / "templates"))
FONT = "仿宋_GB2312"  # the official face; Word/WPS fall back when it is missing
FORMAT_LABELS = {
    "2021": "2021年版（国办公开办函〔2021〕30号）",
    "2019": "2019年版（国办公开办函〔2019〕60号，试行）",
}
SECTIONS = {
    "2": "二、主动公开政府信息情况",
    "3": "三、收到和处理政府信息公开申请情况",
    "4": "四、政府信息公开行政复议、行政诉讼情况",
}
NARRATIVE = {"1": "一、总体情况", "5": "五、存在的主要问题及改进情况", "6": "六、其他需要报告的事项"}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def title(report: AnnualReport) -> str:
    return f"{report.agency_name}{report.year}年政府信息公开工作年度报告（统计表）"


def fee_sentence(report: AnnualReport) -> str:
    """The sentence agencies commonly put in section 六 about information-processing fees."""
    return (f"依据《政府信息公开信息处理费管理办法》规定，{report.year}年共收取信息处理费"
            f"{report.table2.fee_yuan}元（{report.table2.fee_wan}万元）。")


def grids(report: AnnualReport) -> dict[str, Grid]:
    return {"2": table2_grid(report.table2), "3": table3_grid(report.table3), "4": table4_grid(report.table4)}


def render_json(report: AnnualReport) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


def render_html(report: AnnualReport) -> str:
    g = grids(report)
    return _env.get_template("annual.html").render(
        title=title(report), year=report.year, data_as_of=report.data_as_of, format_label=FORMAT_LABELS[report.fmt], pending=PENDING,
        table2=g["2"], table3=g["3"], table4=g["4"], checks=report.checks, fee_note=FEE_NOTE,
        fee_sentence=fee_sentence(report),
    )


# --- XLSX ------------------------------------------------------------------------------------------
def render_xlsx(report: AnnualReport) -> bytes:
    """One sheet per table (merged cells as in the HTML) and one with the check results."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    wb.remove(wb.active)
    names = {"2": "表二 主动公开", "3": "表三 申请办理", "4": "表四 复议诉讼"}
    for key, grid in grids(report).items():
        ws = wb.create_sheet(names[key])
        text_safe_cell(ws, 1, 1, f"{title(report)}　{SECTIONS[key]}").font = Font(name=FONT, bold=True, size=12)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=grid.n_cols)
        top = 2  # grid row 0 is sheet row 2
        for c in grid.cells:
            value: Any = c.value if c.value is not None else c.text
            cell = text_safe_cell(ws, top + c.row, 1 + c.col, value)
            if isinstance(c.value, Decimal):
                cell.number_format = "0.0000"
            cell.font = Font(name=FONT, bold=c.kind in ("header", "note"), color="AA0000" if c.kind == "pending" else None)
            cell.alignment = Alignment(horizontal="left" if c.kind == "label" and c.col > 0 else "center",
                                       vertical="center", wrap_text=True)
            if c.rowspan > 1 or c.colspan > 1:
                ws.merge_cells(start_row=top + c.row, start_column=1 + c.col,
                               end_row=top + c.last_row, end_column=1 + c.last_col)
        for r in range(top, top + grid.n_rows):
            for k in range(1, grid.n_cols + 1):
                ws.cell(r, k).border = border
        for k in range(1, grid.n_cols + 1):
            ws.column_dimensions[get_column_letter(k)].width = 14
        if key == "3":
            ws.column_dimensions["C"].width = 40
    _checks_sheet(wb.create_sheet("校验"), report.checks, Font(name=FONT, bold=True))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _checks_sheet(ws: Any, checks: list[Check], bold: Any) -> None:
    append_text_safe(ws, ["校验规则", "列", "左边", "右边", "结果"])
    for cell in ws[1]:
        cell.font = bold
    for c in checks:
        append_text_safe(ws, [c.name_zh, c.column, c.lhs, c.rhs, "通过" if c.ok else "不通过"])
    ws.column_dimensions["A"].width = 60


# --- DOCX ------------------------------------------------------------------------------------------
def _east_asian(run_or_style: Any) -> None:
    """Set the Latin and the east-Asian font (``w:eastAsia``; ``font.name`` alone sets only Latin)."""
    from docx.oxml.ns import qn

    run_or_style.font.name = FONT
    rpr = run_or_style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def render_docx(report: AnnualReport) -> bytes:
    """A landscape A4 document: the narrative sections marked 待填报 and tables 二–四 with merged cells."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for m in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, m, Mm(15))
    normal = doc.styles["Normal"]
    _east_asian(normal)
    normal.font.size = Pt(10.5)

    def para(text: str, *, bold: bool = False, size: float | None = None) -> None:
        run = doc.add_paragraph().add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        _east_asian(run)

    para(title(report), bold=True, size=16)
    para(f"报表格式：{FORMAT_LABELS[report.fmt]}。标注“{PENDING}”的内容由填报人补充。")
    g = grids(report)
    for key in ("1", "2", "3", "4", "5", "6"):
        if key in NARRATIVE:
            para(NARRATIVE[key], bold=True, size=12)
            if key == "6":
                para(fee_sentence(report))
            para(PENDING)
            continue
        para(SECTIONS[key], bold=True, size=12)
        grid = g[key]
        table = doc.add_table(rows=grid.n_rows, cols=grid.n_cols)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for c in grid.cells:
            cell = table.cell(c.row, c.col)
            if c.rowspan > 1 or c.colspan > 1:
                cell = cell.merge(table.cell(c.last_row, c.last_col))
            run = cell.paragraphs[0].add_run(c.text)
            run.bold = c.kind in ("header", "note")
            _east_asian(run)
        if key == "2":
            para(FEE_NOTE)
    para("校验", bold=True, size=12)
    checks = report.checks
    table = doc.add_table(rows=1 + len(checks), cols=5)
    table.style = "Table Grid"
    for i, text in enumerate(("校验规则", "列", "左边", "右边", "结果")):
        table.cell(0, i).text = text
    for r, chk in enumerate(checks, 1):
        for i, text in enumerate((chk.name_zh, chk.column, str(chk.lhs), str(chk.rhs), "通过" if chk.ok else "不通过")):
            table.cell(r, i).text = text
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render(report: AnnualReport, output: OutputFormat) -> bytes:
    """The report in ``output`` format as bytes (UTF-8 for the text formats)."""
    if output == "json":
        return render_json(report).encode()
    if output == "html":
        return render_html(report).encode()
    if output == "xlsx":
        return render_xlsx(report)
    if output == "docx":
        return render_docx(report)
    raise ValueError(f"output format must be one of {OUTPUT_FORMATS}, not {output!r}")
