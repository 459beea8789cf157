"""12345 statistics for leaders: sign-for and handling on time, returns, extensions, satisfaction, re-handling.

Four GROUP BY queries (category × month) over ``clock``, ``workorder`` and ``workorder_cycle``; Python
only folds the grouped rows (at most 5 categories × the months of the period). Every rate is defined
in docs/annual-report.md ("12345 statistics"). Registered as the "hotline" provider of
``workflow.reports.stats.stats_for_leaders``. Read-only.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, select
from sqlmodel import Session, SQLModel

from states.hotline import CATEGORY_LABELS, CallbackResult, Category, WorkOrderResolution
from states.vocab import CaseKindName, ClockStatus
from workflow.reports.stats import (
    AgencyScope,
    Period,
    WorkdayCalendar,
    agency_clause,
    agency_tz,
    register_stats_provider,
)

W = SQLModel.metadata.tables["workorder"]
C = SQLModel.metadata.tables["workorder_cycle"]
K = SQLModel.metadata.tables["clock"]

RATE_LABELS: dict[str, str] = {
    "sign_for_on_time": "签收及时率",
    "handling_on_time": "按时办结率",
    "return": "退单率",
    "extension": "延期率",
    "satisfaction": "回访满意率",
    "rehandle": "重办率",
}
# numerator / denominator of each rate, in words (shown under the tables and in the XLSX export)
RATE_DEFINITIONS: dict[str, str] = {
    "sign_for_on_time": "期内签收的工单中，在签收时限内签收的（按签收时间计入期间与月份）",
    "handling_on_time": "期内反馈办理结果的办理周期中，在办理时限（含批准的延期）内反馈的（每个办理周期各计一次）",
    "return": "期内收到的工单中，平台同意退单、转出本单位的",
    "extension": "期内反馈办理结果的办理周期中，经平台批准延期的",
    "satisfaction": "期内登记回访结果的办理周期中，“满意”与“基本满意”的",
    "rehandle": "期内反馈办理结果的办理周期中，其后被退回重办的",
}
SATISFIED = (CallbackResult.SATISFIED.value, CallbackResult.BASICALLY_SATISFIED.value)
CATEGORIES = tuple(c.value for c in Category)


def month_bucket(column: Any, p: Period, tz: str) -> ColumnElement[str]:
    """"YYYY-MM" of an instant in ``tz`` for rows already inside ``p`` (one CASE, any SQL dialect)."""
    months = p.months()
    zone = ZoneInfo(tz)
    ends = [datetime.combine(date.fromisoformat(m + "-01"), time(), zone) for m in months[1:]]
    if not ends:
        return literal(months[0])
    return case(*[(column < end, literal(m)) for m, end in zip(months, ends, strict=False)], else_=literal(months[-1]))


def _met_clocks(kind: str, agency_id: AgencyScope, start: Any, end: Any) -> ColumnElement[bool]:
    k = K.c
    return and_(agency_clause(K, agency_id), k.case_kind == CaseKindName.WORKORDER, k.kind == kind, k.status == ClockStatus.MET,
                k.met_at >= start, k.met_at < end)


def _count_if(cond: ColumnElement[bool]) -> Any:
    return func.sum(case((cond, 1), else_=0))


def _queries(agency_id: AgencyScope, p: Period, tz: str) -> dict[str, Select[Any]]:
    start, end = p.instants(tz)
    k, o, c = K.c, W.c, C.c
    on_time = k.met_at <= k.due_at
    met_month = month_bucket(k.met_at, p, tz)
    # The order's agency is the clock's: saying so lets PostgreSQL hash the agency's orders (an index-only
    # scan of ix_workorder_report_category) instead of looking each clock's order up.
    order = and_(o.id == k.case_id, agency_clause(W, agency_id))
    sign_for = (select(o.category, met_month, func.count(), _count_if(on_time))
                .select_from(K.join(W, order))
                .where(_met_clocks("sign_for", agency_id, start, end)).group_by(o.category, met_month))
    nxt = C.alias("next_cycle")
    # Re-handled: a probe of the next cycle per reply (a correlated EXISTS, looked up by the order's id), never a
    # join that may hash every re-handled cycle of every agency.
    rehandled = exists().where(nxt.c.workorder_id == k.case_id, nxt.c.cycle == k.cycle + 1,
                               nxt.c.reason == "rehandle")
    replies = (select(o.category, met_month, func.count(), _count_if(on_time), _count_if(c.extensions_used > 0),
                      _count_if(rehandled))
               .select_from(K.join(W, order)
                            .join(C, and_(c.workorder_id == k.case_id, c.cycle == k.cycle)))
               .where(_met_clocks("handling", agency_id, start, end)).group_by(o.category, met_month))
    callbacks = (select(o.category, met_month, c.callback_result, func.count())
                 .select_from(K.join(W, order)
                              .join(C, and_(c.workorder_id == k.case_id, c.cycle == k.cycle)))
                 .where(_met_clocks("callback", agency_id, start, end))
                 .group_by(o.category, met_month, c.callback_result))
    rec_month = month_bucket(o.received_at, p, tz)
    received = (select(o.category, rec_month, func.count(),
                       _count_if(o.resolution == WorkOrderResolution.RETURNED.value))
                .where(agency_clause(W, agency_id), o.received_at >= start, o.received_at < end)
                .group_by(o.category, rec_month))
    return {"sign_for": sign_for, "replies": replies, "callbacks": callbacks, "received": received}


# Counter keys per rate: (numerator, denominator)
_PARTS = {
    "sign_for_on_time": ("signed_on_time", "signed"),
    "handling_on_time": ("replied_on_time", "replied"),
    "return": ("returned", "received"),
    "extension": ("extended", "replied"),
    "satisfaction": ("satisfied", "callbacks"),
    "rehandle": ("rehandled", "replied"),
}
COUNTS = ("received", "returned", "signed", "signed_on_time", "replied", "replied_on_time", "extended",
          "rehandled", "callbacks", "satisfied")


def rates(counts: Counter[str]) -> dict[str, dict[str, Any]]:
    """Each rate with its numerator and denominator; ``rate`` is None when nothing was counted."""
    out: dict[str, dict[str, Any]] = {}
    for name, (num, den) in _PARTS.items():
        n, d = counts[num], counts[den]
        out[name] = {"numerator": n, "denominator": d, "rate": round(n / d, 4) if d else None}
    return out


def _block(counts: Counter[str]) -> dict[str, Any]:
    return {**{k: counts[k] for k in COUNTS}, "rates": rates(counts)}


def hotline_stats(session: Session, agency_id: AgencyScope, period: int | Period | tuple[date, date],
                  calendar: WorkdayCalendar | None = None) -> dict[str, Any]:
    """12345 figures for ``period``, overall, by category and by month; ``agency_id=None`` = all agencies.

    ``calendar`` is accepted for the provider signature; no figure here needs working days.
    """
    p = Period.of(period)
    tz = agency_tz(session, agency_id)
    total: Counter[str] = Counter()
    by_cat: dict[str, Counter[str]] = {cat: Counter() for cat in CATEGORIES}
    by_month: dict[str, Counter[str]] = {m: Counter() for m in p.months()}
    results: Counter[str] = Counter()

    def add(cat: str, month: str, key: str, n: Any) -> None:
        n = int(n or 0)
        total[key] += n
        by_cat.setdefault(cat, Counter())[key] += n
        by_month.setdefault(month, Counter())[key] += n

    q = _queries(agency_id, p, tz)
    for cat, month, n, ok in session.execute(q["sign_for"]):
        add(cat, month, "signed", n)
        add(cat, month, "signed_on_time", ok)
    for cat, month, n, ok, ext, again in session.execute(q["replies"]):
        add(cat, month, "replied", n)
        add(cat, month, "replied_on_time", ok)
        add(cat, month, "extended", ext)
        add(cat, month, "rehandled", again)
    for cat, month, result, n in session.execute(q["callbacks"]):
        add(cat, month, "callbacks", n)
        add(cat, month, "satisfied", n if result in SATISFIED else 0)
        results[result or ""] += int(n)
    for cat, month, n, returned in session.execute(q["received"]):
        add(cat, month, "received", n)
        add(cat, month, "returned", returned)
    return {
        "agency_id": sorted(agency_id) if isinstance(agency_id, frozenset) else agency_id,
        "period": {"start": p.start.isoformat(), "end": p.end.isoformat()},
        "timezone": tz,
        **_block(total),
        "callback_results": {r.value: results[r.value] for r in CallbackResult},
        "by_category": {cat: {"label": CATEGORY_LABELS.get(cat, cat), **_block(cnt)} for cat, cnt in by_cat.items()},
        "by_month": {m: _block(cnt) for m, cnt in sorted(by_month.items())},
        "rate_labels": dict(RATE_LABELS),
    }


register_stats_provider("hotline", hotline_stats)
