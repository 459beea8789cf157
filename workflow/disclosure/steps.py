"""Steps shared by the disclosure handlers (workflow.disclosure.handlers, .reply): dates, clocks, conclusion,
document numbers. They run inside the action's transaction and never commit."""

from __future__ import annotations

from datetime import date

from db.models import Clock
from states.decisions import Category, lookup, row_for
from states.vocab import OPEN_CLOCK, ClockStatus
from workflow.cases.clocks import stop_clock
from workflow.cases.numbers import take_number
from workflow.disclosure.context import Ctx
from workflow.errors import DomainValidation


def latest_clock(ctx: Ctx, kind: str) -> Clock | None:
    return ctx.clocks().get(kind)


def not_future(ctx: Ctx, d: date | None, field: str) -> date:
    if d is None:
        return ctx.today
    if d > ctx.today:
        raise DomainValidation.one(field, "in_future", "日期不能晚于今天")
    return d


def not_before(d: date, floor: date | None, field: str, what: str) -> None:
    if floor is not None and d < floor:
        raise DomainValidation.one(field, "too_early", f"日期不能早于{what}（{floor.isoformat()}）")


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def record_move(ctx: Ctx, kind: str, old: date | None, new: date | None) -> None:
    """Record a moved deadline in the event (old and new date)."""
    if old != new:
        ctx.event.setdefault("moved", []).append({"clock": kind, "old": iso(old), "new": iso(new)})


def conclude(ctx: Ctx, category: Category, reason: str) -> None:
    """Set the resolution: decision, its table-三 row, and the conclusion date (counted in that year)."""
    r = lookup(category, reason)
    assert r is not None
    row = ctx.row
    row.decision = f"{category}.{reason}"
    row.report_row = row_for(r, ctx.cfg.report_row_overrides)
    row.concluded_at = ctx.now
    row.concluded_date = ctx.today
    ctx.event["decision"] = row.decision
    ctx.event["report_row"] = row.report_row


def stop_open(ctx: Ctx, status: ClockStatus = ClockStatus.CANCELLED) -> None:
    for c in ctx.clocks().values():
        if c.status in OPEN_CLOCK:
            stop_clock(c, status=status, now=ctx.now)


def next_doc_no(ctx: Ctx, series: str) -> str:
    year = ctx.today.year
    seq = take_number(ctx.session, ctx.row.agency_id, series, year)  # a counter: nothing to flush first
    fmt = ctx.cfg.reply_doc_format if series == "reply" else ctx.cfg.notice_doc_format
    return fmt.format(year=year, seq=seq)
