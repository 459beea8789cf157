"""Shared machinery of the sweeps: reports, time budgets, status rows, per-agency context, claims, notices.

Every sweep is a plain function ``(engine, now, *, instance, settings, batch_size, time_budget_s, stop)
-> SweepReport``. It drains its backlog in batches until nothing is left or its time budget is spent
(never a fixed per-run cap: what is left is reported as ``remaining`` with its ``lag_seconds``), and
records the run in ``sweep_status`` (the admin page reads it).

Claims: on PostgreSQL a batch of work rows is locked with ``SELECT … FOR UPDATE SKIP LOCKED`` so
several instances split the work; on SQLite ``write_session`` serialises writers (BEGIN IMMEDIATE
plus a file lock), so the same code is correct there too. Case rows are locked after their clocks,
also with SKIP LOCKED: a case an officer is acting on right now is left for the next run instead of
waiting (the workflow locks case → clocks; the sweeps never wait, so no deadlock is possible).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, Select, func, select, update

from db.engine import conflict_insert, dialect_name, is_sqlite, read_session, write_session
from db.models import Agency, Clock, Event, JobRun, Outbox, SweepStatus, Unit, User
from notifications.context import case_ref
from settings import Settings
from states.calendar import WorkCalendar, WorkingHours
from states.roles import Role
from states.vocab import OutboxStatus
from states.wording import NO_UNIT as WORDING_NO_UNIT
from workflow.accounts.roles import holders
from workflow.agencies.config import AgencyConfig, agency_config
from workflow.calendar.service import agency_calendar
from workflow.cases.kind import CaseKind
from workflow.disclosure.context import agency_snapshot
from workflow.kinds import installed
from workflow.timesource import aware, local_date

log = logging.getLogger(__name__)

CLOCKS = Clock.__table__  # type: ignore[attr-defined]
OUTBOX = Outbox.__table__  # type: ignore[attr-defined]
EVENTS = Event.__table__  # type: ignore[attr-defined]
USERS = User.__table__  # type: ignore[attr-defined]
UNITS = Unit.__table__  # type: ignore[attr-defined]
SYSTEM_LABEL = "系统"
NO_OFFICER = "（未分办）"
NO_UNIT = f"（{WORDING_NO_UNIT}）"
DEFAULT_BATCH = 500
DEFAULT_BUDGET_S = 50.0
QUIET_KEYS = frozenset({"rest_day_agencies", "not_yet", "already_sent_today", "after_hours_skipped", "already_sent"})


@dataclass
class SweepReport:
    """What one run of a sweep did (``done`` counts), what is left and how late the oldest item is."""

    job: str
    done: dict[str, int] = field(default_factory=dict)
    remaining: int = 0
    lag_seconds: float = 0.0
    batches: int = 0
    elapsed_seconds: float = 0.0
    error: str | None = None

    def add(self, key: str, n: int = 1) -> None:
        if n:
            self.done[key] = self.done.get(key, 0) + n

    @property
    def worked(self) -> bool:
        """Whether the run did anything beyond noting why there was nothing to do."""
        return bool(self.remaining) or any(k not in QUIET_KEYS for k in self.done)

    def as_dict(self) -> dict[str, Any]:
        return {"done": dict(self.done), "remaining": self.remaining, "lag_seconds": round(self.lag_seconds, 1),
                "batches": self.batches, "elapsed_seconds": round(self.elapsed_seconds, 3)}

    def summary(self) -> str:
        done = ", ".join(f"{k}={v}" for k, v in sorted(self.done.items())) or "nothing to do"
        tail = f"; remaining={self.remaining}, lag={self.lag_seconds:.0f}s" if self.remaining else ""
        err = f"; ERROR: {self.error}" if self.error else ""
        return f"{self.job}: {done}{tail} ({self.elapsed_seconds:.2f}s){err}"


class Budget:
    """A run's time budget (monotonic), also ended early by a stop request (worker shutdown)."""

    def __init__(self, seconds: float, stop: threading.Event | None = None) -> None:
        self.seconds = seconds
        self.stop = stop
        self._start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def exhausted(self) -> bool:
        return self.elapsed() >= self.seconds or (self.stop is not None and self.stop.is_set())


