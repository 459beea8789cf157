"""Disclosure use cases: register, and one transaction per action (``act``).

Each call: open a write transaction, lock the row (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on
SQLite) and check the expected version, check role/state/guards against the table in
states.disclosure, fire the shared machine, run the action's handler (fields, clocks, ledger,
outbox), append the audit event, commit once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from db.engine import write_session
from db.models import Clock, Disclosure
from notifications.outbox import enqueue_many
from states.disclosure import DState
from states.roles import Role
from workflow.accounts.principal import Principal
from workflow.agencies.cache import agency_context_cached
from workflow.cases import engine as case_engine
from workflow.cases.audit import append_events, event_values
from workflow.cases.clocks import new_clock_values
from workflow.cases.context import Collected
from workflow.cases.engine import ActionResult
from workflow.cases.numbers import next_number, take_number
from workflow.cases.when import When, resolve
from workflow.disclosure.context import (
    CLOCKS,
    KIND,
    Ctx,
    PreparedNotice,
    applicant_notice,
    case_snapshot,
    oral_application_form,
)
from workflow.disclosure.kind import DISCLOSURE
from workflow.disclosure.payloads import RegisterIn
from workflow.disclosure.receipt import hash_query_code, new_query_code, receipt_date_for, rest_day_rule
from workflow.errors import DomainValidation, InvalidTransition
from workflow.tally.hook import add_inserted

_CASE_TABLE = Disclosure.__table__  # type: ignore[attr-defined]
_INSERT_CASES = _CASE_TABLE.insert().returning(_CASE_TABLE.c.id, sort_by_parameter_order=True)
_CLOCK_TABLE = Clock.__table__  # type: ignore[attr-defined]
_INSERT_CLOCK = _CLOCK_TABLE.insert()
_CLOCK_COLUMNS = Clock.__table__.c  # type: ignore[attr-defined]
_INSERT_CLOCK_IDS = _INSERT_CLOCK.returning(_CLOCK_COLUMNS.id, _CLOCK_COLUMNS.case_id, _CLOCK_COLUMNS.kind)
FUTURE_TOLERANCE = timedelta(minutes=10)


@dataclass(frozen=True)
class Registered:
    id: int
    tracking_no: str
    query_code: str  # shown once (receipt); only its hash is stored
    state: str
    version: int
    receipt_date: str


def _validate_times(data: RegisterIn, now: datetime) -> None:
    problems = []
    if data.received_at > now + FUTURE_TOLERANCE:
        problems.append({"field": "received_at", "code": "in_future", "message": "收到时间不能晚于当前时间"})
    if data.confirmed_at and data.confirmed_at > now + FUTURE_TOLERANCE:
        problems.append({"field": "confirmed_at", "code": "in_future", "message": "确认时间不能晚于当前时间"})
    if data.received_at < now - timedelta(days=366) and not (data.backfill_reason or "").strip():
        problems.append({"field": "received_at", "code": "too_old",
                         "message": "收到时间早于一年前，请核对；如为补录历史申请，请填写补录原因"})
    if problems:
        raise DomainValidation(problems)


@dataclass
class _Prepared:
    """A registration with everything computed that needs no lock (calendar, clocks, notice context)."""

    data: RegisterIn
    actor: Principal
    now: datetime
    ctx: Any  # the agency context (agency, cfg, cal)
    raw: date
    receipt: date
    code: str
    values: dict[str, Any]
    clocks: list[dict[str, Any]]
    notice: PreparedNotice
    form: PreparedNotice | None = None  # the 登记表 the applicant of an oral application signs (条例第二十九条)
    stamp: dict[str, Any] = field(default_factory=dict)  # a back-filled registration's recording time and reason
    clock_ids: list[int] = field(default_factory=list)  # the inserted clocks' ids (``keep_clock_ids``), in order


def _prepare(engine: Engine, data: RegisterIn, actor: Principal, now: datetime) -> _Prepared:
    if not actor.has(Role.FRONT_DESK, Role.LEADER):
        raise InvalidTransition("只有前台登记员或负责人可以登记申请", [], "forbidden")
    assert actor.agency_id is not None
    _validate_times(data, now)
    actx = agency_context_cached(engine, actor.agency_id)
    agency, cfg, cal = actx.agency, actx.cfg, actx.cal
    raw = receipt_date_for(data, cfg.timezone)
    receipt, rolled = rest_day_rule(cfg, cal, raw)
    when = When(now, now)
    if (data.backfill_reason or "").strip():  # 补录: the registration is dated when the application came in
        when = resolve(actor=actor, now=now, effective_at=data.confirmed_at or data.received_at,
                       reason=data.backfill_reason, previous=None, cfg=cfg, cal=cal, noun="申请",
                       time_field="confirmed_at" if data.confirmed_at else "received_at")
    now = when.effective
    code = new_query_code()
    reason = "收到申请之日" + (f"（{rolled.isoformat()} 为休息日，顺延至下一工作日）" if rolled else "")
    # 条例第三十条: correction notice within 7 working days; 第三十三条: reply within 20 working days.
    clocks = [new_clock_values(agency_id=actor.agency_id, case_kind=KIND, kind=kind, base=receipt, amount=n,
                               cal=cal, now=now, tz=cfg.timezone, base_reason=reason)
              for kind, n in (("correction_notice", cfg.correction_notice_wd), ("reply", cfg.reply_wd))]
    values: dict[str, Any] = dict(
        agency_id=actor.agency_id, version=1, state=DState.REGISTERED.value, tracking_no=None,
        submission_no=None, query_code_hash=hash_query_code(code), applicant_type=data.applicant_type,
        applicant_category=data.applicant_category, applicant_name=data.applicant_name, id_type=data.id_type,
        id_number=data.id_number, applicant_key=f"{data.id_type}:{data.id_number}", phone=data.phone,
        email=data.email, address=data.address, postal_code=data.postal_code, contact_person=data.contact_person,
        assisted=data.assisted, oral=data.oral, description=data.description, document_ref=data.document_ref,
        purpose=data.purpose, form_wanted=data.form_wanted, obtain_way=data.obtain_way, channel=data.channel,
        received_at_raw=data.received_at, confirmed_at=data.confirmed_at, receipt_date=receipt, base_date=receipt,
        registered_at=now, registered_by=actor.id, assignee_id=None, unit_id=None, correction_requested=False,
        extended=False, extension_days=0, delayed=False, reasons_received_date=None, reasons_text="",
        reasons_assessment=None, next_due_at=min(c["due_at"] for c in clocks if CLOCKS[c["kind"]].binds),
        overdue_level=0, fee_detail={}, decision_detail={}, delivery={}, duplicate_flag=False,
        created_at=now, updated_at=now,
    )
    reply = next(c for c in clocks if c["kind"] == "reply")
    reply_due, provisional = reply["due_date"], bool(reply["provisional"])
    receipt_notice = applicant_notice(agency=agency, cfg=cfg, row=SimpleNamespace(id=0, **values),
                                      notice_type="disclosure.receipt", now=now,
                                      notice={"query_code": code, "due_date": reply_due.isoformat(),
                                              "provisional": provisional})
    form = oral_application_form(agency, cfg, values, actor, now, reply_due, provisional) if data.oral else None
    if when.recorded_later and not data.email_notices:  # printed and stored, not e-mailed (the applicant had it)
        receipt_notice.backfilled = True
    return _Prepared(data, actor, now, actx, raw, receipt, code, values, clocks, receipt_notice, form, when.stamp())


def register(engine: Engine, data: RegisterIn, actor: Principal, now: datetime) -> Registered:
    """Front desk registers an application (条例第二十九条、第三十一条): one transaction.

    The hot path of the front desk: rows are written with a handful of Core statements (no ORM
    unit of work) — the same values and clocks the ORM path would produce. Everything that needs no
    lock is prepared first (calendar, clocks, the receipt's context), so the write transaction —
    which serialises registrations — holds only the inserts.
    """
    p = _prepare(engine, data, actor, now)
    with write_session(engine) as session:
        (result,) = _insert_registrations(session, [p])
        if data.assignee_id is not None:
            row = session.get(Disclosure, result.id)
            assert row is not None
            ctx = Ctx(session, row, p.ctx.agency, p.ctx.cfg, p.ctx.cal, actor, now)
            case_engine.fire(DISCLOSURE, ctx, "assign", {"assignee_id": data.assignee_id})
            result = Registered(result.id, result.tracking_no, result.query_code, DState(row.state), row.version,
                                result.receipt_date)
        session.commit()
        return result


def register_batch(engine: Engine, items: Sequence[tuple[RegisterIn, Principal, datetime]]
                   ) -> list[Registered | Exception]:
    """Group commit: several registrations (each still all-or-nothing) written in one transaction.

    The API's registration queue hands over whatever arrived while the previous transaction ran.
    Under load the per-transaction costs — taking the write lock, the commit (a WAL write; an fsync
    on PostgreSQL), the counter row held until commit — are paid once per batch instead of once per
    application. Each item's own problem (bad input, no role) is its own result; if the shared
    transaction fails, every item is retried on its own, so one bad row never fails the others and
    the numbers stay gap-free (a rolled-back batch consumes none).
    """
    results: list[Registered | Exception | None] = [None] * len(items)
    batch: list[tuple[int, _Prepared]] = []
    for i, (data, actor, now) in enumerate(items):
        if data.assignee_id is not None:  # the rare path with an assignment: its own transaction
            continue
        try:
            batch.append((i, _prepare(engine, data, actor, now)))
        except Exception as exc:  # the item's own error (bad input, no role) is its result
            results[i] = exc
    if batch:
        try:
            with write_session(engine) as session:
                done = _insert_registrations(session, [p for _, p in batch])
                session.commit()
            for (i, _), r in zip(batch, done, strict=True):
                results[i] = r
        except Exception:  # the shared transaction failed: each item on its own below
            for i, _ in batch:
                results[i] = None
    out: list[Registered | Exception] = []
    for done_or_none, (data, actor, now) in zip(results, items, strict=True):
        if done_or_none is not None:
            out.append(done_or_none)
            continue
        try:  # an assignment, or the shared transaction failed: its own transaction
            out.append(register(engine, data, actor, now))
        except Exception as exc:
            out.append(exc)
    return out


def _insert_registrations(session: Session, preps: Sequence[_Prepared], collected: Collected | None = None, *,
                          keep_clock_ids: bool = False) -> list[Registered]:
    """Number and insert prepared registrations inside the caller's transaction (Core, executemany); with
    ``collected``, their events and notices are left there for the caller to write (with those of later steps);
    with ``keep_clock_ids``, each one's ``clock_ids`` are those of its clocks."""
    conn = session.connection()
    _number(conn, preps)
    ids = [int(i) for i in conn.execute(_INSERT_CASES, [p.values for p in preps]).scalars().all()]
    add_inserted(session, Disclosure, [p.values for p in preps])  # the summaries (issue 21): a Core insert
    clock_rows = [{**c, "case_id": case_id} for p, case_id in zip(preps, ids, strict=True) for c in p.clocks]
    if keep_clock_ids:  # (case, kind) is unique among a registration's new clocks
        made = {(int(case_id), kind): int(i) for i, case_id, kind in conn.execute(_INSERT_CLOCK_IDS, clock_rows)}
        for p, case_id in zip(preps, ids, strict=True):
            p.clock_ids = [made[(case_id, c["kind"])] for c in p.clocks]
    else:
        conn.execute(_INSERT_CLOCK, clock_rows)
    events, notices = _records(preps, ids)
    if collected is not None:
        collected.events.extend(events)
        collected.notices.extend(notices)
    else:
        append_events(conn, events)
        enqueue_many(conn, notices, validate=False)  # checked when prepared (disclosure_context.applicant_notice)
    return [Registered(case_id, p.values["tracking_no"], p.code, DState.REGISTERED, 1, p.receipt.isoformat())
            for p, case_id in zip(preps, ids, strict=True)]


def reserve_registration(session: Session, p: _Prepared, collected: Collected, take_id: Callable[[str], int]
                         ) -> Registered:
    """A prepared registration numbered as ``_insert_registrations`` numbers one (``take_number``), its case and
    clocks given the ids ``take_id`` reserves but not inserted (the go-live import writes them with its later steps:
    workflow.golive.buffer); its event and notices left in ``collected``."""
    year = p.receipt.year
    seq = take_number(session, p.values["agency_id"], "disclosure", year)
    p.values["tracking_no"] = p.ctx.cfg.tracking_format.format(year=year, seq=seq)
    case_id = take_id(_CASE_TABLE.name)
    p.clock_ids = [take_id(_CLOCK_TABLE.name) for _ in p.clocks]
    events, notices = _records([p], [case_id])
    collected.events.extend(events)
    collected.notices.extend(notices)
    return Registered(case_id, p.values["tracking_no"], p.code, DState.REGISTERED, 1, p.receipt.isoformat())


def _number(conn: Connection, preps: Sequence[_Prepared]) -> None:
    """Gap-free numbers: one counter increment per (agency, year) for the whole group, held to commit — taken in key
    order, so two batches that share counters never each hold one the other waits for (a deadlock on PostgreSQL)."""
    groups: dict[tuple[int, int], list[_Prepared]] = {}
    for p in preps:
        groups.setdefault((p.values["agency_id"], p.receipt.year), []).append(p)
    for (agency_id, year), members in sorted(groups.items(), key=lambda g: g[0]):
        last = next_number(conn, agency_id, "disclosure", year, count=len(members))
        for seq, p in enumerate(members, start=last - len(members) + 1):
            p.values["tracking_no"] = p.ctx.cfg.tracking_format.format(year=year, seq=seq)


def _records(preps: Sequence[_Prepared], ids: Sequence[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The registrations' audit events and notices (receipt, and the 登记表 of an oral application)."""
    events = [
        event_values(agency_id=p.values["agency_id"], case_kind=KIND, case_id=case_id, actor=p.actor,
                     action="register", from_state=None, to_state=DState.REGISTERED, now=p.now,
                     payload={"tracking_no": p.values["tracking_no"], "channel": p.data.channel,
                              "receipt_date": p.receipt.isoformat(), "raw_receipt_date": p.raw.isoformat(),
                              "oral": p.data.oral, "note": p.data.note, **p.stamp})
        for p, case_id in zip(preps, ids, strict=True)]
    notices = [n.values(case_id=case_id, tracking_no=p.values["tracking_no"], number=p.values["tracking_no"],
                        action_key=key)
               for p, case_id in zip(preps, ids, strict=True)
               for n, key in ((p.notice, "register"), (p.form, "register:form")) if n is not None]
    return events, notices


def _reply_due(ctx: Ctx) -> str | None:
    c = ctx.clocks().get("reply")
    return c.due_date.isoformat() if c and c.due_date else None


def allowed_actions(ctx: Ctx) -> list[str]:
    return case_engine.allowed_actions(DISCLOSURE, ctx)


def act(engine: Engine, case_id: int, action: str, payload: dict[str, Any], actor: Principal, now: datetime,
        expected_version: int | None = None, **when: Any) -> ActionResult:
    """Perform one action on one application, atomically (the shared case engine; ``when``: effective_at,
    backfill_reason, email_notices — see workflow.cases.when)."""
    return case_engine.act(engine, DISCLOSURE, case_id, action, payload, actor, now, expected_version, **when)


def snapshot(row: Disclosure) -> dict[str, Any]:
    return case_snapshot(row)
