"""Cross-check of table 三 against the audit trail (``Event`` rows), independent of the date columns.

The report counts from receipt_date/concluded_date; this recounts 一, 二, 三（七） and 四 from
*when* the receipt and conclusion events were written (in the agency's time zone). The two agree
whenever an application is registered on its receipt date and concluded on its conclusion date;
a difference points at a case to look at (e.g. a posted letter signed for on 31 Dec but
registered on 2 Jan), so the checks are shown, not enforced.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, func, literal, select
from sqlmodel import Session, SQLModel

import db.models  # noqa: F401  (registers the tables in SQLModel.metadata)
from states.annual_report import CATEGORIES, COLUMN_LABELS, Check, Table3

D = SQLModel.metadata.tables["disclosure"]
E = SQLModel.metadata.tables["event"]


@dataclass(frozen=True)
class EventVocabulary:
    """Which ``Event.action`` values mark receipt and conclusion of a disclosure application."""

    receipt_actions: frozenset[str] = field(default_factory=lambda: frozenset({"register", "confirm"}))
    conclusion_actions: frozenset[str] = field(
        default_factory=lambda: frozenset({"reply", "close", "close_correction_lapsed", "close_fee_unpaid",
                                           "withdraw"}))


DEFAULT_VOCABULARY = EventVocabulary()


def _event_before(actions: frozenset[str], before: datetime, after: datetime | None = None) -> ColumnElement[bool]:
    e = E.c
    cond = [e.case_kind == "disclosure", e.case_id == D.c.id, e.action.in_(sorted(actions)), e.created_at < before]
    if after is not None:
        cond.append(e.created_at >= after)
    return exists().where(and_(*cond))


def counts_from_events(
    session: Session,
    agency_id: int | None,
    year: int,
    *,
    vocabulary: EventVocabulary = DEFAULT_VOCABULARY,
    tz: str = "Asia/Shanghai",
) -> dict[str, Counter[str]]:
    """Per-category counts of 一 (received), 二 (carried), 三（七） (concluded) and 四 (open) from events."""
    zone = ZoneInfo(tz)
    start = datetime.combine(date(year, 1, 1), time(), zone)
    end = datetime.combine(date(year + 1, 1, 1), time(), zone)
    rec, con = vocabulary.receipt_actions, vocabulary.conclusion_actions
    agency = literal(True) if agency_id is None else D.c.agency_id == agency_id
    queries = {
        "received": and_(_event_before(rec, end, start), ~_event_before(rec, start)),
        "carried": and_(_event_before(rec, start), ~_event_before(con, start)),
        "concluded": and_(_event_before(rec, end), _event_before(con, end, start), ~_event_before(con, start)),
        "open_at_end": and_(_event_before(rec, end), ~_event_before(con, end)),
    }
    out: dict[str, Counter[str]] = {}
    for name, cond in queries.items():
        stmt = select(D.c.applicant_category, func.count()).where(agency, cond).group_by(D.c.applicant_category)
        out[name] = Counter({cat: n for cat, n in session.execute(stmt)})
    return out


def crosscheck_table3(
    session: Session,
    agency_id: int | None,
    table: Table3,
    year: int,
    *,
    vocabulary: EventVocabulary = DEFAULT_VOCABULARY,
    tz: str = "Asia/Shanghai",
) -> list[Check]:
    """Checks that 一, 二, 三（七） and 四 of ``table`` equal their recount from the event history."""
    counts = counts_from_events(session, agency_id, year, vocabulary=vocabulary, tz=tz)
    rows = {"received": ("1", "第一项"), "carried": ("2", "第二项"), "concluded": ("3.7", "第三项（七）总计"),
            "open_at_end": ("4", "第四项")}
    out = []
    for name, (key, label) in rows.items():
        events = [counts[name].get(cat, 0) for cat in CATEGORIES]
        events.append(sum(events))
        for i, col in enumerate(COLUMN_LABELS):
            lhs, rhs = table.values[key][i], events[i]
            out.append(Check(f"{label}与事件记录复核一致", col, lhs == rhs, lhs, rhs))
    return out
