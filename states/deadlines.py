"""Composing a working-day clock: base + length + extension, moved by pauses (pure, explainable).

rules.md §4.4: ``due = add_workdays(base, n + extension) + excluded_workdays`` where the excluded
working days are those inside pauses (条例第三十三条第三款: consultation time is not counted; fee
payment time too when configured). A correction restarts the clock from the corrected application
(条例第三十条) — the caller passes the new base and only the adjustments after the restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from states.calendar import WorkCalendar


@dataclass(frozen=True)
class Pause:
    """A pause from ``start`` (not counted) through ``end``; open pauses use ``expected_end``."""

    start: date
    end: date | None
    reason: str
    expected_end: date | None = None


@dataclass(frozen=True)
class ClockInput:
    base: date
    amount: int
    extension: int = 0
    extension_reason: str = ""
    pauses: tuple[Pause, ...] = ()
    base_reason: str = "收到申请之日"
    restarted: bool = False
    # what the length is called: 法定期限 for a period the law sets; 期限 for one the agency sets (the applicant's
    # correction period, 条例第三十条 sets none); 延迟答复期限 for 条例第三十五条's delay
    length_label: str = "法定期限"


@dataclass(frozen=True)
class ClockResult:
    due: date
    provisional: bool
    missing_years: tuple[int, ...]
    excluded_workdays: int
    paused: bool
    explanation: dict[str, Any] = field(default_factory=dict)


def compute_workday_clock(cal: WorkCalendar, spec: ClockInput) -> ClockResult:
    """The due date of a working-day clock with its full explanation."""
    missing: set[int] = set()
    pauses_out: list[dict[str, Any]] = []
    excluded = 0
    paused = False
    for p in spec.pauses:
        end = p.end if p.end is not None else p.expected_end
        if p.end is None:
            paused = True
        n = 0
        if end is not None and end > p.start:
            counted = cal.workdays_between_result(p.start, end)
            n = counted.workdays
            missing.update(counted.missing_years)
        excluded += n
        pauses_out.append({
            "start": p.start.isoformat(), "end": p.end.isoformat() if p.end else None,
            "expected_end": p.expected_end.isoformat() if p.expected_end else None,
            "workdays": n, "reason": p.reason, "open": p.end is None,
        })
    total = spec.amount + spec.extension + excluded
    res = cal.add_workdays(spec.base, total)
    missing.update(res.missing_years)
    lines = [f"起算：{spec.base.isoformat()}（{spec.base_reason}，当日不计入）"
             + ("；补正后重新起算（条例第三十条）" if spec.restarted else ""),
             f"{spec.length_label} {spec.amount} 个工作日"]
    if spec.extension:
        lines.append(f"延长 {spec.extension} 个工作日（{spec.extension_reason or '经批准延期'}）")
    for po in pauses_out:
        if po["open"]:
            lines.append(f"暂停计时：自 {po['start']} 起（{po['reason']}），尚未恢复；"
                         f"按预计 {po['expected_end'] or '—'} 恢复计，暂不计入 {po['workdays']} 个工作日")
        else:
            lines.append(f"暂停计时：{po['start']} 至 {po['end']}（{po['reason']}），不计入 {po['workdays']} 个工作日")
    lines.extend(res.explanation.lines_zh())  # says which of its years are provisional, and why
    unstated = missing.difference(res.missing_years)  # a pause's years outside the counted span (rare)
    if unstated:
        lines.append(cal.provisional_line(unstated))
    explanation = {
        "base": spec.base.isoformat(), "amount": spec.amount, "extension": spec.extension,
        "excluded_workdays": excluded, "pauses": pauses_out, "restarted": spec.restarted,
        "calendar": res.explanation.to_dict(), "lines_zh": lines,
    }
    return ClockResult(res.due if isinstance(res.due, date) else res.due.date(), bool(missing),
                       tuple(sorted(missing)), excluded, paused, explanation)
