"""The counting rules of the annual report as plain Python over records: the reference model (pure).

``workflow.reports.annual`` computes the same numbers with SQL GROUP BY; tests compare the two. The rules
(docs/annual-report.md) depend only on fields written once: receipt_date, concluded_date,
report_row, applicant_category, and for table 四 filed_date/decided_date/outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from states.annual_report import ReportFormat, Table3, Table4, remedy_bucket


@dataclass(frozen=True)
class ApplicationRecord:
    """The fields of a Disclosure row that table 三 reads."""

    category: str
    receipt_date: date | None
    concluded_date: date | None
    report_row: str | None


@dataclass(frozen=True)
class RemedyRecord:
    """The fields of a RemedyCase row that table 四 reads."""

    kind: str
    filed_date: date
    decided_date: date | None
    outcome: str


def is_open_at(r: ApplicationRecord, day: date) -> bool:
    """Received on or before ``day`` and not concluded by the end of ``day``."""
    return (r.receipt_date is not None and r.receipt_date <= day
            and (r.concluded_date is None or r.concluded_date > day))


def aggregate(records: Iterable[ApplicationRecord], year: int, fmt: ReportFormat = "2021") -> Table3:
    """Table 三 for ``year``: 一 received in the year, 二 open on 1 Jan, 三 concluded in the year, 四 open on 31 Dec."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    received: Counter[str] = Counter()
    carried: Counter[str] = Counter()
    open_end: Counter[str] = Counter()
    concluded: dict[str, Counter[str]] = {}
    for r in records:
        if r.receipt_date is None:
            continue  # not received (e.g. an online submission never confirmed)
        if first <= r.receipt_date <= last:
            received[r.category] += 1
        if r.receipt_date < first and (r.concluded_date is None or r.concluded_date >= first):
            carried[r.category] += 1
        if r.concluded_date is not None and first <= r.concluded_date <= last:
            concluded.setdefault(r.report_row or "", Counter())[r.category] += 1
        if is_open_at(r, last):
            open_end[r.category] += 1
    return Table3.from_counts(received, carried, concluded, open_end, fmt)


def aggregate_remedies(records: Iterable[RemedyRecord], year: int) -> Table4:
    """Table 四 for ``year``: cases filed in the year, 尚未审结 unless decided by 31 Dec."""
    last = date(year, 12, 31)
    counts: Counter[tuple[str, str]] = Counter()
    for r in records:
        if r.filed_date.year != year:
            continue
        decided = r.decided_date is not None and r.decided_date <= last
        counts[(r.kind, remedy_bucket(r.outcome, decided))] += 1
    return Table4.from_counts(counts)


def fees_in_year(paid: Iterable[tuple[date | None, int | None]], year: int) -> int:
    """Sum of fee amounts (元) whose payment date falls in ``year``."""
    return sum(amount or 0 for day, amount in paid if day is not None and day.year == year)
