"""The consolidated annual report of a supervising agency and the agencies below it (条例第五十条: departments
publish their own reports; the county government's office also compiles the county's), with each agency's
figures beside the total.

The total is counted in SQL over the whole set of agencies (``agency_id IN (…)``), independently of the parts,
so "the total equals the sum of the parts, cell by cell" is a check, not a construction. Read-only.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from datetime import date
from html import escape
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session

from states.agencies import tree_order
from states.annual_report import (
    COLUMN_LABELS,
    REMEDY_KINDS,
    TABLE4_GROUP_LABELS,
    TABLE4_RESULT_LABELS,
    AnnualReport,
    ReportFormat,
)
from workflow.agencies.registry import hierarchy
from workflow.reports.annual import annual_report
from workflow.reports.render import FONT, FORMAT_LABELS
from workflow.xlsx_text import append_text_safe


@dataclass(frozen=True)
class Line:
    """One cell of the statutory tables: where it is, each agency's figure and the total."""

    table: str  # 表二 / 表三 / 表四
    row: str
    column: str
    parts: tuple[int, ...]
    total: int

    @property
    def adds_up(self) -> bool:
        return sum(self.parts) == self.total


@dataclass(frozen=True)
class Consolidated:
    name: str  # "某县人民政府（含下级机关）"
    year: int
    fmt: ReportFormat
    total: AnnualReport
    parts: tuple[AnnualReport, ...]  # the supervising agency first, then those below it in tree order

    def lines(self) -> list[Line]:
        """Every countable cell: table 三 (row × seven columns), table 四 (fifteen) and the fees of table 二."""
        out: list[Line] = []
        for r in self.total.table3.rows:
            for col, label in enumerate(COLUMN_LABELS):
                out.append(Line("表三", r.label, label, tuple(p.table3.value(r.key, col) for p in self.parts),
                                self.total.table3.value(r.key, col)))
        for i in range(len(self.total.table4.values)):
            group, result = REMEDY_KINDS[i // 5], TABLE4_RESULT_LABELS[i % 5]
            out.append(Line("表四", TABLE4_GROUP_LABELS[group], result, tuple(p.table4.values[i] for p in self.parts),
                            self.total.table4.values[i]))
        out.append(Line("表二", "行政事业性收费（信息处理费）", "金额（元）",
                        tuple(p.table2.fee_yuan for p in self.parts), self.total.table2.fee_yuan))
        return out

    @property
    def ok(self) -> bool:
        return all(line.adds_up for line in self.lines())


def consolidated_report(session: Session, agency_ids: frozenset[int], year: int, fmt: ReportFormat = "2021", *,
                        as_of: date | None = None, summaries: bool = False) -> Consolidated:
    """The report of ``agency_ids`` (a supervisor's agency and those below it): the total and each part."""
    nodes = hierarchy(session)
    ordered = [n for n, _ in tree_order([nodes[i] for i in agency_ids if i in nodes])]
    roots = [n for n in ordered if n.parent_id not in agency_ids]
    name = "、".join(n.name for n in roots) + ("（含下级机关）" if len(ordered) > len(roots) else "")
    total = replace(annual_report(session, frozenset(n.id for n in ordered), year, fmt, as_of=as_of,
                                  summaries=summaries), agency_name=f"{name}汇总")
    parts = tuple(annual_report(session, n.id, year, fmt, as_of=as_of, summaries=summaries) for n in ordered)
    return Consolidated(name, year, fmt, total, parts)


def to_json(c: Consolidated) -> dict[str, Any]:
    return {
        "name": c.name, "year": c.year, "format": c.fmt, "agencies": [p.agency_name for p in c.parts],
        "total": c.total.to_json(), "parts": [{"agency": p.agency_name, "report": p.to_json()} for p in c.parts],
        "side_by_side": [{"table": ln.table, "row": ln.row, "column": ln.column, "values": list(ln.parts),
                          "total": ln.total, "adds_up": ln.adds_up} for ln in c.lines()],
        "adds_up": c.ok,
    }


def render_json(c: Consolidated) -> bytes:
    return (json.dumps(to_json(c), ensure_ascii=False, indent=2) + "\n").encode()


def title(c: Consolidated) -> str:
    return f"{c.name}{c.year}年政府信息公开工作年度报告汇总（统计表，各机关对照）"


def render_html(c: Consolidated) -> bytes:
    """A plain page: one line per cell, each agency's figure in its own column and the total last."""
    head = "".join(f"<th>{escape(p.agency_name)}</th>" for p in c.parts)
    rows = []
    for ln in c.lines():
        cells = "".join(f'<td class="num">{v}</td>' for v in ln.parts)
        mark = "" if ln.adds_up else ' class="mismatch"'
        rows.append(f"<tr{mark}><td>{escape(ln.table)}</td><td>{escape(ln.row)}</td><td>{escape(ln.column)}</td>"
                    f'{cells}<td class="num"><strong>{ln.total}</strong></td></tr>')
    check = "各机关数字之和与汇总数一致。" if c.ok else "注意：标红的行各机关数字之和与汇总数不一致。"
    html = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title(c))}</title>'
            "<style>body{font-family:\"仿宋_GB2312\",FangSong,serif;margin:2rem}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:.2rem .5rem}.num{text-align:right}.mismatch{background:#fdd}</style>"
            f"</head><body><h1>{escape(title(c))}</h1><p>{escape(FORMAT_LABELS[c.fmt])}。{escape(check)}</p>"
            f"<table><thead><tr><th>表</th><th>项目</th><th>栏目</th>{head}<th>汇总</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></body></html>")
    return html.encode()


def render_xlsx(c: Consolidated) -> bytes:
    """One sheet with every cell side by side: each agency's figure, then the total."""
    wb = Workbook()
    ws = wb.active
    ws.title = "各机关对照"
    append_text_safe(ws, [title(c)])
    append_text_safe(ws, ["表", "项目", "栏目", *(p.agency_name for p in c.parts), "汇总"])
    for cell in ws[2]:
        cell.font = Font(name=FONT, bold=True)
    for ln in c.lines():
        append_text_safe(ws, [ln.table, ln.row, ln.column, *ln.parts, ln.total])
    ws.column_dimensions["B"].width = 40
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
