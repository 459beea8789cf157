"""The annual report from SQL on SQLite and PostgreSQL against hand-computed tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import insert, update
from sqlmodel import col

from db.engine import read_session
from db.models import Disclosure
from states.annual_report import ROWS
from tests.report import factory as f
from tests.report import scripted as s
from workflow.reports.annual import annual_report
from workflow.reports.events import crosscheck_table3


def test_scripted_year_2021(engine):
    ids = s.build(engine)
    with read_session(engine) as session:
        rep = annual_report(session, ids["a"], 2026, "2021")
    assert [r.key for r in rep.table3.rows] == list(s.EXPECTED_2021)
    assert {k: list(v) for k, v in rep.table3.values.items()} == s.EXPECTED_2021
    assert list(rep.table4.values) == s.EXPECTED_TABLE4
    assert rep.table2.fee_yuan == 450
    assert rep.table2.fee_wan == Decimal("0.0450")
    assert rep.agency_name == "某县某局"
    assert all(c.ok for c in rep.checks), [c for c in rep.checks if not c.ok]


def test_scripted_year_2019_collapses_other(engine):
    ids = s.build(engine)
    with read_session(engine) as session:
        rep = annual_report(session, ids["a"], 2026, "2019")
    assert [r.key for r in rep.table3.rows] == [r.key for r in ROWS["2019"]]
    assert len(rep.table3.rows) == 23
    assert list(rep.table3.values["3.6"]) == s.EXPECTED_2019_OTHER
    for key, vec in s.EXPECTED_2021.items():
        if not key.startswith("3.6"):
            assert list(rep.table3.values[key]) == vec, key
    assert rep.ok


def test_all_agencies_is_the_sum(engine):
    s.build(engine)
    with read_session(engine) as session:
        rep = annual_report(session, None, 2026)
    for key, vec in s.EXPECTED_2021.items():
        diff = s.EXPECTED_ALL_AGENCIES_DIFF.get(key, [0] * 7)
        assert list(rep.table3.values[key]) == [a + b for a, b in zip(vec, diff, strict=True)], key
    assert rep.table2.fee_wan == Decimal("0.1450")
    assert rep.table4.values[3] == 3  # agency B's pending reconsideration is added
    assert rep.agency_name == "全部机关（汇总）"
    assert rep.ok


def test_past_year_does_not_change_when_later_work_is_done(engine):
    ids = s.build(engine)
    with read_session(engine) as session:
        before = annual_report(session, ids["a"], 2026).to_json()
    # 2027: conclude the open cases, receive and conclude new ones, take fees and decide remedies.
    open_ids = [ids["ids_a"][i] for i, row in enumerate(s.AGENCY_A) if row[2] is None and row[1] is not None]
    with engine.begin() as conn:
        conn.execute(update(Disclosure).where(col(Disclosure.id).in_(open_ids))
                     .values(concluded_date=date(2027, 2, 1), report_row="3.1", state="replied",
                             concluded_at=f.at(date(2027, 2, 1), 16), replied_at=f.at(date(2027, 2, 1), 16)))
        conn.execute(insert(Disclosure), [
            f.disclosure_row(ids["a"], s.N, date(2027, 1, 4), date(2027, 1, 20), "3.2",
                             fee_amount=90, fee_paid_date=date(2027, 1, 10)),
            f.disclosure_row(ids["a"], s.B, date(2027, 3, 1), None, None),
        ])
    with read_session(engine) as session:
        after = annual_report(session, ids["a"], 2026).to_json()
        next_year = annual_report(session, ids["a"], 2027)
    assert after == before
    # 二 of the next year is 四 of this one
    assert list(next_year.table3.values["2"]) == s.EXPECTED_2021["4"]
    assert next_year.ok


def test_event_history_recount_agrees(engine):
    ids = s.build(engine)
    with read_session(engine) as session:
        rep = annual_report(session, ids["a"], 2026)
        checks = crosscheck_table3(session, ids["a"], rep.table3, 2026)
        rep_all = annual_report(session, None, 2026)
        checks_all = crosscheck_table3(session, None, rep_all.table3, 2026)
    assert len(checks) == 28
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert all(c.ok for c in checks_all)
    four = [c for c in checks if c.name_zh.startswith("第四项")]
    assert [c.rhs for c in four] == s.EXPECTED_2021["4"]


def test_event_history_recount_flags_a_column_changed_afterwards(engine):
    ids = s.build(engine)
    # registered on 4 Jan 2027 (so recorded in the audit trail), then the column is back-dated
    row = f.disclosure_row(ids["a"], s.R, date(2027, 1, 4), None, None)
    new_id = f.insert_disclosures(engine, [row])[0]
    with engine.begin() as conn:
        conn.execute(update(Disclosure).where(col(Disclosure.id) == new_id).values(receipt_date=date(2026, 12, 31)))
    with read_session(engine) as session:
        rep = annual_report(session, ids["a"], 2026)
        bad = [c for c in crosscheck_table3(session, ids["a"], rep.table3, 2026) if not c.ok]
    assert rep.ok  # the report itself balances
    assert {(c.name_zh[:3], c.column) for c in bad} == {("第一项", "科研机构"), ("第一项", "总计"),
                                                        ("第四项", "科研机构"), ("第四项", "总计")}
