"""Deadline results and their explanations: what was skipped and counted, in data and in Chinese (pure).

Re-exported by ``states.calendar``; import them from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from states.calendar_model import (
    WEEKDAY_ZH,
    CalendarNotCovered,
    SpecialDay,
    makeup_label,
)
from states.wording import zone_label

Rule = Literal["workdays", "calendar_days", "calendar_months", "working_minutes"]

_LIST_LIMIT = 12  # a clerk's line lists at most this many dates, then "等 N 天"


def _fmt_moment(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _iso(value: date | datetime) -> str:
    return value.isoformat()


def _dates_zh(days: tuple[date, ...]) -> str:
    shown = [d.isoformat() for d in days[:_LIST_LIMIT]]
    text = "、".join(shown)
    if len(days) > _LIST_LIMIT:
        text += f" 等 {len(days)} 天"
    return text


def _holiday_runs(holidays: tuple[SpecialDay, ...]) -> list[tuple[date, date, list[str], str]]:
    """Group holidays into runs of consecutive dates of one scope: (first, last, names in order, scope)."""
    runs: list[tuple[date, date, list[str], str]] = []
    for sd in holidays:
        if runs:
            first, last, names, scope = runs[-1]
            if scope == sd.scope and sd.day.toordinal() == last.toordinal() + 1:
                if sd.name not in names:
                    names.append(sd.name)
                runs[-1] = (first, sd.day, names, scope)
                continue
        runs.append((sd.day, sd.day, [sd.name], sd.scope))
    return runs


def provisional_line(years: tuple[int, ...], assumed: tuple[str, ...] = (), pending: tuple[str, ...] = ()) -> str:
    """One sentence for the uncovered ``years``: no notice yet, what was counted instead, provisional.

    ``assumed``: the holidays counted from their fixed dates (全国年节及纪念日放假办法第二条); ``pending``: those whose
    dates only the year's notice gives.
    """
    head = f"{'、'.join(str(y) for y in years)} 年节假日安排尚未发布"
    if not assumed:
        return f"{head}，按周末推算，结果为暂定"
    text = f"{head}，暂按周末和{'、'.join(assumed)}的法定日期推算"
    if pending:
        text += f"；{'、'.join(pending)}的放假日期和补假、调休安排待国务院通知公布"
    return text + "，结果为暂定"


def _special_dict(sd: SpecialDay) -> dict[str, str]:
    return {"date": sd.day.isoformat(), "name": sd.name, "scope": sd.scope}


@dataclass(frozen=True)
class Explanation:
    """Why a deadline is what it is.

    ``weekends_skipped``: rest days that are plain Saturdays/Sundays; ``holidays_skipped``: days off
    from the holiday table (weekend days inside a holiday block are listed here, not as weekends);
    ``makeup_days_counted``: weekend days that count as working days (调休上班).
    For calendar-day periods the three lists cover only the roll-forward (民法典第二百零三条).
    """

    rule: Rule
    start: date | datetime
    amount: int
    end: date | datetime
    weekends_skipped: tuple[date, ...] = ()
    holidays_skipped: tuple[SpecialDay, ...] = ()
    makeup_days_counted: tuple[SpecialDay, ...] = ()
    missing_years: tuple[int, ...] = ()
    # for the missing years: (holidays counted from their fixed dates, holidays left to the year's notice)
    assumed: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    nominal_end: date | None = None  # calendar periods: the last day before any roll-forward
    month_end_clamped: bool = False  # calendar months: no corresponding day, month end used
    hours_desc: str = ""  # working minutes: the working periods used
    tz: str = ""  # working minutes: the time zone of start/end

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (ISO date strings), including the Chinese lines."""
        return {
            "rule": self.rule,
            "start": _iso(self.start),
            "amount": self.amount,
            "end": _iso(self.end),
            "weekends_skipped": [d.isoformat() for d in self.weekends_skipped],
            "holidays_skipped": [_special_dict(sd) for sd in self.holidays_skipped],
            "makeup_days_counted": [_special_dict(sd) for sd in self.makeup_days_counted],
            "missing_years": list(self.missing_years),
            "assumed_holidays": list(self.assumed[0]),
            "pending_holidays": list(self.assumed[1]),
            "nominal_end": self.nominal_end.isoformat() if self.nominal_end else None,
            "month_end_clamped": self.month_end_clamped,
            "hours": self.hours_desc or None,
            "tz": self.tz or None,
            "lines_zh": self.lines_zh(),
        }

    def lines_zh(self) -> list[str]:
        """Short Chinese sentences a clerk can read, in order."""
        lines = [self._start_line(), self._amount_line()]
        if self.rule == "calendar_months" and self.month_end_clamped and self.nominal_end:
            # 民法典第二百零二条: no corresponding day in the final month -> its last day
            lines.append(f"到期月无对应日，以月末日 {self.nominal_end.isoformat()} 为期间最后一日")
        if self.nominal_end is not None and self.nominal_end != self.end:
            lines.append(
                f"期间最后一日 {self.nominal_end.isoformat()} 为休息日，顺延至其后第一个工作日"
                "（民法典第二百零三条）"
            )
        if self.weekends_skipped:
            lines.append(f"跳过周末 {len(self.weekends_skipped)} 天：{_dates_zh(self.weekends_skipped)}")
        for first, last, names, scope in _holiday_runs(self.holidays_skipped):
            span = first.isoformat() if first == last else f"{first.isoformat()} 至 {last.isoformat()}"
            kind = "法定节假日" if scope == "national" else "地方节假日"  # the scope is a code: not for clerks
            lines.append(f"跳过{kind}：{span} {'、'.join(names)}")
        if self.makeup_days_counted:
            items = "、".join(
                f"{sd.day.isoformat()}（{WEEKDAY_ZH[sd.day.weekday()]}，{makeup_label(sd.name)}）"
                for sd in self.makeup_days_counted
            )
            lines.append(f"计入调休上班日：{items}")
        lines.append(self._end_line())
        if self.missing_years:
            lines.append(provisional_line(self.missing_years, *self.assumed))
        return lines

    def _start_line(self) -> str:
        if self.rule == "working_minutes":
            return f"起算时间 {_fmt_moment(self.start)}（{zone_label(self.tz)}）"
        return f"起算日 {_fmt_moment(self.start)}（当日不计入）"  # 民法典第二百零一条

    def _amount_line(self) -> str:
        unit = {
            "workdays": "个工作日",
            "calendar_days": "日（自然日）",
            "calendar_months": "个月",
            "working_minutes": "分钟工作时间",
        }[self.rule]
        text = f"期间：{self.amount} {unit}"
        if self.rule == "working_minutes":
            text += f"（每个工作日 {self.hours_desc}）"
        return text

    def _end_line(self) -> str:
        if isinstance(self.end, datetime):
            return f"届满时间 {_fmt_moment(self.end)}"
        wd = self.end.weekday()
        return f"届满日 {self.end.isoformat()}（{WEEKDAY_ZH[wd]}）"


@dataclass(frozen=True)
class DeadlineResult:
    """A computed deadline: the date (or instant), whether it is provisional, and why."""

    due: date | datetime
    provisional: bool
    missing_years: tuple[int, ...]
    explanation: Explanation
    calendar_version: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "due": _iso(self.due),
            "provisional": self.provisional,
            "missing_years": list(self.missing_years),
            "explanation": self.explanation.to_dict(),
            "calendar_version": self.calendar_version,
        }

    def require_exact(self) -> DeadlineResult:
        """Return self, or raise CalendarNotCovered when the result is provisional."""
        if self.provisional:
            raise CalendarNotCovered(self.missing_years)
        return self
