"""Admin endpoints for the scheduler: sweep status (last run, counts, lag) and the outbox (dead letters, retry);
the audit log.

``GET /api/admin/scheduler`` (admin or leader) and ``POST /api/admin/outbox/{id}/retry`` (admin) are
the data behind the admin pages; they read stored rows only (``sweep_status``, ``outbox``, clocks).
``GET /api/admin/audit`` is the 操作记录 page's log (``workflow.accounts.audit_trail``, worded by web.audit_log), for
the agencies the caller administers (states.policy.may_administer: an agency's administrator its own, the instance
administrator any, ``agency=CODE``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from states.policy import may_administer
from states.roles import Role
from web.api.schemas import ERRORS, ApiOut, Number
from web.audit_log import audit_log
from web.auth import CurrentUser
from web.deps import EngineDep, NowDep, require_roles
from web.errors import ApiError
from workflow.accounts.audit_trail import audit_page
from workflow.agencies.views import agency_id_of
from workflow.ops.dead_letters import retry_dead_letter
from workflow.ops.status import dead_view, sweep_view, system_status
from workflow.sweeps.run import ORDER

router = APIRouter(prefix="/api/admin", tags=["admin"], responses=ERRORS)

AdminOrLeader = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN, Role.LEADER))]
AdminOnly = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN))]
AnyAdmin = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN, Role.INSTANCE_ADMIN))]
AUDIT_PAGE = 100  # entries a page by default (the page's too)
AUDIT_MAX = 500


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


class AuditEntryOut(ApiOut):  # web.audit_log.AuditLine
    """操作记录中的一条"""

    id: int = Field(description="记录编号（翻页时用作 before）")
    at: str = Field(description="时间（ISO 8601，带时区）")
    actor: str = Field(description="操作人（登录失败时为所填的用户名）")
    action: str = Field(description="操作代码，如 set_roles、login_failed、save_settings")
    action_label: str = Field(description="操作（中文），如“调整角色”")
    target: str = Field(description="对象：账户的用户名、“机关设置”或重新发送的文书")
    details: list[str] = Field(description="内容（中文，逐行），如“角色：承办人 → 承办人、负责人”；不含任何密码")


class AuditLogOut(ApiOut):
    items: list[AuditEntryOut] = Field(description="记录，最新的在前")
    next_before: int | None = Field(description="下一页（更早的记录）的 before；没有更早的记录时为 null")


@router.get("/audit", summary="操作记录：账户和机关设置的变更、登录失败、文书的重新发送（最新的在前，分页）",
            description="与“操作记录”页面相同，由系统自动记录，不能修改或删除。机关管理员查看本机关的记录；平台管理员"
                        "可用 agency 查看任何机关的记录。",
            response_model=AuditLogOut, response_description="一页记录")
def audit(engine: EngineDep, user: AnyAdmin,
          agency: Annotated[str | None, Query(max_length=64, description="机关代码；省略为本机关")] = None,
          before: Annotated[int | None, Query(ge=1, description="只列出编号小于此值的记录（上一页的 next_before）")] = None,
          limit: Annotated[int, Query(ge=1, le=AUDIT_MAX, description="每页条数")] = AUDIT_PAGE) -> AuditLogOut:
    agency_id = user.agency_id if agency is None else agency_id_of(engine, agency)  # unknown code: 404
    if not may_administer(user.principal().actor, agency_id):
        raise ApiError(403, "forbidden", "您只能查看本机关的操作记录；其他机关请由其机关管理员或平台管理员查看")
    log = audit_log(audit_page(engine, agency_id, before=before, limit=limit))
    return AuditLogOut(items=[AuditEntryOut(id=e.id, at=e.at.isoformat(), actor=e.actor, action=e.action,
                                            action_label=e.action_label, target=e.target, details=e.details)
                              for e in log.lines], next_before=log.next_before)
