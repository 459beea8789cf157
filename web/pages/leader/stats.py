"""The statistics section of the leader's dashboard: the period, the figures of ``leader_stats`` (disclosure +
12345), the monthly trend chart and the download links (annual report in every format, statistics XLSX)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from web.pages.leader.charts import rates_chart
from workflow.errors import DomainValidation
from workflow.reports.files import period_from_text
from workflow.reports.hotline import RATE_DEFINITIONS, RATE_LABELS

TREND = ("sign_for_on_time", "handling_on_time", "satisfaction")
ANNUAL_LINKS = (("html", "网页"), ("xlsx", "XLSX"), ("docx", "DOCX"), ("json", "JSON"))


def stats_period(request: Request, today: date) -> tuple[date, date, str]:
    """?from=&to= (inclusive), default this year to today; a bad value falls back with a note."""
    q = request.query_params
    try:
        p = period_from_text(q.get("from", ""), q.get("to", ""), today)
    except DomainValidation as exc:
        code = exc.fields[0]["code"]
        note = {"invalid_date": "统计期间的日期格式应为 YYYY-MM-DD", "invalid_period": "截止日期早于起始日期"}.get(
            code, exc.fields[0]["message"])
        return date(today.year, 1, 1), today, note + "，已按本年度显示"
    return p.start, p.end, ""


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def statistics(st: dict[str, Any], start: date, end: date, note: str, today: date) -> dict[str, Any]:
    """The section from ``leader_stats`` of [start, end] (``stats_period``; ``note``: why the period asked for
    was not used)."""
    h = st["hotline"]
    rates = [{"key": k, "label": label, "rate": _percent(h["rates"][k]["rate"]),
              "numerator": h["rates"][k]["numerator"], "denominator": h["rates"][k]["denominator"],
              "definition": RATE_DEFINITIONS[k]} for k, label in RATE_LABELS.items()]
    categories = [{"label": b["label"], "received": b["received"],
                   "rates": [_percent(b["rates"][k]["rate"]) for k in RATE_LABELS]} for b in h["by_category"].values()]
    trend = rates_chart([(RATE_LABELS[k], [(m, b["rates"][k]["denominator"], b["rates"][k]["numerator"])
                                           for m, b in h["by_month"].items()]) for k in TREND],
                        "12345工单按月趋势")
    d = st["disclosure"]
    period = {"from": start.isoformat(), "to": end.isoformat()}
    return {
        "period": period, "period_note": note, "d": d, "d_rate": _percent(d["on_time_rate"]), "h": h,
        "h_rates": rates, "h_categories": categories, "rate_labels": list(RATE_LABELS.values()), "trend": trend,
        "annual_year": today.year - 1,
        "annual_links": [(label, "/reports/annual?" + urlencode({"year": today.year - 1, "format": fmt}))
                         for fmt, label in ANNUAL_LINKS],
        "stats_xlsx": "/reports/stats.xlsx?" + urlencode(period),
    }
