"""The go-live import of disclosure applications through the API, as ``/admin/golive`` and ``banli disclosure
import`` offer it: the template, the upload (every row checked as if a clerk had entered it, good rows written with
their own dates, bad rows reported; ``dry_run`` checks without writing), the status of a background import and
every problem of an import as .xlsx or .csv. The import is the page's (web.import_kinds.GOLIVE_IMPORT: its jobs are
the page's, so each can follow the other's), for the agency's administrator or a leader
(states.policy.may_import_history, through workflow.golive.actor.import_principal).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from pydantic import Field

from web.api.imports import (
    JOB_DESCRIPTION,
    PROBLEM_LIST,
    ImportReportBase,
    ImportStartedOut,
    ImportStatusBase,
    ProblemFormat,
    job_status,
    problem_file,
    run_import,
)
from web.api.schemas import ERRORS, file_answer
from web.deps import EngineDep, NowDep, PrincipalDep, SettingsDep
from web.import_kinds import GOLIVE_IMPORT, XLSX, golive_template
from workflow.golive.actor import import_principal

router = APIRouter(prefix="/api/golive", tags=["golive"], responses=ERRORS)
URL = "/api/golive/import"


class GoLiveReportOut(ImportReportBase):  # workflow.golive.run.GoLiveReport
    """上线导入的结果"""

    total: int = Field(description="文件总行数（空行不计）")
    created: int = Field(description="导入的申请数（试运行时为将导入的数）")
    existing: int = Field(description="此前已导入（原编号已在系统中，未再导入）")
    concluded: int = Field(description="导入的申请中已办结的")
    open: int = Field(description="导入的申请中未办结的")


class GoLiveDoneOut(GoLiveReportOut):
    job: str = Field(description=JOB_DESCRIPTION)


class GoLiveStatusOut(ImportStatusBase):
    report: GoLiveReportOut | None = Field(None, description="导入结果（仅 done）")


@router.get("/template.xlsx", summary="下载上线导入模板（表头、示例、填写说明、代码表）", response_class=Response,
            responses=file_answer("上线导入模板（.xlsx）", XLSX))
def template(actor: PrincipalDep) -> Response:
    import_principal(actor)  # the agency's administrator or a leader (403 otherwise)
    return golive_template()


@router.post("/import", summary="上线导入：导入本机关已办结和未办结的历史申请（.xlsx 或 .csv，按导入模板填写）",
             description="与管理页面“上线导入”和命令 banli disclosure import 相同：逐行检查（与登记时相同的校验），"
                         "没有问题的行按原来的日期导入，有问题的行不导入并列出原因；原编号已导入过的行不再导入，"
                         "同一文件可以再次上传。dry_run=true 时只检查、不写入。background=true 时在后台导入"
                         "（返回 202 和查询地址），适合大文件。只有本机关的机关管理员或负责人可以导入。",
             response_model=GoLiveDoneOut, response_description="导入结果（每一行都已检查）",
             responses={202: {"model": ImportStartedOut, "description": "后台导入已开始：用 status_url 查询进度和结果"}})
async def import_(request: Request, engine: EngineDep, now: NowDep, actor: PrincipalDep, settings: SettingsDep,
                  file: Annotated[UploadFile, File(description="按导入模板填写的 .xlsx 或 .csv 文件（一个）")],
                  dry_run: Annotated[bool, Form(description="试运行：只检查，不写入数据库")] = False,
                  background: Annotated[bool, Form(description="在后台导入（返回 202）")] = False) -> Any:
    import_principal(actor)
    return await run_import(GOLIVE_IMPORT, URL, request, engine, now, actor, settings, file=file, dry_run=dry_run,
                            background=background, default_suffix=".xlsx")


@router.get("/import/{token}", summary="上线导入的进度和结果", response_model=GoLiveStatusOut,
            response_model_exclude_unset=True, response_description="导入的进度；完成后为结果")
def import_status(token: str, actor: PrincipalDep, settings: SettingsDep) -> dict[str, Any]:
    import_principal(actor)
    return job_status(GOLIVE_IMPORT, token, actor, settings)


@router.get("/import/{token}/errors.{fmt}", summary="下载一次上线导入的全部问题（与导入页面提供的问题清单相同）",
            response_class=Response, responses=PROBLEM_LIST)
def import_problems(token: str, fmt: ProblemFormat, actor: PrincipalDep, settings: SettingsDep) -> Response:
    import_principal(actor)
    return problem_file(GOLIVE_IMPORT, token, fmt, actor, settings)
