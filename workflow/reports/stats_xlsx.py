"""The leaders' statistics (``workflow.reports.files.leader_stats``) as an XLSX workbook, one sheet per block.

Rates are numbers formatted as percentages (empty when nothing was counted), so the sheets can be
summed and charted in Excel/WPS; every sheet starts with its header row.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from states.decisions import CATEGORY_LABELS as DECISION_LABELS
from states.hotline import CALLBACK_LABELS
from workflow.reports.hotline import RATE_DEFINITIONS, RATE_LABELS
from workflow.xlsx_text import append_text_safe

HOTLINE_COUNTS: tuple[tuple[str, str], ...] = (
    ("received", "收到工单"), ("returned", "退单"), ("signed", "签收"), ("signed_on_time", "按时签收"),
    ("replied", "反馈办理结果"), ("replied_on_time", "按时反馈"), ("extended", "延期"), ("rehandled", "重办"),
    ("callbacks", "回访"), ("satisfied", "满意和基本满意"),
)
DECISIONS = {str(k): v for k, v in DECISION_LABELS.items()}


def _sheet(wb: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
           percent_from: int | None = None, widths: Sequence[int] = ()) -> None:
    """A sheet with a bold header; columns from ``percent_from`` (0-based) are rates."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    append_text_safe(ws, list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        append_text_safe(ws, list(r))
        if percent_from is not None:
            for cell in ws[ws.max_row][percent_from:]:
                cell.number_format = "0.00%"
    for i, w in enumerate(widths or [16] * len(header), start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"


def _hotline_row(label: str, block: dict[str, Any]) -> list[Any]:
    return [label, *(block[k] for k, _ in HOTLINE_COUNTS), *(block["rates"][r]["rate"] for r in RATE_LABELS)]


def _about(wb: Any, stats: dict[str, Any]) -> None:
    p = stats["period"]
    rows: list[list[Any]] = [["机关", stats["agency"]], ["统计期间", f"{p['start']} 至 {p['end']}（含）"],
                             ["时区", stats["hotline"].get("timezone", "Asia/Shanghai")]]
    rows += [[f"{RATE_LABELS[k]}口径", RATE_DEFINITIONS[k]] for k in RATE_LABELS]
    rows.append(["依申请公开按期答复率口径", "期内答复的申请中，在答复期限（已扣除依法中止的期间、含批准的延期）内答复的"])
    rows.append(["平均答复工作日口径", "期内以答复办结的申请，自收到申请次一工作日起至办结日的工作日数的平均值"])
    _sheet(wb, "说明", ["项目", "内容"], rows, widths=(26, 90))


def _disclosure(wb: Any, d: dict[str, Any]) -> None:
    overview = [
        ("收到申请", d["received"]), ("办结", d["concluded"]), ("期末未办结", d["open_at_end"]),
        ("有期限记录的答复", d["replies_with_clock"]), ("按期答复", d["replied_on_time"]),
        ("按期答复率", d["on_time_rate"]), ("平均答复工作日", d["avg_working_days_to_reply"]),
        ("延期答复", d["extended"]),
    ]
    _sheet(wb, "依申请公开_概况", ["指标", "数值"], overview, widths=(20, 14))
    wb["依申请公开_概况"]["B7"].number_format = "0.00%"
    _sheet(wb, "依申请公开_按月", ["月份", "收到申请", "办结"],
           [(m, n, d["concluded_by_month"].get(m, 0)) for m, n in d["received_by_month"].items()])
    _sheet(wb, "依申请公开_按答复类型", ["答复类型", "办结件数"],
           [(DECISIONS.get(k, k or "未分类"), n) for k, n in d["by_category"].items()])
    _sheet(wb, "依申请公开_按承办人", ["承办人", "办结", "期末未办结", "有期限记录的答复", "按期答复", "按期答复率"],
           [(r.get("assignee_name", r["assignee_id"]), r["concluded"], r["open_at_end"], r["replies_with_clock"],
             r["replied_on_time"], round(r["replied_on_time"] / r["replies_with_clock"], 4)
             if r["replies_with_clock"] else None) for r in d["by_officer"]], percent_from=5)
    _sheet(wb, "依申请公开_按科室", ["科室", "办结", "期末未办结"],
           [(r.get("unit_name", r["unit_id"]), r["concluded"], r["open_at_end"]) for r in d["by_unit"]])


def _hotline(wb: Any, h: dict[str, Any]) -> None:
    n = len(HOTLINE_COUNTS) + 1
    header = [*(label for _, label in HOTLINE_COUNTS), *RATE_LABELS.values()]
    _sheet(wb, "12345_概况", ["指标", "分子", "分母", "比率", "口径"],
           [(label, h["rates"][k]["numerator"], h["rates"][k]["denominator"], h["rates"][k]["rate"],
             RATE_DEFINITIONS[k]) for k, label in RATE_LABELS.items()], percent_from=3, widths=(14, 8, 8, 10, 80))
    _sheet(wb, "12345_按诉求类型", ["诉求类型", *header],
           [_hotline_row(b["label"], b) for b in h["by_category"].values()], percent_from=n)
    _sheet(wb, "12345_按月", ["月份", *header], [_hotline_row(m, b) for m, b in h["by_month"].items()],
           percent_from=n)
    _sheet(wb, "12345_回访结果", ["回访结果", "件数"],
           [(CALLBACK_LABELS.get(k, k), v) for k, v in h["callback_results"].items()])


def stats_workbook(stats: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _about(wb, stats)
    if "disclosure" in stats:
        _disclosure(wb, stats["disclosure"])
    if "hotline" in stats:
        _hotline(wb, stats["hotline"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
