"""One back-filled step inside the caller's transaction, for imports (the go-live import, historical 12345 orders).

The body of ``workflow.cases.engine.act`` — the effective time checked (``workflow.cases.when``), the step fired as
of that time, its e-mails held — without ``act``'s own transaction and commit, so that an imported row (its
registration or intake and all its steps) is written all-or-nothing. Tests prove the result equal to entering the
same steps one ``act`` at a time (tests/workflow/test_golive_import.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from workflow.accounts.principal import Principal
from workflow.cases.engine import fire, hold_emails, open_ctx, previous_step
from workflow.cases.kind import CaseKind
from workflow.cases.when import resolve
from workflow.errors import DomainValidation, InvalidTransition
from workflow.timesource import local_date


def take_step(session: Session, kind: CaseKind, row: Any, action: str, payload: dict[str, Any], actor: Principal,
              now: datetime, effective_at: datetime, reason: str) -> None:
    """Fire ``action`` on ``row`` as of ``effective_at`` (DomainValidation / InvalidTransition as ``act`` raises)."""
    ctx = open_ctx(session, kind, row, actor, now)
    when = resolve(actor=actor, now=now, effective_at=effective_at, reason=reason,
                   previous=previous_step(session, kind, row), cfg=ctx.cfg, cal=ctx.cal, noun=kind.noun)
    ctx.now = when.effective
    try:
        fire(kind, ctx, action, payload, when.stamp())
    except InvalidTransition as exc:
        if exc.code != "guard_failed":
            raise
        day = local_date(when.effective, ctx.tz)
        raise DomainValidation.one("effective_at", "guard_failed",
                                   f"按所填办理时间（{day.year}年{day.month}月{day.day}日）：{exc.message}") from exc
    if when.recorded_later:
        session.flush()
        hold_emails(session, kind, ctx)
    session.flush()
