"""Random applications over three years: check rules hold every year, and SQL equals the pure model."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from db.engine import read_session
from db.models import Disclosure, RemedyCase
from states.annual_report import CATEGORIES, REMEDY_KINDS, RESULT_KEYS, check_table3, check_table4
from states.annual_report_model import (
    ApplicationRecord,
    RemedyRecord,
    aggregate,
    aggregate_remedies,
    fees_in_year,
)
from tests.report import factory as f
from workflow.reports.annual import fees_collected, table3_counts, table4_counts

START = date(2024, 1, 1)
YEARS = (2024, 2025, 2026)


@st.composite
def application(draw) -> tuple[ApplicationRecord, tuple[date | None, int | None]]:
    category = draw(st.sampled_from(CATEGORIES))
    if draw(st.integers(0, 15)) == 0:
        return ApplicationRecord(category, None, None, None), (None, None)
    receipt = START + timedelta(days=draw(st.integers(0, 3 * 365)))
    concluded = None
    row = None
    if draw(st.booleans()) or draw(st.booleans()):
        concluded = receipt + timedelta(days=draw(st.integers(0, 120)))
        row = draw(st.sampled_from(RESULT_KEYS["2021"]))
    fee: tuple[date | None, int | None] = (None, None)
    if draw(st.integers(0, 5)) == 0:
        fee = (receipt + timedelta(days=draw(st.integers(0, 60))), draw(st.integers(1, 5000)))
    return ApplicationRecord(category, receipt, concluded, row), fee


remedy = st.builds(
    lambda kind, filed, days, outcome: RemedyRecord(kind, filed, None if days is None else filed + timedelta(days),
                                                    outcome if days is not None else "pending"),
    st.sampled_from(REMEDY_KINDS), st.dates(START, date(2026, 12, 31)),
    st.none() | st.integers(0, 200), st.sampled_from(["upheld", "corrected", "other"]))


@given(st.lists(application(), max_size=40))
@settings(max_examples=60, deadline=None)
def test_check_rules_hold_every_year(apps):
    records = [a for a, _ in apps]
    for year in YEARS:
        for fmt in ("2021", "2019"):
            assert all(c.ok for c in check_table3(aggregate(records, year, fmt)))


@given(st.lists(application(), max_size=30), st.lists(remedy, max_size=8))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_sql_equals_pure_model(sqlite_engine, apps, remedies):
    agency = _agency(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.execute(delete(Disclosure))
        conn.execute(delete(RemedyCase))
    rows = [f.disclosure_row(agency, a.category, a.receipt_date, a.concluded_date, a.report_row,
                             fee_amount=amount, fee_paid_date=paid) for a, (paid, amount) in apps]
    f.insert_rows(sqlite_engine, Disclosure, rows)
    f.insert_rows(sqlite_engine, RemedyCase, [f.remedy(agency, r.kind, r.filed_date, r.outcome, r.decided_date)
                                              for r in remedies])
    records = [a for a, _ in apps]
    with read_session(sqlite_engine) as session:
        for year in YEARS:
            for fmt in ("2021", "2019"):
                assert table3_counts(session, agency, year, fmt) == aggregate(records, year, fmt)
            t4 = table4_counts(session, agency, year)
            assert t4 == aggregate_remedies(remedies, year)
            assert all(c.ok for c in check_table4(t4))
            assert fees_collected(session, agency, year) == fees_in_year((fee for _, fee in apps), year)


_AGENCIES: dict[int, int] = {}


def _agency(engine) -> int:
    key = id(engine)
    if key not in _AGENCIES:
        _AGENCIES[key] = f.agency(engine, f"p{key}", "某局")
    return _AGENCIES[key]
