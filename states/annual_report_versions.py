"""What changed in a year's annual report since it was generated (pure): the figures a version keeps, and the
cells in which two versions differ, named as the report names them (issue 14 item 4: a step back-filled after a
year's report was generated — a case received or concluded in that year recorded later — changes its tables)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from states.annual_report import (
    COLUMN_LABELS,
    REMEDY_KINDS,
    ROWS,
    TABLE4_GROUP_LABELS,
    TABLE4_RESULT_LABELS,
    AnnualReport,
    ReportFormat,
)

FEE_LABEL = "表二 （八）收费 信息处理费（元）"


@dataclass(frozen=True)
class Difference:
    """One cell of the report that is not what it was when generated."""

    table: str  # 表二 | 表三 | 表四
    row: str  # the row as the report labels it
    column: str
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before


def figures(report: AnnualReport) -> dict[str, Any]:
    """What a version keeps: the numbers of table 三 by row, the fee of table 二, table 四's fifteen numbers."""
    return {"table3": {k: list(v) for k, v in report.table3.values.items()}, "fee": report.table2.fee_yuan,
            "table4": list(report.table4.values)}


def differences(before: dict[str, Any], after: dict[str, Any], fmt: ReportFormat) -> list[Difference]:
    """Every cell that differs, in the report's own order (table 三 by row and column, then 二, then 四)."""
    out: list[Difference] = []
    for row in ROWS[fmt]:
        old, new = before["table3"].get(row.key), after["table3"].get(row.key)
        if old is None or new is None:
            continue
        for i, column in enumerate(COLUMN_LABELS):
            if old[i] != new[i]:
                out.append(Difference("表三", " ".join(row.path), column, int(old[i]), int(new[i])))
    if before.get("fee") != after.get("fee"):
        out.append(Difference("表二", FEE_LABEL, "金额", int(before.get("fee") or 0), int(after.get("fee") or 0)))
    old4, new4 = before.get("table4", []), after.get("table4", [])
    for i, (a, b) in enumerate(zip(old4, new4, strict=False)):
        if a != b:
            kind = REMEDY_KINDS[i // len(TABLE4_RESULT_LABELS)]
            out.append(Difference("表四", TABLE4_GROUP_LABELS[kind],
                                  TABLE4_RESULT_LABELS[i % len(TABLE4_RESULT_LABELS)], int(a), int(b)))
    return out