class Sweep(Protocol):
    """The public signature every sweep has (tests, the CLI and the scheduler call it directly)."""

    __name__: str

    def __call__(self, engine: Engine, now: datetime, *, instance: str = ..., settings: Settings | None = ...,
                 batch_size: int = ..., time_budget_s: float = ...,
                 stop: threading.Event | None = ...) -> SweepReport: ...


Body = Callable[[Engine, datetime, SweepReport, Budget, "RunOptions"], None]


@dataclass(frozen=True)
class RunOptions:
    instance: str
    settings: Settings | None
    batch_size: int


def sweep(job: str) -> Callable[[Body], Sweep]:
    """Turn a body into a sweep: time it, record ``sweep_status`` (also on error), return the report."""

    def wrap(body: Body) -> Sweep:
        @functools.wraps(body)
        def run(engine: Engine, now: datetime, *, instance: str = "local", settings: Settings | None = None,
                batch_size: int = DEFAULT_BATCH, time_budget_s: float = DEFAULT_BUDGET_S,
                stop: threading.Event | None = None) -> SweepReport:
            if now.tzinfo is None:
                raise ValueError("now must be timezone-aware")
            if batch_size < 1:
                raise ValueError("batch_size must be >= 1")
            report = SweepReport(job)
            budget = Budget(time_budget_s, stop)
            try:
                body(engine, now, report, budget, RunOptions(instance, settings, batch_size))
            except Exception as exc:
                report.error = f"{type(exc).__name__}: {exc}"[:2000]
                report.elapsed_seconds = budget.elapsed()
                _record_quietly(engine, report, instance, now)
                raise
            report.elapsed_seconds = budget.elapsed()
            if report.error:  # some units failed (logged, counted as "failed"); the rest were done
                log.error("%s: %s", job, report.error)
            if budget.exhausted() and report.remaining:
                log.warning("%s: time budget spent with %s left (lag %.0fs)", job, report.remaining,
                            report.lag_seconds)
            record_status(engine, report, instance=instance, started_at=now)
            return report

        run.__name__ = job
        return run  # type: ignore[return-value]

    return wrap


def record_status(engine: Engine, report: SweepReport, *, instance: str, started_at: datetime) -> None:
    """Upsert the sweep's status row (last run, counts, remaining, lag, error)."""
    values = {"job": report.job, "last_started_at": started_at,
              "last_finished_at": started_at + timedelta(seconds=report.elapsed_seconds),
              "last_instance": instance[:100], "last_stats": report.as_dict(), "last_error": report.error}
    table = SweepStatus.__table__  # type: ignore[attr-defined]
    ins = conflict_insert(engine.dialect.name, table)
    stmt = ins.values(**values).on_conflict_do_update(
        index_elements=["job"], set_={k: v for k, v in values.items() if k != "job"})
    with write_session(engine) as s:
        s.execute(stmt)
        s.commit()


def _record_quietly(engine: Engine, report: SweepReport, instance: str, now: datetime) -> None:
    try:
        record_status(engine, report, instance=instance, started_at=now)
    except Exception:  # the database itself may be what failed
        log.exception("could not record the status of %s", report.job)


def recorded_backfill() -> Any:
    """When the clock's case last had a back-filled step (补录, workflow.cases.when) recorded — the event of such a
    step keeps ``backfill.recorded_at`` (ISO 8601, UTC) — or NULL: a correlated subquery, one index probe per clock.
    A period that had ended by then is history: nobody is pressed for it now (issue 14 item 3)."""
    e, c = EVENTS.c, CLOCKS.c
    at = e.payload["backfill"]["recorded_at"].as_string()
    return (select(func.max(at)).where(e.case_kind == c.case_kind, e.case_id == c.case_id, at.is_not(None))
            .scalar_subquery().label("recorded"))


def recorded_time(value: Any) -> datetime | None:
    """``recorded_backfill``'s value as an aware instant (None: the case has no back-filled step)."""
    return aware(datetime.fromisoformat(str(value))) if value else None


