"""Front desk: the queue of online submissions (confirm, ask to complete, discard) and of online corrections.

Each button runs the workflow's own action (``confirm_submission``, ``request_completion``,
``discard_submission``, ``receive_correction``) with the version the clerk saw. A confirmed submission
opens its case page, where it is assigned; the other actions return to the queue.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from states.disclosure import ACTION_LABELS
from states.roles import Role
from web.auth import CurrentUser
from web.pages.common import agency_of, now, today
from web.pages.forms import errors_by_field
from web.pages.render import redirect, render
from web.pages.session import PageError, StaffForm, app_engine, form_str, principal, require
from workflow.disclosure import actions as wf
from workflow.errors import DomainValidation, InvalidTransition, NotFound, StaleVersion
from workflow.portal.queue import online_queue

router = APIRouter(prefix="/frontdesk/online", include_in_schema=False)
CanConfirm = require(Role.FRONT_DESK, Role.LEADER)
QUEUE = "/frontdesk/online"
ACTIONS = ("confirm_submission", "request_completion", "discard_submission", "receive_correction")


@router.get("")
def queue(request: Request, user: CurrentUser = CanConfirm) -> Response:
    _, cfg = agency_of(request, user)
    q = online_queue(app_engine(request), user.agency_id, now(request))
    return render(request, "frontdesk/online.html", {
        "subs": q.submissions, "corrections": q.corrections, "today": today(request, cfg.timezone),
        "may_receive": user.has(Role.FRONT_DESK), "may_confirm": user.has(Role.FRONT_DESK)})


def _payload(action: str, form: FormData, request: Request, tz: str) -> dict[str, object]:
    if action == "confirm_submission":
        return {"note": form_str(form, "note")}
    if action == "request_completion":
        return {"message": form_str(form, "message")}
    if action == "discard_submission":
        return {"reason": form_str(form, "reason")}
    # 补正 sent online counts as received on the day the clerk records it (today).
    note = form_str(form, "note") or "申请人通过网上提交补正材料，经工作人员确认收到"
    return {"received_date": today(request, tz).isoformat(), "note": note}


@router.post("/{case_id}/{action}")
def act(request: Request, case_id: int, action: str, form: StaffForm, user: CurrentUser = CanConfirm) -> Response:
    if action not in ACTIONS:
        raise PageError(404, "没有这个操作")
    _, cfg = agency_of(request, user)
    version_raw = form_str(form, "expected_version")
    version = int(version_raw) if version_raw.isdigit() else None
    try:
        res = wf.act(app_engine(request), case_id, action, _payload(action, form, request, cfg.timezone),
                     principal(user), now(request), version)
    except (ValidationError, DomainValidation) as exc:
        msgs = [m for ms in errors_by_field(exc).values() for m in ms]
        return redirect(request, QUEUE, ("error", f"未能{ACTION_LABELS[action]}：" + "；".join(msgs)))
    except (StaleVersion, InvalidTransition, NotFound) as exc:
        return redirect(request, QUEUE, ("error", f"未能{ACTION_LABELS[action]}：" + exc.message))
    if action == "confirm_submission":  # on to the case, to assign it (分办)
        r = res.result
        return redirect(request, f"/cases/disclosure/{case_id}", (
            "ok", f"已确认受理，受理编号 {r['tracking_no']}，收到申请之日 {r['receipt_date']}，答复期限 {r['reply_due']}；"
                  "接收回执将以电子邮件发送申请人。请分办。"))
    if action == "receive_correction":
        msg = "已登记收到补正材料，答复期限自今日起重新计算。"
    else:
        msg = f"已完成：{ACTION_LABELS[action]}，已通知申请人。"
    return redirect(request, QUEUE, ("ok", msg))
