"""Admin endpoints for the scheduler: sweep status (last run, counts, lag) and the outbox (dead letters, retry).

``GET /api/admin/scheduler`` (admin or leader) and ``POST /api/admin/outbox/{id}/retry`` (admin) are
the data behind the admin pages; they read stored rows only (``sweep_status``, ``outbox``, clocks).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from states.roles import Role
from web.auth import CurrentUser
from web.deps import EngineDep, NowDep, require_roles
from workflow.ops.dead_letters import retry_dead_letter
from workflow.ops.status import dead_view, sweep_view, system_status
from workflow.sweeps.run import ORDER

router = APIRouter(prefix="/api/admin", tags=["admin"])

AdminOrLeader = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN, Role.LEADER))]
AdminOnly = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN))]


@router.get("/scheduler", summary="调度任务状态（上次运行、处理数量、积压与延迟）与发件箱统计")
def scheduler_status(engine: EngineDep, now: NowDep, user: AdminOrLeader,
                     dead_limit: Annotated[int, Query(ge=0, le=500)] = 50) -> dict[str, Any]:
    st = system_status(engine, user.agency_id, now, dead_limit=dead_limit)
    return {
        "now": now.isoformat(),
        "sweeps": [sweep_view(job, st.sweeps.get(job)) for job in ORDER],
        "outbox": {"by_status": st.outbox_counts, "due_now": st.due_now, "lag_seconds": round(st.lag_seconds, 1),
                   "dead_letters": [dead_view(o) for o in st.dead_letters]},
        "clocks": {"open": st.open_clocks, "stale_after_calendar_import": st.stale_clocks},
    }


@router.post("/outbox/{outbox_id}/retry", summary="重新发送一条失败（死信）通知")
def retry(outbox_id: int, engine: EngineDep, now: NowDep, user: AdminOnly) -> dict[str, Any]:
    # requeued and audited (the acting admin) in one transaction; 404 / 409 from the workflow's errors
    row = retry_dead_letter(engine, outbox_id, agency_id=user.agency_id, actor=user.principal(), now=now)
    return {"id": row.id, "status": row.status}
