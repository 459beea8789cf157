"""A scripted year (2026) of applications for two agencies, with the tables computed by hand."""

from __future__ import annotations

from datetime import date as d
from typing import Any

from sqlalchemy import Engine

from db.models import Consultation, RemedyCase
from tests.report import factory as f

N, B, R, P, L, O = "natural", "business", "research", "public_welfare", "legal_service", "other"  # noqa: E741

# (category, receipt_date, concluded_date, report_row) for agency A
AGENCY_A: list[tuple[str, d | None, d | None, str | None]] = [
    # carried in from 2025 and concluded in 2026
    (N, d(2025, 12, 15), d(2026, 1, 8), "3.1"),
    (N, d(2025, 11, 20), d(2026, 1, 6), "3.3.4"),
    (B, d(2025, 12, 20), d(2026, 1, 10), "3.6.3"),  # withdrawn
    (P, d(2025, 12, 31), d(2026, 1, 1), "3.4.1"),  # last day in, first day out
    # carried in and still open on 31 Dec 2026
    (O, d(2025, 12, 30), None, None),
    # concluded in 2025: not in the 2026 report at all
    (N, d(2025, 3, 1), d(2025, 3, 20), "3.1"),
    # online submission never confirmed: not received
    (N, None, None, None),
    # received in 2026, one per decision row at least
    (N, d(2026, 1, 5), d(2026, 1, 20), "3.1"),
    (N, d(2026, 2, 1), d(2026, 2, 15), "3.1"),
    (B, d(2026, 3, 1), d(2026, 3, 10), "3.1"),
    (R, d(2026, 1, 1), d(2026, 12, 31), "3.1"),  # first day in, last day out
    (N, d(2026, 3, 2), d(2026, 3, 25), "3.2"),
    (L, d(2026, 4, 1), d(2026, 4, 20), "3.2"),
    (N, d(2026, 4, 2), d(2026, 4, 28), "3.3.1"),
    (B, d(2026, 4, 3), d(2026, 4, 29), "3.3.2"),
    (R, d(2026, 5, 6), d(2026, 5, 20), "3.3.3"),
    (P, d(2026, 5, 7), d(2026, 5, 21), "3.3.4"),
    (L, d(2026, 5, 8), d(2026, 5, 22), "3.3.5"),
    (O, d(2026, 5, 11), d(2026, 5, 25), "3.3.6"),
    (N, d(2026, 5, 12), d(2026, 5, 26), "3.3.7"),
    (N, d(2026, 6, 1), d(2026, 6, 15), "3.3.8"),
    (N, d(2026, 6, 2), d(2026, 6, 16), "3.4.1"),
    (B, d(2026, 6, 3), d(2026, 6, 17), "3.4.1"),
    (R, d(2026, 6, 4), d(2026, 6, 18), "3.4.2"),
    (N, d(2026, 6, 5), d(2026, 7, 20), "3.4.3"),
    (N, d(2026, 7, 1), d(2026, 7, 10), "3.5.1"),
    (N, d(2026, 7, 2), d(2026, 7, 11), "3.5.2"),
    (P, d(2026, 7, 3), d(2026, 7, 12), "3.5.3"),
    (N, d(2026, 7, 6), d(2026, 7, 20), "3.5.4"),
    (L, d(2026, 7, 7), d(2026, 7, 21), "3.5.5"),
    (N, d(2026, 8, 3), d(2026, 8, 31), "3.6.1"),  # correction lapsed
    (B, d(2026, 8, 4), d(2026, 9, 10), "3.6.2"),  # fee unpaid
    (N, d(2026, 9, 1), d(2026, 9, 5), "3.6.3"),  # withdrawn
    (O, d(2026, 9, 2), d(2026, 9, 6), "3.6.3"),  # withdrawn
    # received in 2026 and open on 31 Dec
    (N, d(2026, 12, 10), None, None),
    (N, d(2026, 12, 20), d(2027, 1, 15), "3.1"),  # concluded in the next year
    (L, d(2026, 12, 28), None, None),
]
AGENCY_B: list[tuple[str, d | None, d | None, str | None]] = [
    (B, d(2026, 3, 3), d(2026, 3, 20), "3.1"),
    (N, d(2026, 11, 30), None, None),
]

# Fees (元) by index in AGENCY_A: paid in 2026: 100 + 350; paid in 2025: 200 (not counted).
FEES_A = {9: (100, d(2026, 3, 5)), 7: (350, d(2026, 2, 10)), 0: (200, d(2025, 12, 18))}
FEES_B = {0: (1000, d(2026, 3, 15))}

