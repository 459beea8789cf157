"""One back-filled step inside the caller's transaction, for imports (the go-live import, historical 12345 orders).

``workflow.cases.engine.step`` — what ``act`` runs inside its transaction — without ``act``'s own transaction and
commit, so that an imported row (its registration or intake and all its steps) is written all-or-nothing. Tests prove the result equal to entering the
same steps one ``act`` at a time (tests/workflow/test_golive_import.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from workflow.accounts.principal import Principal
from workflow.cases.engine import open_ctx, step
from workflow.cases.kind import CaseKind


def take_step(session: Session, kind: CaseKind, row: Any, action: str, payload: dict[str, Any], actor: Principal,
              now: datetime, effective_at: datetime, reason: str) -> None:
    """Fire ``action`` on ``row`` as of ``effective_at`` (DomainValidation / InvalidTransition as ``act`` raises)."""
    step(session, kind, open_ctx(session, kind, row, actor, now), action, payload, effective_at=effective_at,
         backfill_reason=reason)
    session.flush()
