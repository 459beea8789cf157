"""What the scheduler and the outbox are doing, for one agency's administrators (the API's /api/admin/scheduler and
the 系统状态 page read the same rows here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, func, select

from db.engine import read_session
from db.models import Clock, Outbox, SweepStatus
from notifications.failures import failure_reason
from notifications.outbox import backlog
from states.vocab import OPEN_CLOCK, OutboxStatus
from states.wording import SWEEP_ERRORS
from workflow.calendar.service import count_stale_clocks
from workflow.ops.dead_letters import notice_title
from workflow.sweeps.scheduler import JOBS

OUTBOX_STATUSES = tuple(OutboxStatus)


@dataclass(frozen=True)
class SweepRun:
    """A sweep's last run (``SweepStatus``)."""

    job: str
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_instance: str | None
    last_stats: dict[str, Any]
    last_error: str | None

    @classmethod
    def of(cls, row: SweepStatus) -> SweepRun:
        return cls(row.job, row.last_started_at, row.last_finished_at, row.last_instance, dict(row.last_stats or {}),
                   row.last_error)


@dataclass(frozen=True)
class DeadLetter:
    """A notice the outbox gave up on (status "dead")."""

    id: int
    notice_type: str
    channel: str
    recipient: str
    recipient_name: str
    case_kind: str | None
    case_id: int | None
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime

    @classmethod
    def of(cls, o: Outbox) -> DeadLetter:
        return cls(o.id or 0, o.notice_type, o.channel, o.recipient, o.recipient_name, o.case_kind, o.case_id,
                   o.attempts, o.last_error, o.created_at, o.next_attempt_at)


@dataclass(frozen=True)
class SystemStatus:
    sweeps: dict[str, SweepRun]  # by job
    outbox_counts: dict[str, int]  # by status, every status present
    dead_letters: list[DeadLetter]  # newest first
    open_clocks: int
    stale_clocks: int  # computed with a calendar version older than the current one
    due_now: int
    lag_seconds: float


def system_status(engine: Engine, agency_id: int, now: datetime, *, dead_limit: int = 50) -> SystemStatus:
    with read_session(engine) as s:
        sweeps = {r.job: SweepRun.of(r) for r in s.exec(select(SweepStatus)).all()}
        counts = dict(s.exec(select(Outbox.status, func.count()).where(Outbox.agency_id == agency_id)
                             .group_by(col(Outbox.status))).all())
        dead = [DeadLetter.of(o) for o in s.exec(select(Outbox).where(Outbox.agency_id == agency_id,
                                                                      Outbox.status == OutboxStatus.DEAD)
                .order_by(col(Outbox.id).desc()).limit(dead_limit)).all()] if dead_limit else []
        stale = count_stale_clocks(s)
        open_clocks = int(s.exec(select(func.count()).select_from(Clock).where(
            Clock.agency_id == agency_id, col(Clock.status).in_(OPEN_CLOCK))).one())
    due, lag = backlog(engine, now)
    return SystemStatus(sweeps, {st: int(counts.get(st, 0)) for st in OUTBOX_STATUSES}, dead, open_clocks, stale,
                        due, lag)


_SWEEP_ERROR_KINDS: tuple[tuple[str, str], ...] = (
    ("database is locked", "database_busy"),
    ("deadlock", "database_busy"),
    ("could not obtain lock", "database_busy"),
    ("lock timeout", "database_busy"),
    ("could not connect", "database_unreachable"),
    ("connection refused", "database_unreachable"),
    ("server closed the connection", "database_unreachable"),
    ("unable to open database", "database_unreachable"),
)


def sweep_error_reason(last_error: str | None) -> str:
    """A sweep run's error as the system-status page says it (``states.wording.SWEEP_ERRORS``); "" for none."""
    if not last_error:
        return ""
    text = last_error.lower()
    return SWEEP_ERRORS[next((kind for marker, kind in _SWEEP_ERROR_KINDS if marker in text), "other")]


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def sweep_view(job: str, row: SweepRun | None) -> dict[str, Any]:
    """A sweep's last run, as the API shows it."""
    stats = dict(row.last_stats or {}) if row else {}
    interval, _first, budget = JOBS[job]
    return {
        "job": job, "interval_seconds": interval, "time_budget_seconds": budget,
        "last_started_at": _iso(row.last_started_at) if row else None,
        "last_finished_at": _iso(row.last_finished_at) if row else None,
        "last_instance": row.last_instance if row else None,
        "done": stats.get("done", {}), "remaining": stats.get("remaining", 0),
        "lag_seconds": stats.get("lag_seconds", 0.0), "batches": stats.get("batches", 0),
        "elapsed_seconds": stats.get("elapsed_seconds"), "error": row.last_error if row else None,
    }


def dead_view(o: DeadLetter) -> dict[str, Any]:
    return {"id": o.id, "notice_type": o.notice_type, "channel": o.channel, "recipient": o.recipient,
            "recipient_name": o.recipient_name, "case_kind": o.case_kind, "case_id": o.case_id,
            "title": notice_title(o.notice_type), "reason": failure_reason(o.last_error),
            "attempts": o.attempts, "last_error": o.last_error, "created_at": _iso(o.created_at),
            "next_attempt_at": _iso(o.next_attempt_at)}
