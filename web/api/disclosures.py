"""Disclosure application endpoints: register, list, detail, actions, fee preview."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from web.api.cases import case_router
from web.concurrency import group_commit
from web.deps import EngineDep, NowDep, PrincipalDep
from workflow.cases.attachments import CATEGORIES as UPLOAD_CATEGORIES
from workflow.disclosure import actions as wf
from workflow.disclosure.kind import DISCLOSURE
from workflow.disclosure.payloads import RegisterIn
from workflow.disclosure.queries import ListFilter, disclosure_list, get_detail, quoted_fee

router = APIRouter(prefix="/api/disclosures", tags=["disclosures"])

class RegisteredOut(BaseModel):
    id: int
    tracking_no: str = Field(description="受理编号，如 依申〔2026〕0001号")
    query_code: str = Field(description="查询码（只显示这一次；库中只存其散列）")
    state: str
    version: int
    receipt_date: str = Field(description="法定收到日期（条例第三十一条），YYYY-MM-DD")


@router.post("", status_code=201, summary="登记政府信息公开申请", response_model=RegisteredOut,
             response_description="已登记：受理编号与查询码（查询码只在此显示一次）")
async def register(request: Request, data: RegisterIn, now: NowDep, actor: PrincipalDep) -> JSONResponse:
    # Group commit: registrations arriving together share one transaction (each all-or-nothing).
    r: wf.Registered = await group_commit(request, "registrations", (data, actor, now))
    # The front desk's hot path: the response is built directly (the schema above documents it).
    return JSONResponse({"id": r.id, "tracking_no": r.tracking_no, "query_code": r.query_code, "state": r.state,
                         "version": r.version, "receipt_date": r.receipt_date}, status_code=201)


@router.get("", summary="申请列表（服务端筛选，键集分页）")
def list_(engine: EngineDep, now: NowDep, actor: PrincipalDep,
          state: Annotated[list[str] | None, Query()] = None, assignee: int | None = None,
          due_before: datetime | None = None, due_after: datetime | None = None, overdue: bool | None = None,
          applicant: str | None = None, text: str | None = None, agency_id: int | None = None,
          open_only: bool = False, limit: Annotated[int, Query(ge=1, le=200)] = 50,
          cursor: str | None = None) -> dict[str, Any]:
    f = ListFilter(state=state, assignee_id=assignee, due_before=due_before, due_after=due_after, overdue=overdue,
                   applicant=applicant, text=text, agency_id=agency_id, open_only=open_only)
    items, nxt = disclosure_list(engine, actor, f, now=now, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": nxt}


@router.get("/{case_id}/fee-preview", summary="信息处理费预览（国办函〔2020〕109号）")
def fee_preview(case_id: int, method: Literal["item", "page"], quantity: Annotated[int, Query(ge=1, le=1_000_000)],
                engine: EngineDep, now: NowDep, actor: PrincipalDep) -> dict[str, Any]:
    return quoted_fee(engine, case_id, actor, now=now, method=method, quantity=quantity)


# Detail, actions and files: the endpoints every request kind shares (web.api.cases), after the routes above.
router.include_router(case_router(DISCLOSURE, prefix="", tag="disclosures", detail=get_detail,
                                  upload_categories=UPLOAD_CATEGORIES, default_category="application"))
