"""The due-now figures of the dashboard and the supervisor overview (``due_counts``: one pass over the running duty
clocks, issue 21) equal a count done by hand over the same clocks, on SQLite and PostgreSQL: per case, not per clock
(a 12345 order late to sign for and to handle is one overdue case), paused/met clocks and clocks that are not duties
left out, a clock due exactly now neither overdue nor due, due later than the week not counted."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Agency, Clock
from states.vocab import CaseKindName
from workflow.kinds import duty_kinds
from workflow.reports.dashboard import DueCounts, due_counts

NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
END_TODAY = datetime(2026, 11, 18, 15, 59, 59, tzinfo=UTC)
END_WEEK = datetime(2026, 11, 22, 15, 59, 59, tzinfo=UTC)
KINDS = {CaseKindName.DISCLOSURE: ["reply", "correction_period"], CaseKindName.WORKORDER: ["sign_for", "handling",
                                                                                            "callback"]}
OFFSETS = [-timedelta(days=3), -timedelta(minutes=1), timedelta(0), timedelta(hours=2), END_TODAY - NOW,
           END_TODAY - NOW + timedelta(seconds=1), timedelta(days=2), END_WEEK - NOW, timedelta(days=9)]


def _reference(clocks: list[dict], duties: set[str], agency: int | frozenset[int] | None = None,
               kind: str | None = None) -> dict[tuple[int, str], DueCounts]:
    per_case: dict[tuple[int, str, int], list[bool]] = {}
    for c in clocks:
        if c["status"] != "running" or c["kind"] not in duties:
            continue
        reach = {agency} if isinstance(agency, int) else agency
        if (reach is not None and c["agency_id"] not in reach) or (kind is not None and c["case_kind"] != kind):
            continue
        due = c["due_at"]
        flags = per_case.setdefault((c["agency_id"], c["case_kind"], c["case_id"]), [False, False, False])
        flags[0] |= NOW < due <= END_TODAY
        flags[1] |= NOW < due <= END_WEEK
        flags[2] |= due < NOW
    out: dict[tuple[int, str], list[int]] = {}
    for (a, k, _), flags in per_case.items():
        if any(flags):
            tot = out.setdefault((a, k), [0, 0, 0])
            for i, f in enumerate(flags):
                tot[i] += f
    return {key: DueCounts(*v) for key, v in out.items()}


def test_due_counts_equal_a_count_by_hand(db) -> None:  # type: ignore[no-untyped-def]
    rnd = random.Random(21)
    with write_session(db.engine) as s:
        s.execute(insert(Agency), [{"code": f"due{i}", "name": f"某局{i}", "settings": {}, "created_at": NOW}
                                   for i in range(3)])
        s.commit()
        agencies = [a.id for a in s.exec(select(Agency)).all()]
        clocks: list[dict] = []
        for case_id in range(1, 161):
            agency = rnd.choice(agencies)
            case_kind = rnd.choice(list(KINDS))
            for kind in rnd.sample(KINDS[case_kind], rnd.randint(1, len(KINDS[case_kind]))):
                due = NOW + rnd.choice(OFFSETS)
                clocks.append({"agency_id": agency, "case_kind": case_kind, "case_id": case_id, "kind": kind,
                               "cycle": 1, "status": rnd.choice(["running", "running", "running", "paused", "met"]),
                               "unit": "wd", "amount": 1, "start_date": NOW.date(), "due_date": due.date(),
                               "due_at": due, "explanation": {}, "calendar_version": 1, "provisional": False,
                               "missing_years": [], "deadline_version": 1, "updated_at": NOW})
        s.execute(insert(Clock), clocks)
        s.commit()
    duties = set(duty_kinds())
    assert {"reply", "sign_for", "handling"} <= duties
    with read_session(db.engine) as s:
        got = due_counts(s, now=NOW, end_of_today=END_TODAY, end_of_week=END_WEEK)
        assert got == _reference(clocks, duties)
        assert sum(d.overdue for d in got.values()) > 0 and sum(d.due_today for d in got.values()) > 0
        one = due_counts(s, now=NOW, end_of_today=END_TODAY, end_of_week=END_WEEK, agency_id=agencies[0],
                         case_kind=CaseKindName.WORKORDER)
        assert one == _reference(clocks, duties, agencies[0], CaseKindName.WORKORDER)
        reach = frozenset(agencies[:2])  # a supervisor's agency and one below it
        assert due_counts(s, now=NOW, end_of_today=END_TODAY, end_of_week=END_WEEK, agency_id=reach) == _reference(
            clocks, duties, reach)
