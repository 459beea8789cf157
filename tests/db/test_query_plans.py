"""The hot queries read one agency's rows through indexes led by ``agency_id`` (issue 21), on SQLite and PostgreSQL.

A fixture of 20 agencies (disclosures over five years with their reply clocks, 12345 orders with their met clocks
and cycles, open cases due around today) is loaded and ANALYZEd; the real functions run — leaders' statistics
(disclosures and 12345) for one agency, the dashboard, the annual report for one agency, the sweeps (reminders,
escalation, lapses, digest) and the outbox claim — while every SELECT/UPDATE they send is captured. Each captured
statement is then EXPLAINed with its own parameters (``EXPLAIN QUERY PLAN`` on SQLite; ``EXPLAIN (FORMAT JSON)`` with
``enable_seqscan = off`` on PostgreSQL, so the plan shows the index the planner would take at scale). The test fails on

- a sequential scan of a large table (or, on SQLite, a full scan of one of its indexes, or an automatic index);
- a per-agency query reading a large table through an index whose first column is not ``agency_id`` — unless it is
  a lookup of rows already chosen (by primary key, or an index led by the case's id: a join probe).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event, func, insert, select, text

from db.bulk import bulk_insert
from db.engine import is_sqlite, read_session, write_session
from db.models import (
    Agency,
    ApprovalRequest,
    Clock,
    Disclosure,
    Outbox,
    Unit,
    User,
    WorkOrder,
    WorkOrderCycle,
)
from workflow.tally.rebuild import rebuild

T: dict[str, Any] = {t.name: t for t in (m.__table__ for m in (  # type: ignore[attr-defined]
    Agency, ApprovalRequest, Clock, Disclosure, Outbox, Unit, User, WorkOrder, WorkOrderCycle))}

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 9, 10, 0, tzinfo=SH)  # a Monday, inside working hours
TODAY = NOW.date()
AGENCIES = 20
DISCLOSURES = 400  # per agency
ORDERS = 100  # per agency
OUTBOX_SENT = 20_000
START = date(2022, 1, 1)

# Tables that grow with the cases: never read whole.
LARGE = frozenset({"disclosure", "clock", "workorder", "workorder_cycle", "outbox", "event", "approval_request",
                   "stored_file", "clock_adjustment", "consultation", "case_tally"})
# An index led by one of these columns, searched on it, looks up rows already chosen (a join probe by case).
PROBE_COLUMNS = frozenset({"id", "case_id", "workorder_id", "clock_id", "disclosure_id"})
CASE_KIND_LED = frozenset({"case_kind"})  # (case_kind, case_id, …): a probe when case_id is searched too


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), SH).astimezone(UTC)


# ------------------------------------------------------------------ the fixture


def _load(engine: Engine) -> list[int]:
    """20 agencies with units, officers, leaders, disclosures + reply clocks, 12345 orders + clocks + cycles."""
    rnd = random.Random(21)
    span = (TODAY - START).days
    with write_session(engine) as s:
        s.execute(insert(T["agency"]), [{"code": f"plan{i}", "name": f"某县第{i}局", "settings": {}, "created_at": NOW}
                                   for i in range(2, AGENCIES + 1)])
        agency_ids = [int(a) for a in s.execute(select(T["agency"].c.id).order_by(T["agency"].c.id)).scalars()]
        units: dict[int, list[int]] = {}
        for a in agency_ids:
            units[a] = [int(u) for u in s.execute(insert(T["unit"]).returning(T["unit"].c.id), [
                {"agency_id": a, "name": f"第{k}科"} for k in range(3)]).scalars()]
        officers: dict[int, list[int]] = {}
        for a in agency_ids:
            rows = [{"agency_id": a, "unit_id": units[a][k % 3], "username": f"plan-{a}-{k}",
                     "display_name": f"承办人{a}-{k}", "email": f"plan-{a}-{k}@example.cn", "password_hash": "x",
                     "roles": "leader" if k < 2 else "officer", "active": True, "failed_logins": 0,
                     "created_at": NOW} for k in range(10)]
            officers[a] = [int(u) for u in s.execute(insert(T["app_user"]).returning(T["app_user"].c.id), rows).scalars()]
        version = int(s.execute(text("SELECT version FROM calendar_state")).scalar_one())
        next_case = int(s.execute(select(func.coalesce(func.max(T["disclosure"].c.id), 0))).scalar_one()) + 1
        cases: list[dict[str, Any]] = []
        clocks: list[dict[str, Any]] = []
        orders: list[dict[str, Any]] = []
        cycles: list[dict[str, Any]] = []
        approvals: list[dict[str, Any]] = []
        for a in agency_ids:
            for _ in range(DISCLOSURES):
                cid, next_case = next_case, next_case + 1
                rec = START + timedelta(days=rnd.randrange(span))
                con: date | None = rec + timedelta(days=rnd.randint(1, 45))
                if con > TODAY or rnd.random() < 0.2:  # type: ignore[operator]
                    con = None
                who = officers[a][rnd.randrange(2, 10)]
                fee = rnd.random() < 0.03
                cases.append(_disclosure(cid, a, rec, con, who, units[a][who % 3], fee))
                due = (TODAY + timedelta(days=rnd.randint(-5, 20))) if con is None else rec + timedelta(days=28)
                clocks.append(_clock(a, "disclosure", cid, "reply", due, _at(con, 16) if con else None, who, version))
                if con is None and rnd.random() < 0.05:
                    approvals.append({"agency_id": a, "case_kind": "disclosure", "case_id": cid, "kind": "extension",
                                      "payload": {"days": 20, "reason": "情况复杂"}, "status": "pending",
                                      "requested_by": who, "requested_at": NOW - timedelta(days=1),
                                      "decision_note": ""})
            for k in range(ORDERS):
                oid = len(orders) + 1
                rec = START + timedelta(days=rnd.randrange(span))
                who = officers[a][rnd.randrange(2, 10)]
                orders.append(_order(oid, a, k, rec, who))
                cycles.append({"workorder_id": oid, "cycle": 1, "reason": "dispatch", "reason_text": "",
                               "started_at": _at(rec, 9), "extensions_used": 0, "extension_days": 0,
                               "callback_result": "satisfied", "due_source": "profile"})
                for kind, days in (("sign_for", 0), ("handling", 7), ("callback", 10)):
                    day = rec + timedelta(days=days)
                    clocks.append(_clock(a, "workorder", oid, kind, day, _at(day, 15), who, version))
        # the outbox keeps what it sent: a history of delivered notices (the claim must not read it)
        sent: list[dict[str, Any]] = [
            {"agency_id": agency_ids[i % len(agency_ids)], "case_kind": "disclosure", "case_id": 1 + i % 1000,
             "notice_type": "internal.reminder", "channel": "internal", "recipient": "user:1", "recipient_name": "承办人",
             "context": {}, "dedupe_key": f"plan-sent-{i}", "status": "sent", "attempts": 1,
             "next_attempt_at": NOW - timedelta(days=i % 300), "sent_at": NOW - timedelta(days=i % 300),
             "created_at": NOW - timedelta(days=i % 300)} for i in range(OUTBOX_SENT)]
        for name, rows in (("disclosure", cases), ("workorder", orders), ("workorder_cycle", cycles), ("clock", clocks),
                           ("approval_request", approvals), ("outbox", sent)):
            for i in range(0, len(rows), 5000):
                bulk_insert(s, T[name], rows[i:i + 5000])
        if not is_sqlite(engine):
            for name in ("disclosure", "workorder"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))
        s.commit()
    with engine.connect() as c:
        if is_sqlite(engine):
            c.exec_driver_sql("ANALYZE")
        else:
            c.execute(text("COMMIT"))
            c.exec_driver_sql("ANALYZE")
        c.commit()
    return agency_ids


def _disclosure(cid: int, a: int, rec: date, con: date | None, who: int, unit: int, fee: bool) -> dict[str, Any]:
    return dict(
        id=cid, agency_id=a, version=1, state="replied" if con else "handling", tracking_no=f"P{cid}",
        submission_no=None, query_code_hash="h", applicant_type="natural", applicant_category="natural",
        applicant_name=f"申请人{cid}", id_type="id", id_number=str(cid), applicant_key=f"id:{cid}", phone="",
        email="", address="", postal_code="", contact_person="", assisted=False, oral=False,
        description="申请公开某信息", document_ref="", purpose="", form_wanted="electronic", obtain_way="email",
        channel="internet", received_at_raw=_at(rec, 9), confirmed_at=None, receipt_date=rec, base_date=rec,
        registered_at=_at(rec, 10), registered_by=None, assignee_id=who, unit_id=unit, correction_requested=False,
        extended=False, extension_days=0, delayed=False, next_due_at=None, overdue_level=0,
        fee_method="item" if fee else None, fee_amount=100 if fee else None, fee_detail={},
        fee_paid_date=rec + timedelta(days=3) if fee else None, decision_detail={}, report_row="3.1" if con else None,
        replied_at=_at(con, 16) if con else None, concluded_at=_at(con, 16) if con else None, concluded_date=con,
        delivery={}, duplicate_flag=False, created_at=NOW, updated_at=NOW)


def _order(oid: int, a: int, k: int, rec: date, who: int) -> dict[str, Any]:
    return dict(
        id=oid, agency_id=a, platform="12345", order_no=f"YN{a:03d}{k:06d}", version=1, state="closed",
        resolution="resolved", cycle=1, received_at=_at(rec, 9), caller_name="", caller_phone="",
        category=("consult", "help", "complaint", "report", "suggestion")[k % 5], category_code="", urgency="normal",
        title="某处路灯损坏", content="某处路灯损坏，夜间出行不便", location="", designated=False, lead_unit="",
        assisting_units=[], profile_code="default", source_hash="x", assignee_id=who, extensions_used=0,
        extension_days_total=0, overdue_level=0, callback_note="", related_ids=[], created_at=NOW, updated_at=NOW)


def _clock(a: int, case_kind: str, case_id: int, kind: str, due: date, met: datetime | None, who: int,
           version: int) -> dict[str, Any]:
    return dict(
        agency_id=a, case_kind=case_kind, case_id=case_id, kind=kind, cycle=1, status="met" if met else "running",
        unit="wd", amount=20, start_date=due - timedelta(days=28), start_at=None, due_date=due,
        due_at=_at(due, 23), explanation={}, calendar_version=version, provisional=False, missing_years=[],
        deadline_version=1, met_at=met, breached_at=None, overdue_level=0, assignee_id=who, reminded_version=0,
        reminded_rung=None, updated_at=NOW)


# ------------------------------------------------------------------ capture and explain


@dataclass(frozen=True)
class Captured:
    sql: str
    params: Any


@contextmanager
def captured(engine: Engine) -> Iterator[list[Captured]]:
    """Every SELECT / UPDATE / DELETE sent to ``engine`` meanwhile, with its parameters."""
    out: list[Captured] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        head = statement.lstrip()[:7].upper()
        if not executemany and head.startswith(("SELECT", "WITH", "UPDATE", "DELETE")):
            out.append(Captured(statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield out
    finally:
        event.remove(engine, "before_cursor_execute", before)


@dataclass(frozen=True)
class Access:
    """One read of a table in a plan: how (seq, index search, full index scan) and through which index."""

    table: str
    how: str  # "seq" | "search" | "full_index" | "automatic"
    index: str | None
    cond: str


def _first_columns(engine: Engine) -> dict[str, tuple[str, str]]:
    """index name → (table, first column), read from the database itself."""
    out: dict[str, tuple[str, str]] = {}
    with engine.connect() as c:
        if is_sqlite(engine):
            for name, table in c.exec_driver_sql("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"):
                cols = c.exec_driver_sql(f'PRAGMA index_info("{name}")').all()
                if cols:
                    out[name] = (table, cols[0][2])
        else:
            for name, table, col in c.execute(text(
                    "SELECT i.relname, t.relname, a.attname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                    "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_attribute a ON a.attrelid = t.oid "
                    "AND a.attnum = x.indkey[0] JOIN pg_namespace n ON n.oid = t.relnamespace "
                    "WHERE n.nspname = 'public'")):
                out[name] = (table, col)
    return out


_SQLITE_ROW = re.compile(r"^(SCAN|SEARCH) (\S+)(?: USING (?:(AUTOMATIC (?:PARTIAL )?)?(?:COVERING )?INDEX (\S+)"
                         r"|INTEGER PRIMARY KEY|ROWID \w+))?(?: \((.*)\))?")


def _aliases(sql: str) -> dict[str, str]:
    return {alias: table for table, alias in re.findall(r'"?(\w+)"? AS "?(\w+)"?', sql) if table in LARGE}


def _sqlite_accesses(conn: Any, cap: Captured) -> list[Access]:
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + cap.sql, cap.params).all()
    aliases = _aliases(cap.sql)
    out = []
    for row in rows:
        m = _SQLITE_ROW.match(str(row[3]))
        if not m:
            continue
        verb, name, automatic, index, cond = m.groups()
        table = aliases.get(name, name)
        if table not in LARGE:
            continue
        if automatic:
            how = "automatic"
        elif verb == "SCAN":
            how = "full_index" if index else "seq"
        else:
            how = "search"
        if index is None and verb == "SEARCH":
            index = "<rowid>"
        out.append(Access(table, how, index, cond or ""))
    return out


def _pg_accesses(conn: Any, cap: Captured, indexes: dict[str, tuple[str, str]]) -> list[Access]:
    raw = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + cap.sql, cap.params).scalar_one()
    plan = raw if isinstance(raw, list) else json.loads(raw)
    out: list[Access] = []

    def walk(node: dict[str, Any]) -> None:
        kind = node.get("Node Type", "")
        if kind == "Seq Scan":
            out.append(Access(node["Relation Name"], "seq", None, str(node.get("Filter", ""))))
        elif "Index Name" in node:
            table = indexes.get(node["Index Name"], (node.get("Relation Name", "?"), ""))[0]
            cond = str(node.get("Index Cond", ""))
            out.append(Access(table, "search" if cond else "full_index", node["Index Name"], cond))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return [a for a in out if a.table in LARGE]


def problems(engine: Engine, caps: list[Captured], *, per_agency: bool) -> list[str]:
    """What is wrong with the plans of ``caps`` (empty: every large table read through a fitting index)."""
    indexes = _first_columns(engine)
    found: list[str] = []
    seen: set[str] = set()
    with engine.connect() as conn:
        if not is_sqlite(engine):
            conn.exec_driver_sql("SET enable_seqscan = off")
        for cap in caps:
            if cap.sql in seen:
                continue
            seen.add(cap.sql)
            accesses = _sqlite_accesses(conn, cap) if is_sqlite(engine) else _pg_accesses(conn, cap, indexes)
            for acc in accesses:
                why = _judge(acc, indexes, per_agency)
                if why:
                    found.append(f"{why}: {acc.table} via {acc.index} ({acc.cond})\n    in: {cap.sql[:600]}")
        conn.rollback()
    return found


def _judge(acc: Access, indexes: dict[str, tuple[str, str]], per_agency: bool) -> str | None:
    if acc.how == "seq":
        return "sequential scan of a large table"
    if acc.how == "automatic":
        return "automatic index (a scan of the whole table)"
    if acc.how == "full_index":
        return "full scan of an index of a large table"
    if not per_agency or acc.index in (None, "<rowid>") or acc.index == f"{acc.table}_pkey":
        return None
    first = indexes.get(acc.index or "", ("", ""))[1]
    if first == "agency_id":
        return None
    if first in PROBE_COLUMNS or (first in CASE_KIND_LED and re.search(r"\bcase_id\b", acc.cond)):
        return None  # a lookup of rows already chosen (join probe by case)
    return f"index not led by agency_id (led by {first!r}) for one agency's rows"


# ------------------------------------------------------------------ the hot paths


def _hot_paths(engine: Engine, agency_id: int, settings: Any) -> dict[str, Callable[[], Any]]:
    from notifications.outbox import claim_due, release
    from workflow.reports.annual import annual_report
    from workflow.reports.dashboard import build_dashboard
    from workflow.reports.hotline import hotline_stats
    from workflow.reports.stats import disclosure_stats, stats_for_leaders
    from workflow.reports.supervision import agencies_overview
    from workflow.sweeps.digest import digest
    from workflow.sweeps.escalation import escalate
    from workflow.sweeps.lapses import lapse
    from workflow.sweeps.reminders import remind

    def read(fn: Callable[[Any], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with read_session(engine) as s:
                return fn(s)
        return run

    def outbox_claim() -> None:
        jobs = claim_due(engine, NOW + timedelta(hours=1), instance="plans", limit=50, lease_seconds=60)
        release(engine, jobs, "plans")

    return {
        "leaders' statistics (disclosures), one agency": read(lambda s: disclosure_stats(s, agency_id, 2025)),
        "leaders' statistics (12345), one agency": read(lambda s: hotline_stats(s, agency_id, 2025)),
        "dashboard": read(lambda s: build_dashboard(s, agency_id, now=NOW, today=TODAY, tz="Asia/Shanghai")),
        "annual report, one agency": read(lambda s: annual_report(s, agency_id, 2025)),
        # the maintained summaries (issue 21): what the pages read
        "leaders' statistics from the summaries, one agency": read(
            lambda s: stats_for_leaders(s, agency_id, 2025, summaries=True)),
        "annual report from the summaries, one agency": read(lambda s: annual_report(s, agency_id, 2025,
                                                                                     summaries=True)),
        # every agency's due-now figures (the dashboard of all agencies): the running clocks by due time
        "supervisor overview": read(lambda s: agencies_overview(
            s, now=NOW, end_of_today=_at(TODAY, 23), end_of_week=_at(TODAY + timedelta(days=6), 23))),
        "reminder sweep": lambda: remind(engine, NOW, instance="plans", settings=settings),
        "escalation sweep": lambda: escalate(engine, NOW, instance="plans", settings=settings),
        "lapse sweep": lambda: lapse(engine, NOW, instance="plans", settings=settings),
        "digest sweep": lambda: digest(engine, NOW, instance="plans", settings=settings),
        "outbox claim": outbox_claim,
    }


GLOBAL = frozenset({"outbox claim", "supervisor overview"})  # not per agency: only sequential and full scans are judged


def test_hot_queries_use_indexes_led_by_the_agency(db: Any) -> None:
    agency_ids = _load(db.engine)
    rebuild(db.engine)  # the summaries of the rows loaded with Core
    with write_session(db.engine) as s:
        s.execute(text("ANALYZE case_tally"))
        s.commit()
    _the_judge_sees_what_is_wrong(db.engine)
    agency = agency_ids[len(agency_ids) // 2]
    report: list[str] = []
    counted = 0
    for name, run in _hot_paths(db.engine, agency, db.settings).items():
        with captured(db.engine) as caps:
            run()
        counted += len(caps)
        for p in problems(db.engine, caps, per_agency=name not in GLOBAL):
            report.append(f"[{name}] {p}")
    assert counted > 40  # the capture saw the queries
    assert not report, "\n".join(report)


def _the_judge_sees_what_is_wrong(eng: Engine) -> None:
    """A scan of a whole table is reported; a per-agency query read through a date-led index is too."""
    whole = Captured("SELECT count(*) FROM disclosure WHERE applicant_name = 'x'", {} if not is_sqlite(eng) else ())
    assert problems(eng, [whole], per_agency=False)
    with captured(eng) as caps, read_session(eng) as s:
        s.execute(select(func.count()).select_from(Clock).where(
            Clock.kind == "reply", Clock.status == "met", Clock.met_at >= datetime(2025, 1, 1, tzinfo=UTC),  # type: ignore[operator]
            Clock.met_at < datetime(2025, 2, 1, tzinfo=UTC), Clock.case_kind == "disclosure"))  # type: ignore[operator]
    assert caps
    # every agency's met replies of a month: a date-led read is right here, and reported if the query were per agency
    assert not problems(eng, caps, per_agency=False)
    assert problems(eng, caps, per_agency=True)
