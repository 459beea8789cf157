"""``GET /api/admin/health``: ``banli check`` as JSON for the administrator and monitoring.

200 when healthy (warnings included), 503 when a check failed, so a monitor holding an admin token can
alert on the status code alone. ``quick=true`` skips hashing the stored files. The ``request`` part tells
an operator what the server sees of the caller behind the reverse proxy (address and scheme), which is how
to confirm ``BANLI_FORWARDED_ALLOW_IPS``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from states.roles import Role
from web.auth import CurrentUser
from web.deps import EngineDep, NowDep, SettingsDep, client_ip, require_roles
from workflow.ops.health import run_checks

router = APIRouter(prefix="/api/admin", tags=["admin"])
AdminOnly = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN))]


@router.get("/health", summary="系统健康检查（与 banli check 相同）：数据库结构与完整性、存储文件、发信、调度程序、日历")
async def health(request: Request, engine: EngineDep, settings: SettingsDep, now: NowDep, user: AdminOnly,
                 quick: Annotated[bool, Query(description="只核对文件存在与大小，不计算校验值")] = False
                 ) -> JSONResponse:
    report = await run_in_threadpool(run_checks, engine, settings, now, quick=quick)
    body = {**report.to_dict(), "request": {"client_ip": client_ip(request), "scheme": request.url.scheme}}
    return JSONResponse(body, status_code=503 if report.status == "fail" else 200)
