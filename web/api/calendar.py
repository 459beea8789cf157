"""Calendar endpoints: deadline arithmetic with explanations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from web.deps import EngineDep
from workflow.calendar.lookup import calendar_for

router = APIRouter(prefix="/api/calendar", tags=["calendar"])

MAX_DAYS = 3660


@router.get("/add-workdays", summary="计算第 N 个工作日（起算日不计入）")
def add_workdays(
    engine: EngineDep,
    start: Annotated[date, Query(description="起算日 YYYY-MM-DD（当日不计入）")],
    days: Annotated[int, Query(ge=0, le=MAX_DAYS, description="工作日数")],
    agency: Annotated[str | None, Query(description="机关代码（含地方节假日）")] = None,
) -> dict[str, Any]:
    # an unknown agency code: workflow NotFound, answered 404 not_found 机关不存在 (web.errors)
    return calendar_for(engine, agency).add_workdays(start, days).to_dict()
