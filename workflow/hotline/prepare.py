"""Rows of a 12345 export made ready for the batch import: parsed, checked and (optionally) planned.

(Reading the file in a second process was tried: on this 2-core machine shared with other jobs it was
slower than one process — 1,016 vs 1,200 rows/s for 30,000 rows — so the importer reads in-process.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from states.hotline_profiles import ProfileError
from workflow.hotline.mapping import FIELDS, ColumnMapping
from workflow.hotline.plan import OrderPlan, Planner, check_record
from workflow.hotline.records import RowError, iter_records

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    row: int
    record: dict[str, Any] | None  # None when the row has errors
    errors: list[RowError] = field(default_factory=list)
    plan: OrderPlan | None = None  # set when prepared with plan=True
    history: dict[str, Any] = field(default_factory=dict)  # steps before banli (workflow.hotline.history)


def file_column(e: RowError) -> RowError:
    """Checks after parsing name fields; the report names the column as a clerk knows it."""
    return RowError(e.row, FIELDS[e.column].label, e.problem_zh, e.code) if e.column in FIELDS else e


def plan_row(planner: Planner, row: int, record: dict[str, Any], agency_id: int, now: datetime
             ) -> OrderPlan | RowError:
    try:
        return planner.plan_order(record, agency_id=agency_id, now=now)
    except (ProfileError, ValueError):  # the reason stays in the log; the clerk reads what to check
        log.warning("row %d: no plan", row, exc_info=True)
        return RowError(row, "", "无法按本机关的时限方案计算该工单的办理时限（请核对来电时间、诉求类型和紧急程度）",
                        "plan_failed")


def prepare(path: Path, mapping: ColumnMapping, planner: Planner, agency_id: int, now: datetime, *,
            plan: bool) -> Iterator[Prepared]:
    """Every row of the file: its problems, or its record (and plan when ``plan``)."""
    for parsed in iter_records(path, mapping):
        problems = parsed.errors or check_record(parsed.record or {}, now, parsed.row_number)
        if problems or parsed.record is None:
            yield Prepared(parsed.row_number, None, [file_column(e) for e in problems])
            continue
        if not plan:
            yield Prepared(parsed.row_number, parsed.record, history=parsed.history)
            continue
        result = plan_row(planner, parsed.row_number, parsed.record, agency_id, now)
        if isinstance(result, RowError):
            yield Prepared(parsed.row_number, None, [result])
        else:
            yield Prepared(parsed.row_number, parsed.record, [], result, parsed.history)


def prepared_rows(path: Path, mapping: ColumnMapping, planner: Planner, agency_id: int, now: datetime
                  ) -> Iterator[Prepared]:
    """Prepared rows in file order; plans are computed later, only for orders that are new."""
    return prepare(path, mapping, planner, agency_id, now, plan=False)
