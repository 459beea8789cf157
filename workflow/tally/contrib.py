"""What one case row or one clock row contributes to the summaries (``case_tally``): pure, from the row's values.

The hook adds a row's contribution after a change and subtracts the one before it; the rebuild adds every row's. A
key is (agency, kind, grain, day, officer, unit, applicant category, table-三 row, state); each grain fills only the
key columns its readers group by (0 or "" elsewhere), so a reader sums few rows:

- ``s`` state: cases per state (dashboard by state, the supervisor's open and unconfirmed counts);
- ``d`` day: received (receipt day), concluded and extended (concluded day), replies and replies on time (the day
  the reply clock was met, in the agency's zone), replies' working days from receipt (``wd`` over ``wd_n``, by the
  agency's calendar when the reply was recorded) — months, the on-time rate, the average working days;
- ``p`` people: per officer and unit, received, concluded and closed (below) by day; replies by the clock's officer;
- ``o`` open now: per officer, unit and applicant category, received and closed over all time (open = the
  difference; open at the end of a past period = open now − what came and went after it);
- ``r`` report: per month, applicant category and table-三 row, received and closed — the annual report;
- ``w`` rows: concluded per day and table-三 row (the statistics' figures by row and category).

"Closed" counts an application with a receipt date on max(receipt, concluded): then "received by d − closed by d" is
exactly the applications received by d and not concluded by d (table 三's 第四项 and the open-at-end figures).

Each dated grain has a monthly twin (``m`` of ``d``, ``q`` of ``p``, ``v`` of ``w``: the same counts on the month's
first day), so a period reads its whole months from the twin and only the days at its two ends from the daily grain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from states.vocab import CaseKindName, ClockStatus
from workflow.timesource import aware

EPOCH = date(2000, 1, 1)  # the day of the undated grains (s, o)
MEASURES = ("cases", "received", "concluded", "closed", "replied", "on_time", "extended", "wd_n", "wd")
KEY = ("agency_id", "case_kind", "grain", "day", "assignee_id", "unit_id", "category", "report_row", "state")
Key = tuple[int, str, str, date, int, int, str, str, str]
Delta = Counter[tuple[Key, str]]  # (key, measure) → n

DISCLOSURE_FIELDS = ("agency_id", "state", "receipt_date", "concluded_date", "assignee_id", "unit_id",
                     "applicant_category", "report_row", "extended", "replied_at")
WORKORDER_FIELDS = ("agency_id", "state", "received_at")
CLOCK_FIELDS = ("agency_id", "case_kind", "kind", "status", "met_at", "due_at", "assignee_id")
TzOf = Callable[[int], str]
Workdays = Callable[[int, date, date], int]  # (agency, a, b) → working days w with a < w ≤ b, by its calendar


def month_of(day: date) -> date:
    return day.replace(day=1)


def local_day(at: datetime, tz: str) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=ZoneInfo("UTC"))).astimezone(ZoneInfo(tz)).date()


def key(agency: int, kind: str, grain: str, day: date = EPOCH, who: int = 0, unit: int = 0, category: str = "",
        row: str = "", state: str = "") -> Key:
    return (agency, kind, grain, day, who, unit, category, row, state)


def disclosure(v: Mapping[str, Any], out: Delta, workdays: Workdays, sign: int = 1) -> None:
    """An application's contribution (``v``: DISCLOSURE_FIELDS): the sum of its parts below, which the rebuild
    computes one GROUP BY each; a reply also adds its working days from receipt to conclusion (``wd``, over ``wd_n``
    replies) on the day concluded."""
    r, c = v.get("receipt_date"), v.get("concluded_date")
    by_state(v, out, sign)
    if r is not None:
        received(v, out, sign)
    if c is not None:
        concluded(v, out, sign)
    if r is not None and c is not None:
        closed({**v, "closed_on": max(r, c)}, out, sign)
        if v.get("replied_at") is not None and r <= c:
            working_days(int(v["agency_id"]), r, c, out, workdays(int(v["agency_id"]), r, c) * sign, sign)


D = CaseKindName.DISCLOSURE.value
STATE_PART = ("state",)
RECEIVED_PART = ("receipt_date", "assignee_id", "unit_id", "applicant_category")
CONCLUDED_PART = ("concluded_date", "extended", "assignee_id", "unit_id", "report_row")
CLOSED_PART = ("closed_on", "assignee_id", "unit_id", "applicant_category", "report_row")  # closed_on = max(r, c)


def _who(v: Mapping[str, Any]) -> tuple[int, int]:
    return int(v.get("assignee_id") or 0), int(v.get("unit_id") or 0)


def by_state(v: Mapping[str, Any], out: Delta, sign: int = 1) -> None:
    out[(key(int(v["agency_id"]), D, "s", state=str(v["state"])), "cases")] += sign


def received(v: Mapping[str, Any], out: Delta, sign: int = 1) -> None:
    a, r, (who, unit) = int(v["agency_id"]), v["receipt_date"], _who(v)
    cat = str(v.get("applicant_category") or "")
    out[(key(a, D, "d", r), "received")] += sign
    out[(key(a, D, "p", r, who, unit), "received")] += sign
    out[(key(a, D, "o", who=who, unit=unit, category=cat), "received")] += sign
    out[(key(a, D, "r", month_of(r), category=cat), "received")] += sign


def concluded(v: Mapping[str, Any], out: Delta, sign: int = 1) -> None:
    a, c, (who, unit) = int(v["agency_id"]), v["concluded_date"], _who(v)
    out[(key(a, D, "d", c), "concluded")] += sign
    if v.get("extended"):
        out[(key(a, D, "d", c), "extended")] += sign
    out[(key(a, D, "p", c, who, unit), "concluded")] += sign
    out[(key(a, D, "w", c, row=str(v.get("report_row") or "")), "concluded")] += sign


def closed(v: Mapping[str, Any], out: Delta, sign: int = 1) -> None:
    a, m, (who, unit) = int(v["agency_id"]), v["closed_on"], _who(v)
    cat, row = str(v.get("applicant_category") or ""), str(v.get("report_row") or "")
    out[(key(a, D, "p", m, who, unit), "closed")] += sign
    out[(key(a, D, "o", who=who, unit=unit, category=cat), "closed")] += sign
    out[(key(a, D, "r", month_of(m), category=cat, row=row), "closed")] += sign


def working_days(agency: int, _receipt: date, concluded_on: date, out: Delta, days: int, replies: int) -> None:
    """``replies`` replies concluded on ``concluded_on`` took ``days`` working days from receipt in all."""
    out[(key(agency, D, "d", concluded_on), "wd_n")] += replies
    out[(key(agency, D, "d", concluded_on), "wd")] += days


def workorder(v: Mapping[str, Any], out: Delta, tz_of: TzOf, sign: int = 1) -> None:
    """A 12345 order's contribution (``v``: WORKORDER_FIELDS): its state, and the day it was received."""
    a, kind = int(v["agency_id"]), CaseKindName.WORKORDER.value
    out[(key(a, kind, "s", state=str(v["state"])), "cases")] += sign
    if v.get("received_at") is not None:
        out[(key(a, kind, "d", local_day(v["received_at"], tz_of(a))), "received")] += sign


