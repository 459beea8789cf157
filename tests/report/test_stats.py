"""Leaders' disclosure statistics on the scripted year (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update
from sqlmodel import col

from db.engine import read_session
from db.models import Clock, Disclosure
from tests.report import factory as f
from tests.report import scripted as s
from workflow.reports import stats as report_stats
from workflow.reports.annual import Period, disclosure_stats, stats_for_leaders
from workflow.reports.stats import MondayToFriday


def _setup(engine):
    ids = s.build(engine)
    a, x = ids["a"], ids["ids_a"]
    ux, uy = f.unit(engine, a, "办公室"), f.unit(engine, a, "法规科")
    u1, u2 = f.user(engine, a, ux, "zhang"), f.user(engine, a, uy, "li")
    with engine.begin() as conn:
        for idx, (user, unit) in {7: (u1, ux), 11: (u1, ux), 34: (u1, ux), 13: (u2, uy), 36: (u2, uy)}.items():
            conn.execute(update(Disclosure).where(col(Disclosure.id) == x[idx]).values(assignee_id=user, unit_id=unit))
        conn.execute(update(Disclosure).where(col(Disclosure.id).in_([x[11], x[24], x[34]])).values(extended=True))
    f.insert_rows(engine, Clock, [
        f.reply_clock(a, x[7], date(2026, 2, 2), f.at(date(2026, 1, 20), 16), u1),  # on time
        f.reply_clock(a, x[11], date(2026, 3, 20), f.at(date(2026, 3, 25), 16), u1),  # late
        f.reply_clock(a, x[13], date(2026, 4, 28), f.at(date(2026, 4, 28), 23), u2),  # last evening: on time
        f.reply_clock(a, x[5], date(2025, 3, 28), f.at(date(2025, 3, 20), 16)),  # met in 2025
        f.reply_clock(a, x[34], date(2027, 1, 8), None, u1, status="running"),
        f.reply_clock(ids["b"], 99999, date(2026, 4, 1), f.at(date(2026, 3, 20), 16)),  # other agency
    ])
    return ids, u1, u2, ux, uy


def test_year_figures(engine):
    ids, u1, u2, ux, uy = _setup(engine)
    with read_session(engine) as session:
        st = disclosure_stats(session, ids["a"], 2026)
    assert st["period"] == {"start": "2026-01-01", "end": "2026-12-31"}
    assert list(st["received_by_month"].values()) == [2, 1, 2, 3, 5, 5, 5, 2, 2, 0, 0, 3]
    assert list(st["concluded_by_month"].values()) == [5, 1, 2, 3, 5, 4, 6, 1, 3, 0, 0, 1]
    assert st["received"] == 30 and st["concluded"] == 31 and st["open_at_end"] == 4
    assert st["by_category"] == {"disclose": 5, "not_processed": 5, "other": 5, "partial": 2, "refuse": 9,
                                 "unavailable": 5}
    assert sum(st["by_row"].values()) == 31 and st["by_row"]["3.6.3"] == 3
    assert st["extended"] == 2  # the third extended case is still open
    assert (st["replies_with_clock"], st["replied_on_time"], st["on_time_rate"]) == (3, 2, 0.6667)
    assert st["by_officer"] == [
        {"assignee_id": u1, "concluded": 2, "open_at_end": 1, "replied_on_time": 1, "replies_with_clock": 2},
        {"assignee_id": u2, "concluded": 1, "open_at_end": 1, "replied_on_time": 1, "replies_with_clock": 1},
        {"assignee_id": None, "concluded": 28, "open_at_end": 2, "replied_on_time": 0, "replies_with_clock": 0},
    ]
    assert st["by_unit"] == [
        {"unit_id": ux, "concluded": 2, "open_at_end": 1},
        {"unit_id": uy, "concluded": 1, "open_at_end": 1},
        {"unit_id": None, "concluded": 28, "open_at_end": 2},
    ]


class _Holidays:
    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5 and day not in (date(2026, 1, 1), date(2026, 1, 2))


def test_working_days_to_reply_in_a_date_range(engine):
    ids, *_ = _setup(engine)
    jan = Period(date(2026, 1, 1), date(2026, 1, 31))
    with read_session(engine) as session:
        plain = disclosure_stats(session, ids["a"], jan, calendar=MondayToFriday())
        with_calendar = disclosure_stats(session, ids["a"], (jan.start, jan.end), calendar=_Holidays())
        stored = disclosure_stats(session, ids["a"], jan)
    assert list(plain["received_by_month"]) == ["2026-01"]
    assert plain["concluded"] == 5
    # replies in January: 18, 33, 1 and 11 working days (Mon–Fri) → 15.75
    assert plain["avg_working_days_to_reply"] == 15.75
    assert plain["working_days_basis"] == "MondayToFriday"
    # with 1 and 2 January as holidays: 16, 31, 0 and 11 → 14.5
    assert with_calendar["avg_working_days_to_reply"] == 14.5
    # the stored calendar (seeded from the State Council notice): 元旦 1–3 Jan 2026 off, Sunday 4 Jan worked
    # → 17, 32, 0 and 11 → 15.0
    assert stored["working_days_basis"] == "WorkCalendar"
    assert stored["avg_working_days_to_reply"] == 15.0


def test_all_agencies_and_the_provider_hook(engine, monkeypatch):
    _setup(engine)
    monkeypatch.setattr(report_stats, "_PROVIDERS", dict(report_stats._PROVIDERS))
    report_stats.register_stats_provider("hotline", lambda session, agency, period, cal: {"orders": 0})
    with read_session(engine) as session:
        both = stats_for_leaders(session, None, 2026)
    assert set(both) == {"disclosure", "hotline"}
    assert both["disclosure"]["received"] == 32
    assert both["disclosure"]["replies_with_clock"] == 4


def test_period_validation():
    with pytest.raises(ValueError):
        Period(date(2026, 2, 1), date(2026, 1, 1))
    assert Period(date(2025, 11, 15), date(2026, 2, 1)).months() == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_period_days_are_read_in_the_agencys_zone(engine):
    """Like the 12345 figures, the disclosure figures read a period's days in the agency's zone: a reply
    at 23:30 on 31 December in Urumqi (01:30 on 1 January in Beijing) belongs to that year there."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from db.models import Agency

    ids, u1, *_ = _setup(engine)
    a, x = ids["a"], ids["ids_a"]
    late = datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("Asia/Urumqi"))
    f.insert_rows(engine, Clock, [f.reply_clock(a, x[36], date(2027, 1, 5), late, u1)])
    with read_session(engine) as session:
        assert disclosure_stats(session, a, 2026)["replies_with_clock"] == 3  # Beijing: next year
    with engine.begin() as conn:
        conn.execute(update(Agency).where(col(Agency.id) == a).values(settings={"timezone": "Asia/Urumqi"}))
    with read_session(engine) as session:
        assert disclosure_stats(session, a, 2026)["replies_with_clock"] == 4
        both = stats_for_leaders(session, a, 2026)
    assert both["disclosure"]["replies_with_clock"] == 4 and both["hotline"]["timezone"] == "Asia/Urumqi"


def test_period_from_text_is_one_reading_for_the_dashboard_and_the_download():
    from workflow.errors import DomainValidation
    from workflow.reports.files import period_from_text

    today = date(2026, 11, 26)
    assert period_from_text("", "", today) == Period(date(2026, 1, 1), today)
    assert period_from_text(" 2026-03-01 ", "2026-03-31", today) == Period(date(2026, 3, 1), date(2026, 3, 31))
    for start, end, fields in (("3月", "", ["from"]), ("2026-13-01", "x", ["from", "to"]),
                               ("2026-04-01", "2026-03-01", ["to"])):
        with pytest.raises(DomainValidation) as exc:
            period_from_text(start, end, today)
        assert [f["field"] for f in exc.value.fields] == fields
