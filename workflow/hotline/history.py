"""Orders the platform already handled before the agency went live (签收, 反馈, 回访, 办结 with their times): each
step taken through the case engine on its own time (workflow.golive.step), so clocks, events and the order's
cycle are those of the same steps entered one by one; all of an order's steps or none of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from db.models import WorkOrder
from workflow.accounts.principal import Principal
from workflow.cases.engine import open_ctx
from workflow.errors import DomainValidation, InvalidTransition
from workflow.golive.step import take_step
from workflow.hotline.kind import HOTLINE
from workflow.hotline.mapping import HISTORY_FIELDS
from workflow.hotline.records import RowError

REASON = "上线导入：按热线平台的记录补录"
Step = tuple[str, dict[str, Any], datetime, str]  # (action, payload, when, history field blamed)


def history_steps(record: dict[str, Any], history: dict[str, Any]) -> list[Step]:
    """The steps the history columns describe, in their order (the parser checked the times run forwards)."""
    if not history:
        return []
    replied = history.get("replied_at")
    steps: list[Step] = [("sign_for", {}, history.get("signed_at") or record["received_at"], "signed_at")]
    if replied is not None:
        steps.append(("reply", {"result_text": history["reply_text"]}, replied, "replied_at"))
    if "callback_at" in history:
        steps.append(("record_callback", {"result": history["callback_result"]}, history["callback_at"],
                      "callback_at"))
    if "closed_at" in history:
        steps.append(("close", {}, history["closed_at"], "closed_at"))
    return steps


def write_history(session: Session, order: WorkOrder, steps: list[Step], actor: Principal, now: datetime,
                  row: int) -> RowError | None:
    """Take the steps on ``order`` inside the caller's transaction; the first refusal as the row's problem."""
    ctx = open_ctx(session, HOTLINE, order, actor, now)
    for action, payload, at, field in steps:
        try:
            take_step(session, HOTLINE, ctx, action, payload, at, REASON)
        except DomainValidation as exc:
            first = exc.fields[0] if exc.fields else {}
            return RowError(row, HISTORY_FIELDS[field].label,
                            str(first.get("message", exc.message)), str(first.get("code", "invalid")))
        except InvalidTransition as exc:
            label = HOTLINE.labels.get(action, action)
            return RowError(row, HISTORY_FIELDS[field].label, f"{label}：{exc.message}", exc.code)
    return None