def claim_slot(session: Any, job: str, slot: str, *, instance: str, now: datetime) -> int | None:
    """Claim a recurring job's slot for this instance (``INSERT … ON CONFLICT DO NOTHING``).

    Returns the ``job_run`` id, or None when another instance (or an earlier run) has the slot. Done in
    the caller's transaction: if the job's work rolls back, so does the claim.
    """
    table = JobRun.__table__  # type: ignore[attr-defined]
    ins = conflict_insert(dialect_name(session), table)
    stmt = ins.values(job=job[:64], slot=slot[:64], instance=instance[:100], started_at=now, stats={})
    new = session.execute(stmt.on_conflict_do_nothing(index_elements=["job", "slot"]).returning(table.c.id))
    found = new.scalar_one_or_none()
    return int(found) if found is not None else None


def finish_slot(session: Any, run_id: int, *, now: datetime, stats: dict[str, Any]) -> None:
    table = JobRun.__table__  # type: ignore[attr-defined]
    session.execute(update(table).where(table.c.id == run_id).values(finished_at=now, stats=stats))


# ------------------------------------------------------------------ agencies


@dataclass(frozen=True)
class AgencyInfo:
    """One agency as the sweeps see it at ``now``: settings, calendar, local day, leaders."""

    id: int
    code: str
    cfg: AgencyConfig
    cal: WorkCalendar
    today: date
    hours: WorkingHours
    snapshot: dict[str, Any]
    leaders: tuple[tuple[int, str], ...]  # (user id, display name) of active leaders

    @property
    def tz(self) -> str:
        return self.cfg.timezone

    def hold(self, now: datetime) -> datetime:
        """When a notice decided at ``now`` may go out: now inside working hours, else the next start."""
        return self.cal.next_working_instant(now, self.hours)

    def working_day_back(self, k: int) -> date:
        """The k-th most recent working day on or before today (k >= 1).

        ``due_date < working_day_back(k)`` ⟺ at least k working days have passed since the due day.
        """
        d, seen = self.today, 0
        for _ in range(3660 * 2):
            if self.cal.is_workday(d):
                seen += 1
                if seen == k:
                    return d
            d -= timedelta(days=1)
        raise ValueError(f"no {k}-th working day before {self.today}")


def leaders(session: Any, agency_id: int) -> tuple[tuple[int, str], ...]:
    return tuple((u.id or 0, u.display_name) for u in holders(session, agency_id, Role.LEADER))


def desk_users(session: Any, agency_id: int) -> tuple[tuple[int, str], ...]:
    """The agency's front desk (who signs 12345 orders for and calls back), else its leaders."""
    front = tuple((u.id or 0, u.display_name) for u in holders(session, agency_id, Role.FRONT_DESK))
    return front or leaders(session, agency_id)


def load_agencies(engine: Engine, now: datetime) -> list[AgencyInfo]:
    """Every agency with its config, calendar (cached per calendar version) and local date."""
    out = []
    with read_session(engine) as s:
        for agency in s.execute(select(Agency).order_by(Agency.id)).scalars().all():  # type: ignore[arg-type]
            assert agency.id is not None
            cfg = agency_config(agency)
            out.append(AgencyInfo(
                id=agency.id, code=agency.code, cfg=cfg, cal=agency_calendar(s, agency),
                today=local_date(now, cfg.timezone), hours=cfg.hours(), snapshot=agency_snapshot(agency, cfg),
                leaders=leaders(s, agency.id)))
    return out


# ------------------------------------------------------------------ claims


def skip_locked(q: Select[Any], engine: Engine, of: Any = CLOCKS) -> Select[Any]:
    """``FOR UPDATE OF <of> SKIP LOCKED`` on PostgreSQL; SQLite already serialises the writer."""
    if is_sqlite(engine):
        return q
    return q.with_for_update(skip_locked=True, of=of)


def case_table(kind: CaseKind) -> Any:
    """The kind's table as a Core table (the sweeps' set-based statements)."""
    return kind.table.__table__


