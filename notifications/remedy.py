"""The remedy clause (救济途径告知) of replies and decisions, generated from the decision (rules.md §1.8).

- Reconsideration: 60 days from receipt (行政复议法第二十条), to the organ of 第二十四条 — for a county
  government department, the county people's government; configured per agency as
  ``agency.reconsideration_organ``.
- Litigation: 6 months from receipt (行政诉讼法第四十六条), to ``agency.litigation_court``.
- A refusal under 条例第十四、十五、十六条 (``Reason.reconsideration_first``) must say that
  reconsideration comes first (行政复议法第二十三条第一款第（四）项、第二款) and that litigation is
  possible only against the reconsideration decision (15 days, 行政诉讼法第四十五条).
- A partial disclosure (条例第三十七条) refuses a part: for that part reconsideration comes first, for the rest
  both ways stay open (DERIVED; ``agency.partial_reconsideration_first``, default on, turns it off).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Protocol

from states.decisions import Reason

DEFAULT_COURT = "有管辖权的人民法院"


class _HasDue(Protocol):
    due: date


AddCalendarPeriod = Callable[..., _HasDue]
"""``(start: date, *, days: int = 0, months: int = 0) -> object with .due`` (WorkCalendar.add_calendar_period)."""


def remedy_clause(reason: Reason | None, agency_ctx: Mapping[str, Any], *, document: str = "本答复") -> str:
    """The sentence(s) telling the addressee how to challenge ``document``; KeyError if no organ is set."""
    organ = agency_ctx["reconsideration_organ"]
    if not organ:
        raise KeyError("reconsideration_organ")
    court = agency_ctx.get("litigation_court") or DEFAULT_COURT
    if reason is not None and reason.category == "partial" and agency_ctx.get("partial_reconsideration_first", True):
        return (
            f"如对{document}不服，可以自收到{document}之日起60日内向{organ}申请行政复议。"
            "其中对不予公开部分不服的，根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，"
            "应当先申请行政复议，对行政复议决定不服的，可以自收到行政复议决定书之日起15日内依法向人民法院提起行政诉讼；"
            f"对其余部分不服的，也可以自收到{document}之日起6个月内依法向{court}提起行政诉讼。"
        )
    if reason is not None and reason.reconsideration_first:
        return (
            f"如对{document}不服，可以自收到{document}之日起60日内向{organ}申请行政复议。"
            "根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，对不予公开政府信息的决定不服的，"
            "应当先申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起15日内依法向人民法院提起行政诉讼。"
        )
    return (
        f"如对{document}不服，可以自收到{document}之日起60日内向{organ}申请行政复议，"
        f"也可以自收到{document}之日起6个月内依法向{court}提起行政诉讼。"
    )


def remedy_deadlines(delivered: date, add_calendar_period: AddCalendarPeriod) -> dict[str, date]:
    """Last days for reconsideration (60 days) and direct litigation (6 months) from the delivery date."""
    return {
        "reconsideration_by": add_calendar_period(delivered, days=60).due,
        "litigation_by": add_calendar_period(delivered, months=6).due,
    }
