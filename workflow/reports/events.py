"""Cross-check of table 三 against the audit trail (``Event`` rows), independent of the date columns.

The report counts from the receipt_date/concluded_date columns; this recounts 一, 二, 三（七） and
四 from the append-only audit trail instead: the receipt date the ``register`` event recorded in
its payload, and the moment the concluding event (``reply``, ``lapse_correction``, ``lapse_fee``,
``withdraw``) was written (a withdrawal: its recorded ``withdrawn_date``). Both are written in the
same transaction as the columns, so a difference means a column changed after the fact, or a
conclusion recorded on a later day than its date (a back-dated withdrawal across a year end): the
checks are shown, not enforced.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, select
from sqlmodel import Session, SQLModel

import db.models  # noqa: F401  (registers the tables in SQLModel.metadata)
from states.annual_report import CATEGORIES, COLUMN_LABELS, Check, Table3
from states.vocab import CaseKindName

D = SQLModel.metadata.tables["disclosure"]
E = SQLModel.metadata.tables["event"]


@dataclass(frozen=True)
class EventVocabulary:
    """Which ``Event.action`` values mark receipt and conclusion, and the payload keys holding their dates."""

    receipt_actions: frozenset[str] = frozenset({"register", "confirm_submission"})
    conclusion_actions: frozenset[str] = frozenset({"reply", "lapse_correction", "lapse_fee", "withdraw"})
    receipt_date_key: str = "receipt_date"  # register's payload: the legal receipt date (条例第三十一条)
    conclusion_date_key: str = "withdrawn_date"  # withdraw's payload: the date the applicant withdrew


DEFAULT_VOCABULARY = EventVocabulary()


def _event_before(actions: frozenset[str], date_key: str, day: date, tz: ZoneInfo) -> ColumnElement[bool]:
    """EXISTS an event of ``actions`` on the case dated before ``day``: its payload date, else when written."""
    e = E.c
    recorded = e.payload[date_key].as_string()
    before = case((recorded.is_not(None), recorded < day.isoformat()),
                  else_=e.created_at < datetime.combine(day, time(), tz))
    return exists().where(and_(e.case_kind == CaseKindName.DISCLOSURE, e.case_id == D.c.id, e.action.in_(sorted(actions)),
                               before))


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
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    v = vocabulary

    def received_by(day: date) -> ColumnElement[bool]:
        return _event_before(v.receipt_actions, v.receipt_date_key, day, zone)

    def concluded_by(day: date) -> ColumnElement[bool]:
        return _event_before(v.conclusion_actions, v.conclusion_date_key, day, zone)

    agency = literal(True) if agency_id is None else D.c.agency_id == agency_id
    queries = {
        "received": and_(received_by(end), ~received_by(start)),
        "carried": and_(received_by(start), ~concluded_by(start)),
        "concluded": and_(received_by(end), concluded_by(end), ~concluded_by(start)),
        "open_at_end": and_(received_by(end), ~concluded_by(end)),
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
