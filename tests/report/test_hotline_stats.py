"""12345 statistics on a scripted set of orders run through the workflow (SQLite and PostgreSQL).

Expected values are counted by hand from the table in tests/report/hotline_scripted.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from db.engine import read_session
from tests.report import hotline_scripted
from workflow.reports.annual import Period, hotline_stats, stats_for_leaders


def _r(block: dict[str, Any], name: str) -> tuple[int, int, float | None]:
    r = block["rates"][name]
    return r["numerator"], r["denominator"], r["rate"]


@pytest.fixture
def world(engine):
    return hotline_scripted.build(engine)


def test_year_overall(engine, world):
    with read_session(engine) as s:
        st = hotline_stats(s, world["a"], 2026)
    assert st["period"] == {"start": "2026-01-01", "end": "2026-12-31"}
    assert st["received"] == 8 and st["returned"] == 1
    assert _r(st, "sign_for_on_time") == (4, 6, 0.6667)
    assert _r(st, "handling_on_time") == (4, 6, 0.6667)  # O0 (received 2025), O1, O3 c1, O6 on time; O2, O3 c2 late
    assert _r(st, "return") == (1, 8, 0.125)
    assert _r(st, "extension") == (1, 6, 0.1667)
    assert _r(st, "satisfaction") == (4, 5, 0.8)
    assert _r(st, "rehandle") == (1, 6, 0.1667)
    assert st["callback_results"] == {"satisfied": 2, "basically_satisfied": 2, "dissatisfied": 1}


def test_year_by_month(engine, world):
    with read_session(engine) as s:
        m = hotline_stats(s, world["a"], 2026)["by_month"]
    assert list(m) == [f"2026-{i:02d}" for i in range(1, 13)]
    assert [m[k]["received"] for k in m][:4] == [4, 1, 3, 0]
    # O5 was signed on Sunday 1 February at 07:30 Beijing time (31 January in UTC): February
    assert [(_r(m[k], "sign_for_on_time")) for k in ("2026-01", "2026-02", "2026-03")] == [
        (2, 3, 0.6667), (1, 1, 1.0), (1, 2, 0.5)]
    assert [(_r(m[k], "handling_on_time")) for k in ("2026-01", "2026-02", "2026-03")] == [
        (3, 4, 0.75), (0, 1, 0.0), (1, 1, 1.0)]
    assert _r(m["2026-01"], "rehandle") == (1, 4, 0.25) and _r(m["2026-02"], "extension") == (1, 1, 1.0)
    assert [(_r(m[k], "satisfaction")) for k in ("2026-01", "2026-02", "2026-03")] == [
        (2, 3, 0.6667), (1, 1, 1.0), (1, 1, 1.0)]
    assert _r(m["2026-02"], "return") == (1, 1, 1.0) and _r(m["2026-01"], "return") == (0, 4, 0.0)
    assert _r(m["2026-04"], "handling_on_time") == (0, 0, None)


def test_year_by_category(engine, world):
    with read_session(engine) as s:
        c = hotline_stats(s, world["a"], 2026)["by_category"]
    assert list(c) == ["consult", "help", "complaint", "report", "suggestion"]
    assert {k: v["label"] for k, v in c.items()} == {
        "consult": "咨询", "help": "求助", "complaint": "投诉", "report": "举报", "suggestion": "意见建议"}
    assert {k: v["received"] for k, v in c.items()} == {
        "consult": 1, "help": 2, "complaint": 3, "report": 1, "suggestion": 1}
    assert _r(c["help"], "return") == (1, 2, 0.5)
    assert [(_r(c[k], "sign_for_on_time")) for k in c] == [
        (1, 1, 1.0), (1, 1, 1.0), (1, 2, 0.5), (0, 1, 0.0), (1, 1, 1.0)]
    assert _r(c["complaint"], "handling_on_time") == (2, 3, 0.6667)
    assert _r(c["complaint"], "extension") == (1, 3, 0.3333)
    assert _r(c["consult"], "handling_on_time") == (1, 2, 0.5) and _r(c["consult"], "rehandle") == (1, 2, 0.5)
    assert _r(c["consult"], "satisfaction") == (1, 2, 0.5) and _r(c["complaint"], "satisfaction") == (2, 2, 1.0)
    assert _r(c["report"], "handling_on_time") == (0, 0, None)


def test_sub_period_all_agencies_and_provider(engine, world):
    jan = Period(date(2026, 1, 1), date(2026, 1, 31))
    with read_session(engine) as s:
        a = hotline_stats(s, world["a"], jan)
        everyone = hotline_stats(s, None, 2026)
        both = stats_for_leaders(s, world["a"], jan)
        y2025 = hotline_stats(s, world["a"], 2025)
    assert list(a["by_month"]) == ["2026-01"]
    assert a["received"] == 4 and _r(a, "sign_for_on_time") == (2, 3, 0.6667)
    assert _r(a, "handling_on_time") == (3, 4, 0.75) and _r(a, "satisfaction") == (2, 3, 0.6667)
    assert everyone["received"] == 9 and _r(everyone, "sign_for_on_time") == (5, 7, 0.7143)
    assert set(both) == {"disclosure", "hotline"} and both["hotline"] == a
    assert y2025["received"] == 1 and _r(y2025, "sign_for_on_time") == (1, 1, 1.0)
    assert _r(y2025, "handling_on_time") == (0, 0, None)


def test_four_grouped_queries_and_no_order_rows(engine, world):
    """The figures come from four GROUP BY statements; none selects order rows."""
    seen: list[str] = []

    def grab(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    with read_session(engine) as s:
        hotline_stats(s, world["a"], 2026)  # warm the agency look-up cache
        event.listen(engine, "before_cursor_execute", grab)
        try:
            hotline_stats(s, world["a"], 2026)
        finally:
            event.remove(engine, "before_cursor_execute", grab)
    grouped = [q for q in seen if "GROUP BY" in q]
    assert len(grouped) == 4, seen
    assert all("GROUP BY" in q or "FROM agency" in q for q in seen), seen
