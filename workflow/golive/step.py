"""One back-filled step inside the caller's transaction, for imports (the go-live import, historical 12345 orders).

``workflow.cases.engine.step`` — what ``act`` runs inside its transaction — without ``act``'s own transaction and
commit, so that an imported row (its registration or intake and all its steps) is written all-or-nothing. One
context serves all the steps of a row (``step`` gives each its own action key and keeps the previous step's time), as
``act`` opens one per action. Tests prove the result equal to entering the same steps one ``act`` at a time
(tests/workflow/test_golive_import.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from workflow.cases.context import CaseCtx
from workflow.cases.engine import step
from workflow.cases.kind import CaseKind


def take_step(session: Session, kind: CaseKind, ctx: CaseCtx, action: str, payload: dict[str, Any],
              effective_at: datetime, reason: str, *, flush: bool = True) -> None:
    """Fire ``action`` on the context's row as of ``effective_at`` (DomainValidation / InvalidTransition as ``act``
    raises). ``flush=False`` for a session that flushes before each query itself (autoflush): the step's changes are
    then written with the next query or at the end of the row, several steps' updates of a row in one."""
    step(session, kind, ctx, action, payload, effective_at=effective_at, backfill_reason=reason)
    if flush:
        session.flush()
