"""``GET /api/admin/health``: ``banli check`` as JSON for the administrator and monitoring.

200 when healthy (warnings included), 503 when a check failed, so a monitor holding an admin token can
alert on the status code alone. ``quick=true`` skips hashing the stored files. The ``request`` part tells
an operator what the server sees of the caller behind the reverse proxy (address and scheme), which is how
to confirm ``BANLI_FORWARDED_ALLOW_IPS``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from states.roles import Role
from web.api.schemas import ERRORS, ApiOut
from web.auth import CurrentUser
from web.deps import EngineDep, NowDep, SettingsDep, client_ip, require_roles
from workflow.ops.health import run_checks

router = APIRouter(prefix="/api/admin", tags=["admin"], responses=ERRORS)
AdminOnly = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN))]
Status = Literal["ok", "warn", "fail"]


class CheckOut(ApiOut):
    name: str = Field(description="检查项代码")
    title: str = Field(description="检查项名称")
    status: Status = Field(description="ok 正常 / warn 注意 / fail 失败")
    message: str = Field(description="结果（中文）")
    message_en: str = Field(description="结果（英文，供运维日志）")
    details: dict[str, Any] = Field(description="细节（因检查项而异）")


class RequestSeenOut(ApiOut):
    """服务器看到的调用方（经反向代理之后）"""

    client_ip: str
    scheme: str


class HealthOut(ApiOut):
    status: Status = Field(description="最差一项的结果：fail 时以 503 应答")
    checked_at: str
    checks: list[CheckOut]
    request: RequestSeenOut


@router.get("/health", summary="系统健康检查（与 banli check 相同）：数据库结构与完整性、存储文件、发信、调度程序、日历",
            response_model=HealthOut, response_description="健康（可能有需要注意的事项）",
            responses={503: {"model": HealthOut, "description": "不健康：至少一项检查失败"}})
async def health(request: Request, response: Response, engine: EngineDep, settings: SettingsDep, now: NowDep,
                 user: AdminOnly,
                 quick: Annotated[bool, Query(description="只核对文件存在与大小，不计算校验值")] = False
                 ) -> dict[str, Any]:
    report = await run_in_threadpool(run_checks, engine, settings, now, quick=quick)
    response.status_code = 503 if report.status == "fail" else 200
    return {**report.to_dict(), "request": {"client_ip": client_ip(request), "scheme": request.url.scheme}}