def lock_cases(session: Any, engine: Engine, kind: str, ids: Iterable[int]) -> dict[int, Any]:
    """Lock the case rows that are free (SKIP LOCKED) and return them by id (id, agency_id, state…)."""
    wanted = sorted(set(ids))
    if not wanted or kind not in installed():
        return {}
    t = case_table(installed()[kind])
    q = skip_locked(select(t).where(t.c.id.in_(wanted)).order_by(t.c.id), engine, of=t)
    return {int(r.id): r for r in session.execute(q).all()}


# ------------------------------------------------------------------ case and people references


def case_refs(session: Any, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], dict[str, Any]]:
    """``case_ref`` contexts for (case_kind, case_id) pairs, one query per kind and 5,000 ids: the number and
    summary columns each kind's descriptor names (``CaseKind.ref_number``, ``ref_summary``)."""
    by_kind: dict[str, set[int]] = {}
    for name, cid in keys:
        by_kind.setdefault(name, set()).add(cid)
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for name, ids in by_kind.items():
        kind = installed().get(name)
        if kind is None:
            continue
        t = case_table(kind)
        cols = [t.c.id, *(t.c[n] for n in kind.ref_number), *(t.c[n] for n in kind.ref_summary)]
        # In chunks: PostgreSQL refuses a statement with more than 65,535 parameters.
        for chunk in _chunks(sorted(ids)):
            for r in session.execute(select(*cols).where(t.c.id.in_(chunk))).mappings().all():
                number = next((str(r[n]) for n in kind.ref_number if r[n]), f"#{r['id']}")
                summary = next((str(r[n]) for n in kind.ref_summary if r[n]), "")
                out[(name, int(r["id"]))] = case_ref(name, number, _summary(summary), kind_label=kind.label())
    return out


def fallback_ref(case_kind: str, case_id: int) -> dict[str, Any]:
    """A case's reference when its row could not be read (``#id``, no summary)."""
    kind = installed().get(case_kind)
    return case_ref(case_kind, f"#{case_id}", "（无摘要）", kind_label=kind.label() if kind else None)


def _chunks(ids: list[int], size: int = 5_000) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _summary(text: str | None) -> str:
    text = (text or "").strip().replace("\n", " ")
    return (text[:60] + "…" if len(text) > 60 else text) or "（无摘要）"


def people(session: Any, ids: Iterable[int | None]) -> dict[int, tuple[str, str]]:
    """User id → (display name, unit name) for the given ids."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    q = select(USERS.c.id, USERS.c.display_name, UNITS.c.name).select_from(
        USERS.outerjoin(UNITS, UNITS.c.id == USERS.c.unit_id)).where(USERS.c.id.in_(wanted))
    return {int(r[0]): (str(r[1] or NO_OFFICER), str(r[2] or NO_UNIT)) for r in session.execute(q).all()}


# ------------------------------------------------------------------ bulk inserts


def internal_notice(*, agency: AgencyInfo, notice_type: str, recipient_id: int, recipient_name: str,
                    case_kind: str | None, case_id: int | None, case: dict[str, Any] | None,
                    notice: dict[str, Any], dedupe_key: str, now: datetime, not_before: datetime) -> dict[str, Any]:
    """One outbox row (values) for an internal notice addressed to a user (delivered to their email)."""
    recipient_name = recipient_name or NO_OFFICER
    context: dict[str, Any] = {"agency": agency.snapshot, "recipient": {"name": recipient_name},
                               "issued_date": agency.today.isoformat(), "notice": notice}
    if case is not None:
        context["case"] = case
    return dict(agency_id=agency.id, case_kind=case_kind, case_id=case_id, notice_type=notice_type,
                channel="internal", recipient=f"user:{recipient_id}", recipient_name=recipient_name,
                context=context, dedupe_key=dedupe_key[:300], status=OutboxStatus.PENDING, attempts=0,
                next_attempt_at=not_before, created_at=now)


__all__ = ["CLOCKS", "EVENTS", "AgencyInfo", "Budget", "RunOptions", "Sweep", "SweepReport", "aware", "case_refs", "case_table", "claim_slot", "desk_users", "fallback_ref", "finish_slot", "internal_notice", "load_agencies", "lock_cases", "people", "record_status", "recorded_backfill", "recorded_time", "skip_locked", "sweep"]
