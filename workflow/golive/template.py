"""The go-live import template (.xlsx) and the column table of docs/going-live.md, both made from
``workflow.golive.columns`` so that the file, the template and the documentation say the same."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from states.decisions import CATEGORY_LABELS, DETAIL_LABELS, REASONS, Category
from workflow.golive.columns import COLUMNS

DATA_SHEET = "申请"
EXAMPLE_ROWS: tuple[dict[str, str], ...] = (
    {"source_no": "2025-依申-017", "received_at": "2025-03-03 09:30", "channel": "当面提交", "applicant_type": "自然人",
     "applicant_name": "张三", "id_number": "11010519491231002X", "phone": "13800138000",
     "description": "2024年本县农村道路建设项目的招标文件", "status": "已办结", "assignee": "lisi",
     "concluded_date": "2025-03-20", "decision": "可以公开，予以提供", "report_row": "3.1",
     "delivered_date": "2025-03-21", "delivery_method": "当面"},
    {"source_no": "2025-依申-018", "received_at": "2025-12-22", "channel": "互联网渠道", "confirmed_at": "2025-12-23",
     "applicant_type": "法人或者其他组织", "applicant_category": "商业企业", "applicant_name": "某某建设有限公司",
     "id_type": "统一社会信用代码", "id_number": "91350100M000100Y43", "email": "info@example.com",
     "obtain_way": "电子邮件", "form_wanted": "电子",
     "description": "某路段改造工程的竣工验收材料", "status": "待补正", "assignee": "lisi",
     "correction_date": "2025-12-26", "correction_items": "请明确所需信息的时间范围"},
)


def _header_font() -> Font:
    return Font(bold=True)


def workbook() -> openpyxl.Workbook:
    """The template: an empty data sheet with its headers, examples, instructions and the decision codes."""
    wb = openpyxl.Workbook()
    data = wb.active
    assert data is not None
    data.title = DATA_SHEET
    required_fill = PatternFill("solid", fgColor="FDE9D9")
    for i, c in enumerate(COLUMNS, start=1):
        cell = data.cell(row=1, column=i, value=c.header + ("*" if c.required == "是" else ""))
        cell.font = _header_font()
        if c.required == "是":
            cell.fill = required_fill
        data.column_dimensions[get_column_letter(i)].width = max(10, len(c.header) * 2 + 4)
        data.cell(row=1, column=i).number_format = "@"
    data.freeze_panes = "B2"
    examples = wb.create_sheet("示例")
    examples.append([c.header for c in COLUMNS])
    for ex in EXAMPLE_ROWS:
        examples.append([ex.get(c.key, "") for c in COLUMNS])
    guide = wb.create_sheet("填写说明")
    guide.append(["列名", "也可写作", "是否必填", "填写说明", "示例"])
    for c in COLUMNS:
        guide.append([c.header, "、".join(c.headers[1:]), c.required, c.meaning, c.example])
    guide.append([])
    guide.append(["说明", "", "", "第一个工作表“申请”为导入数据，每行一件申请；“示例”“填写说明”“代码表”不导入。"
                  "日期可写 2025-03-03、2025/3/3 或 2025年3月3日，时间可写到分钟。同一原编号只导入一次。"])
    codes = wb.create_sheet("代码表")
    codes.append(["处理结果（填写此列文字或代码）", "代码", "表三栏目", "答复说明须写明"])
    for r in REASONS:
        if r.category == Category.OTHER and r.code == "other":
            continue
        codes.append([r.label if r.category != Category.OTHER else _closure(r.code), f"{r.category}.{r.code}", r.row,
                      "、".join(DETAIL_LABELS.get(k, k) for k in r.required)])
    for ws in (guide, codes, examples):
        for cell in ws[1]:
            cell.font = _header_font()
        for col in ws.columns:
            letter = get_column_letter(col[0].column)
            ws.column_dimensions[letter].width = min(60, max(10, *(len(str(v.value or "")) * 2 for v in col)))
            for v in col:
                v.alignment = Alignment(wrap_text=True, vertical="top")
    return wb


def _closure(code: str) -> str:
    return {"withdrawn": "撤回", "correction_lapsed": "逾期未补正", "fee_unpaid": "逾期未缴费"}[code]


def write_template(path: Path) -> Path:
    workbook().save(path)
    return path


def template_bytes() -> bytes:
    buf = io.BytesIO()
    workbook().save(buf)
    return buf.getvalue()


def mapping_markdown() -> str:
    """The column table and the decision codes, as docs/going-live.md shows them (a test keeps them equal)."""
    lines = ["| 列名 | 也可写作 | 必填 | 填写说明 |", "|---|---|---|---|"]
    for c in COLUMNS:
        lines.append(f"| {c.header} | {'、'.join(c.headers[1:])} | {c.required} | {c.meaning} |")
    lines += ["", "| 处理结果 | 代码 | 表三栏目 | 答复说明须写明 |", "|---|---|---|---|"]
    for r in REASONS:
        if r.category == Category.OTHER and r.code == "other":
            continue
        label = r.label if r.category != Category.OTHER else _closure(r.code)
        lines.append(f"| {CATEGORY_LABELS[r.category]}：{label} | `{r.category}.{r.code}` | {r.row} | "
                     f"{'、'.join(DETAIL_LABELS.get(k, k) for k in r.required)} |")
    return "\n".join(lines) + "\n"
