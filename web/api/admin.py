"""Admin endpoints for the scheduler: sweep status (last run, counts, lag) and the outbox (dead letters, retry).

``GET /api/admin/scheduler`` (admin or leader) and ``POST /api/admin/outbox/{id}/retry`` (admin) are
the data behind the admin pages; they read stored rows only (``sweep_status``, ``outbox``, clocks).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from states.roles import Role
from web.api.schemas import ERRORS, ApiOut, Number
from web.auth import CurrentUser
from web.deps import EngineDep, NowDep, require_roles
from workflow.ops.dead_letters import retry_dead_letter
from workflow.ops.status import dead_view, sweep_view, system_status
from workflow.sweeps.run import ORDER

router = APIRouter(prefix="/api/admin", tags=["admin"], responses=ERRORS)

AdminOrLeader = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN, Role.LEADER))]
AdminOnly = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN))]


class SweepOut(ApiOut):  # workflow.ops.status.sweep_view
    """一个调度任务的上次运行"""

    job: str = Field(description="调度任务代码（按运行顺序列出）")
    interval_seconds: Number = Field(description="运行间隔（秒）")
    time_budget_seconds: Number = Field(description="每次运行的时间上限（秒）")
    last_started_at: str | None
    last_finished_at: str | None
    last_instance: str | None = Field(description="上次运行的实例")
    done: dict[str, Number] = Field(description="上次运行处理的数量（按类别）")
    remaining: int = Field(description="上次运行结束时尚未处理的数量")
    lag_seconds: Number = Field(description="最早一项待处理事项已等待的秒数")
    batches: int
    elapsed_seconds: Number | None
    error: str | None = Field(description="上次运行的错误（技术信息）")


class DeadLetterOut(ApiOut):  # workflow.ops.status.dead_view
    """一条发送失败、已停止重试的通知（死信）"""

    id: int
    notice_type: str
    channel: str
    recipient: str
    recipient_name: str
    case_kind: str | None
    case_id: int | None
    title: str = Field(description="通知名称")
    reason: str = Field(description="失败原因（中文）")
    attempts: int
    last_error: str | None = Field(description="最后一次失败的技术信息")
    created_at: str
    next_attempt_at: str


class OutboxOut(ApiOut):
    by_status: dict[str, int] = Field(description="各状态的通知数")
    due_now: int = Field(description="现在应发的通知数")
    lag_seconds: Number = Field(description="最早一条应发通知已等待的秒数")
    dead_letters: list[DeadLetterOut]


class ClockCountsOut(ApiOut):
    open: int = Field(description="计时中或暂停的期限数")
    stale_after_calendar_import: int = Field(description="导入节假日安排后尚待重新计算的期限数")


class SchedulerOut(ApiOut):
    now: str
    sweeps: list[SweepOut]
    outbox: OutboxOut
    clocks: ClockCountsOut


class RetriedOut(ApiOut):
    id: int
    status: str = Field(description="通知的新状态（pending：重新排队待发）")


@router.get("/scheduler", summary="调度任务状态（上次运行、处理数量、积压与延迟）与发件箱统计",
            response_model=SchedulerOut, response_description="各调度任务、发件箱和期限的状态")
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


@router.post("/outbox/{outbox_id}/retry", summary="重新发送一条失败（死信）通知",
             response_description="已重新排队")
def retry(outbox_id: int, engine: EngineDep, now: NowDep, user: AdminOnly) -> RetriedOut:
    # requeued and audited (the acting admin) in one transaction; 404 / 409 from the workflow's errors
    row = retry_dead_letter(engine, outbox_id, agency_id=user.agency_id, actor=user.principal(), now=now)
    assert row.id is not None
    return RetriedOut(id=row.id, status=row.status)