#                         自然人 商业 科研 公益 法律 其他 总计
EXPECTED_2021: dict[str, list[int]] = {
    "1":     [15, 4, 3, 2, 4, 2, 30],
    "2":     [2, 1, 0, 1, 0, 1, 5],
    "3.1":   [3, 1, 1, 0, 0, 0, 5],
    "3.2":   [1, 0, 0, 0, 1, 0, 2],
    "3.3.1": [1, 0, 0, 0, 0, 0, 1],
    "3.3.2": [0, 1, 0, 0, 0, 0, 1],
    "3.3.3": [0, 0, 1, 0, 0, 0, 1],
    "3.3.4": [1, 0, 0, 1, 0, 0, 2],
    "3.3.5": [0, 0, 0, 0, 1, 0, 1],
    "3.3.6": [0, 0, 0, 0, 0, 1, 1],
    "3.3.7": [1, 0, 0, 0, 0, 0, 1],
    "3.3.8": [1, 0, 0, 0, 0, 0, 1],
    "3.4.1": [1, 1, 0, 1, 0, 0, 3],
    "3.4.2": [0, 0, 1, 0, 0, 0, 1],
    "3.4.3": [1, 0, 0, 0, 0, 0, 1],
    "3.5.1": [1, 0, 0, 0, 0, 0, 1],
    "3.5.2": [1, 0, 0, 0, 0, 0, 1],
    "3.5.3": [0, 0, 0, 1, 0, 0, 1],
    "3.5.4": [1, 0, 0, 0, 0, 0, 1],
    "3.5.5": [0, 0, 0, 0, 1, 0, 1],
    "3.6.1": [1, 0, 0, 0, 0, 0, 1],
    "3.6.2": [0, 1, 0, 0, 0, 0, 1],
    "3.6.3": [1, 1, 0, 0, 0, 1, 3],
    "3.7":   [15, 5, 3, 3, 3, 2, 31],
    "4":     [2, 0, 0, 0, 1, 1, 4],
}
EXPECTED_2019_OTHER = [2, 2, 0, 0, 0, 1, 5]  # （六）其他处理 as one row
EXPECTED_ALL_AGENCIES_DIFF = {"1": [1, 1, 0, 0, 0, 0, 2], "3.1": [0, 1, 0, 0, 0, 0, 1],
                              "3.7": [0, 1, 0, 0, 0, 0, 1], "4": [1, 0, 0, 0, 0, 0, 1]}

EXPECTED_TABLE4 = [2, 1, 1, 2, 6, 0, 1, 0, 1, 2, 2, 0, 1, 0, 3]


def remedies(agency_id: int) -> list[dict[str, Any]]:
    rc, ld, la = "reconsideration", "litigation_direct", "litigation_after_reconsideration"
    return [
        f.remedy(agency_id, rc, d(2026, 2, 1), "upheld", d(2026, 3, 1)),
        f.remedy(agency_id, rc, d(2026, 4, 1), "upheld", d(2026, 5, 1)),
        f.remedy(agency_id, rc, d(2026, 4, 2), "corrected", d(2026, 5, 2)),
        f.remedy(agency_id, rc, d(2026, 4, 3), "other", d(2026, 5, 3)),
        f.remedy(agency_id, rc, d(2026, 12, 1), "upheld", d(2027, 1, 10)),  # decided after 31 Dec: 尚未审结
        f.remedy(agency_id, rc, d(2026, 12, 5)),  # pending
        f.remedy(agency_id, rc, d(2025, 6, 1), "upheld", d(2026, 1, 5)),  # filed in 2025: not counted
        f.remedy(agency_id, ld, d(2026, 5, 1), "corrected", d(2026, 9, 1)),
        f.remedy(agency_id, ld, d(2026, 10, 1)),
        f.remedy(agency_id, la, d(2026, 3, 1), "other", d(2026, 6, 1)),
        f.remedy(agency_id, la, d(2026, 3, 2), "upheld", d(2026, 6, 2)),
        f.remedy(agency_id, la, d(2026, 3, 3), "upheld", d(2026, 6, 3)),
    ]


def build(engine: Engine) -> dict[str, Any]:
    """Insert both agencies' data; return their ids and the ids of agency A's applications."""
    a = f.agency(engine, "a", "某县某局")
    b = f.agency(engine, "b", "某县另一局")
    rows_a = []
    for i, (cat, rec, con, row) in enumerate(AGENCY_A):
        extra: dict[str, Any] = {}
        if i in FEES_A:
            extra = {"fee_method": "item", "fee_amount": FEES_A[i][0], "fee_paid_date": FEES_A[i][1]}
        rows_a.append(f.disclosure_row(a, cat, rec, con, row, **extra))
    ids_a = f.insert_disclosures(engine, rows_a)
    rows_b = [f.disclosure_row(b, cat, rec, con, row) for cat, rec, con, row in AGENCY_B]
    rows_b[0].update(fee_method="page", fee_amount=FEES_B[0][0], fee_paid_date=FEES_B[0][1])
    f.insert_disclosures(engine, rows_b)
    # a third-party consultation on the 3.3.4 refusal (does not change any count)
    f.insert_rows(engine, Consultation, [dict(disclosure_id=ids_a[16], consultee_kind="third_party",
                                              consultee_name="某公司", sent_date=d(2026, 5, 8),
                                              received_date=d(2026, 5, 15), opinion="object")])
    f.insert_rows(engine, RemedyCase, [*remedies(a), f.remedy(b, "reconsideration", d(2026, 1, 1))])
    return {"a": a, "b": b, "ids_a": ids_a}