def counts(v: Mapping[str, Any]) -> bool:
    """Does this clock count (a disclosure's reply clock that was met)?"""
    return (v.get("case_kind") == CaseKindName.DISCLOSURE and v.get("kind") == "reply"
            and v.get("status") == ClockStatus.MET and v.get("met_at") is not None)


def clock(v: Mapping[str, Any], out: Delta, tz_of: TzOf, sign: int = 1) -> None:
    """A clock's contribution (``v``: CLOCK_FIELDS): a met reply clock is a reply, on time when met by its due
    instant (an extended deadline included), on the day met in the agency's zone, by the clock's officer."""
    if not counts(v):
        return
    met, due = v["met_at"], v.get("due_at")
    a = int(v["agency_id"])
    reply(a, local_day(met, tz_of(a)), int(v.get("assignee_id") or 0), due is not None and aware(met) <= aware(due),
          out, sign)


def reply(agency: int, day: date, who: int, on_time: bool, out: Delta, n: int = 1) -> None:
    """``n`` replies made on ``day`` (agency zone) by ``who`` (the clock's officer), on time or not."""
    for k in (key(agency, D, "d", day), key(agency, D, "p", day, who)):
        out[(k, "replied")] += n
        if on_time:
            out[(k, "on_time")] += n


MONTHLY = {"d": "m", "p": "q", "w": "v"}  # a daily grain → its monthly twin


def rows(delta: Delta) -> list[dict[str, Any]]:
    """The delta as one row per key with every measure (zero rows left out), for an upsert — in key order, so two
    transactions lock the summary rows they share in the same order (no deadlock on PostgreSQL)."""
    by_key: dict[Key, dict[str, int]] = {}
    for (k, measure), n in delta.items():
        if not n:
            continue
        by_key.setdefault(k, dict.fromkeys(MEASURES, 0))[measure] += n
        twin = MONTHLY.get(k[2])
        if twin is not None:
            month = (*k[:2], twin, month_of(k[3]), *k[4:])
            by_key.setdefault(month, dict.fromkeys(MEASURES, 0))[measure] += n
    return [{**dict(zip(KEY, k, strict=True)), **m} for k, m in sorted(by_key.items()) if any(m.values())]
