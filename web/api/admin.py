"""Admin endpoints for the scheduler: sweep status (last run, counts, lag) and the outbox (dead letters, retry).

``GET /api/admin/scheduler`` (admin or leader) and ``POST /api/admin/outbox/{id}/retry`` (admin) are
the data behind the admin pages; they read stored rows only (``sweep_status``, ``outbox``, clocks).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlmodel import col, func, select

from db.engine import read_session
from db.models import Clock, Outbox, SweepStatus
from notifications.failures import failure_reason
from notifications.outbox import backlog
from states.roles import Role
from web.auth import CurrentUser
from web.deps import EngineDep, NowDep, require_roles
from workflow.calendar.service import count_stale_clocks
from workflow.ops.dead_letters import notice_title, retry_dead_letter
from workflow.sweeps.run import ORDER
from workflow.sweeps.scheduler import JOBS

router = APIRouter(prefix="/api/admin", tags=["admin"])

AdminOrLeader = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN, Role.LEADER))]
AdminOnly = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN))]
OUTBOX_STATUSES = ("pending", "sending", "sent", "dead", "held")


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def _sweep_view(job: str, row: SweepStatus | None) -> dict[str, Any]:
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


def _dead_view(o: Outbox) -> dict[str, Any]:
    return {"id": o.id, "notice_type": o.notice_type, "channel": o.channel, "recipient": o.recipient,
            "recipient_name": o.recipient_name, "case_kind": o.case_kind, "case_id": o.case_id,
            "title": notice_title(o.notice_type), "reason": failure_reason(o.last_error),
            "attempts": o.attempts, "last_error": o.last_error, "created_at": _iso(o.created_at),
            "next_attempt_at": _iso(o.next_attempt_at)}


@router.get("/scheduler", summary="调度任务状态（上次运行、处理数量、积压与延迟）与发件箱统计")
def scheduler_status(engine: EngineDep, now: NowDep, user: AdminOrLeader,
                     dead_limit: Annotated[int, Query(ge=0, le=500)] = 50) -> dict[str, Any]:
    with read_session(engine) as s:
        rows = {r.job: r for r in s.exec(select(SweepStatus)).all()}
        counts = dict(s.exec(select(Outbox.status, func.count()).where(Outbox.agency_id == user.agency_id)
                             .group_by(col(Outbox.status))).all())
        dead = s.exec(select(Outbox).where(Outbox.agency_id == user.agency_id, Outbox.status == "dead")
                      .order_by(col(Outbox.id).desc()).limit(dead_limit)).all() if dead_limit else []
        stale = count_stale_clocks(s)
        open_clocks = int(s.exec(select(func.count()).select_from(Clock).where(
            Clock.agency_id == user.agency_id, col(Clock.status).in_(("running", "paused")))).one())
    due, lag = backlog(engine, now)
    return {
        "now": now.isoformat(),
        "sweeps": [_sweep_view(job, rows.get(job)) for job in ORDER],
        "outbox": {"by_status": {st: int(counts.get(st, 0)) for st in OUTBOX_STATUSES},
                   "due_now": due, "lag_seconds": round(lag, 1), "dead_letters": [_dead_view(o) for o in dead]},
        "clocks": {"open": open_clocks, "stale_after_calendar_import": stale},
    }


@router.post("/outbox/{outbox_id}/retry", summary="重新发送一条失败（死信）通知")
def retry(outbox_id: int, engine: EngineDep, now: NowDep, user: AdminOnly) -> dict[str, Any]:
    # requeued and audited (the acting admin) in one transaction; 404 / 409 from the workflow's errors
    row = retry_dead_letter(engine, outbox_id, agency_id=user.agency_id, actor=user.principal(), now=now)
    return {"id": row.id, "status": row.status}
