"""The report over applications handled by the real disclosure workflow (register, reply, withdraw)."""

from __future__ import annotations

from datetime import UTC, datetime

from db.engine import read_session
from tests.helpers import make_staff, registration
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.reports.annual import annual_report, disclosure_stats
from workflow.reports.events import crosscheck_table3
from workflow.timesource import local_dt

T_SETUP = datetime(2025, 12, 1, 2, 0, tzinfo=UTC)


def _register(db, staff, when: datetime, **over):
    data = registration(received_at=when.isoformat(), assignee_id=staff.officer.id, **over)
    return wf.register(db.engine, RegisterIn.model_validate(data), staff.front, when)


def test_report_over_workflow_cases(db):
    staff = make_staff(db.engine, T_SETUP)
    # carried in: received 15 Dec 2025, replied 8 Jan 2026 → 二 and 三（一）
    a = _register(db, staff, local_dt(2025, 12, 15, 10))
    wf.act(db.engine, a.id, "reply", {"category": "disclose", "reason": "provided", "text": "予以公开"},
           staff.officer, local_dt(2026, 1, 8, 15))
    # received and withdrawn in 2026 → 一 and 三（六）3
    b = _register(db, staff, local_dt(2026, 3, 2, 10))
    wf.act(db.engine, b.id, "withdraw", {"reason": "不再需要"}, staff.front, local_dt(2026, 3, 5, 11))
    # received and answered "not held" in 2026 → 一 and 三（四）1
    c = _register(db, staff, local_dt(2026, 5, 6, 10))
    wf.act(db.engine, c.id, "reply", {"category": "unavailable", "reason": "not_held", "text": "经检索没有"},
           staff.officer, local_dt(2026, 5, 20, 15))
    # received on 28 Dec 2026, still open on 31 Dec → 一 and 四
    _register(db, staff, local_dt(2026, 12, 28, 10))
    agency = staff.agency_id
    with read_session(db.engine) as session:
        rep = annual_report(session, agency, 2026)
        events = crosscheck_table3(session, agency, rep.table3, 2026)
        stats = disclosure_stats(session, agency, 2026)
        last_year = annual_report(session, agency, 2025)
    v = rep.table3.values
    assert (v["1"][0], v["2"][0], v["3.1"][0], v["3.4.1"][0], v["3.6.3"][0], v["3.7"][0], v["4"][0]) == \
        (3, 1, 1, 1, 1, 3, 1)
    assert rep.ok
    assert all(c.ok for c in events), [c for c in events if not c.ok]
    assert last_year.table3.values["4"][6] == 1 and last_year.ok
    # the reply clocks the workflow keeps: both replies were on time
    assert (stats["replies_with_clock"], stats["replied_on_time"]) == (2, 2)
    assert stats["by_category"] == {"disclose": 1, "other": 1, "unavailable": 1}
