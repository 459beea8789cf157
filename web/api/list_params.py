"""Query parameters every kind's case list takes beyond its own (the filters of the /cases page and the leader's
pending approvals: workflow.cases.keyset.CaseListFilter)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

UnitParam = Annotated[int | None, Query(description="承办科室的 id（可选的科室见 …/assignment-choices 的 units）")]
MonthParam = Annotated[str | None, Query(max_length=7, description="收到月份（年-月），如 2026-03")]
PendingParam = Annotated[bool | None, Query(
    description="true：只列出有待审批事项（如延期申请待负责人审批）的案件；false：只列出没有的")]
