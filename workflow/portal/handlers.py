"""What the actions on an online submission do (state ``submitted``): confirm, ask to complete, discard.

Run inside the action's transaction by workflow.disclosure.actions._fire, like every other handler; never commit.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.disclosure import payloads as P
from workflow.disclosure.context import Ctx, notify_applicant
from workflow.disclosure.receipt import rest_day_rule, start_registered


def local_iso(dt: datetime, tz: str) -> str:
    """An instant as an ISO string in the agency's zone (what notices print)."""
    return dt.astimezone(ZoneInfo(tz)).isoformat(timespec="minutes")


def _submitted(ctx: Ctx) -> dict[str, str]:
    return {"submission_no": ctx.row.submission_no or "", "submitted_at": local_iso(ctx.row.received_at_raw, ctx.tz)}


def h_confirm_submission(ctx: Ctx, p: P.NoteIn) -> None:
    """条例第三十一条第（三）项: an internet application is received on the date both sides confirm.

    The clerk's confirmation date is the receipt date (a rest day rolls forward per the agency's rule);
    the application is numbered, its clocks start from that date, and the receipt is emailed.
    """

    confirmed = ctx.today
    receipt, rolled = rest_day_rule(ctx.cfg, ctx.cal, confirmed)
    ctx.row.confirmed_at = ctx.now
    start_registered(ctx, receipt_date=receipt, rolled_from=rolled)
    reply = ctx.clocks()["reply"]
    due = reply.due_date.isoformat() if reply.due_date else ""
    ctx.event.update({"tracking_no": ctx.row.tracking_no, "submission_no": ctx.row.submission_no,
                      "receipt_date": receipt.isoformat(), "confirmed_date": confirmed.isoformat(), "reply_due": due})
    ctx.result.update({"tracking_no": ctx.row.tracking_no, "receipt_date": receipt.isoformat(), "reply_due": due})
    notify_applicant(ctx, "disclosure.online_receipt", {"due_date": due, "provisional": reply.provisional,
                                                        "confirmed_date": confirmed.isoformat()})


def h_request_completion(ctx: Ctx, p: P.CompletionIn) -> None:
    """The submission stays unconfirmed; the applicant is told by email what to add (and can upload it)."""
    notify_applicant(ctx, "disclosure.completion_request", {**_submitted(ctx), "message": p.message})


def h_discard_submission(ctx: Ctx, p: P.Empty) -> None:
    """Never received in law (no receipt date): nothing is counted; the applicant is told by email."""
    by_applicant = ctx.actor.is_applicant
    if by_applicant:
        ctx.row.withdrawn_at = ctx.now
    ctx.event["by_applicant"] = by_applicant
    notify_applicant(ctx, "disclosure.submission_closed",
                     {**_submitted(ctx), "closed_date": ctx.today.isoformat(), "reason": p.reason,
                      "by_applicant": by_applicant})
