"""Names and categories that begin like a formula ("=", "+", "-", "@") stay text in the workbooks leaders download:
the statistics (an agency, an officer, a unit, a 12345 category from the platform's file) and the all-agency
comparison."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook

from workflow.reports.hotline import RATE_LABELS
from workflow.reports.stats_xlsx import HOTLINE_COUNTS, stats_workbook
from workflow.xlsx_text import append_text_safe

NAMES = ('=HYPERLINK("http://example.invalid","点此")', "+1+2", "-3", "@SUM(A1)")


def _cells(data: bytes) -> list[Any]:
    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_append_text_safe_keeps_formulas_out() -> None:
    wb = Workbook()
    append_text_safe(wb.active, [*NAMES, 5, None, "普通文字\x07"])
    buf = io.BytesIO()
    wb.save(buf)
    cells = _cells(buf.getvalue())
    assert [c.value for c in cells] == [*NAMES, 5, None, "普通文字"]
    assert [c.data_type for c in cells] == ["s", "s", "s", "s", "n", "n", "s"]


def test_statistics_workbook_has_no_formula() -> None:
    rates = {k: {"numerator": 1, "denominator": 2, "rate": 0.5} for k in RATE_LABELS}
    block = {**dict.fromkeys((k for k, _ in HOTLINE_COUNTS), 1), "rates": rates}
    stats = {"agency": NAMES[0], "period": {"start": "2026-01-01", "end": "2026-03-31"},
             "disclosure": {"received": 1, "concluded": 1, "open_at_end": 0, "replies_with_clock": 1,
                            "replied_on_time": 1, "on_time_rate": 1.0, "avg_working_days_to_reply": 3.0,
                            "extended": 0, "received_by_month": {"2026-01": 1}, "concluded_by_month": {"2026-01": 1},
                            "by_category": {"disclose": 1},
                            "by_officer": [{"assignee_id": 7, "assignee_name": NAMES[1], "concluded": 1,
                                            "open_at_end": 0, "replies_with_clock": 1, "replied_on_time": 1}],
                            "by_unit": [{"unit_id": 3, "unit_name": NAMES[2], "concluded": 1, "open_at_end": 0}]},
             "hotline": {"timezone": "Asia/Shanghai", "rates": rates, "by_category": {
                 "x": {**block, "label": NAMES[3]}}, "by_month": {"2026-01": block}, "callback_results": {}}}
    cells = _cells(stats_workbook(stats))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {c.value for c in cells} >= set(NAMES)
