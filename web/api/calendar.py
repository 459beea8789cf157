"""Calendar endpoints: deadline arithmetic with explanations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from web.api.schemas import ERRORS, ApiOut
from web.deps import EngineDep
from workflow.calendar.lookup import calendar_for

router = APIRouter(prefix="/api/calendar", tags=["calendar"], responses=ERRORS)

MAX_DAYS = 3660


class SpecialDayOut(ApiOut):
    date: str = Field(description="日期 YYYY-MM-DD")
    name: str = Field(description="节假日名称")
    scope: str = Field(description="national 全国；其他为地方节假日的地区代码")


class ExplanationOut(ApiOut):  # states.calendar_explain.Explanation
    """期限如何计算"""

    rule: Literal["workdays", "calendar_days", "calendar_months", "working_minutes"]
    start: str = Field(description="起算日（当日不计入）")
    amount: int
    end: str = Field(description="届满日")
    weekends_skipped: list[str] = Field(description="跳过的周末")
    holidays_skipped: list[SpecialDayOut] = Field(description="跳过的节假日")
    makeup_days_counted: list[SpecialDayOut] = Field(description="计入的调休上班日")
    missing_years: list[int] = Field(description="尚未发布节假日安排的年度（结果为暂定）")
    assumed_holidays: list[str] = Field(description="上述年度按法定日期计为休息日的节日（元旦、劳动节、国庆节）")
    pending_holidays: list[str] = Field(description="上述年度待国务院通知确定放假日期的节日（春节、清明节等农历节日）")
    nominal_end: str | None = Field(description="按自然日计算时期间的最后一日（顺延前）")
    month_end_clamped: bool
    hours: str | None = Field(description="按工作时间计算时所用的工作时段")
    tz: str | None = Field(description="按工作时间计算时的时区")
    lines_zh: list[str] = Field(description="说明（中文，逐行）")


class DeadlineOut(ApiOut):
    due: str = Field(description="届满日 YYYY-MM-DD")
    provisional: bool = Field(description="是否暂定（跨入尚未发布节假日安排的年度）")
    missing_years: list[int]
    explanation: ExplanationOut
    calendar_version: int = Field(description="所用节假日数据的版本")


@router.get("/add-workdays", summary="计算第 N 个工作日（起算日不计入）", response_model=DeadlineOut,
            response_description="届满日及其计算说明")
def add_workdays(
    engine: EngineDep,
    start: Annotated[date, Query(description="起算日 YYYY-MM-DD（当日不计入）")],
    days: Annotated[int, Query(ge=0, le=MAX_DAYS, description="工作日数")],
    agency: Annotated[str | None, Query(description="机关代码（含地方节假日）")] = None,
) -> dict[str, Any]:
    # an unknown agency code: workflow NotFound, answered 404 not_found 机关不存在 (web.errors)
    return calendar_for(engine, agency).add_workdays(start, days).to_dict()
