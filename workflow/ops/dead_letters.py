"""The admin's retry of a dead letter: requeued and recorded in the audit trail in one transaction.

The audit row (``Event`` with ``case_kind="outbox"``, the outbox row's id) names the acting admin and what was
retried; notifications never write audit rows themselves.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine

from db.engine import write_session
from db.models import Outbox
from notifications.catalog import get_spec
from notifications.errors import UnknownNotice
from notifications.outbox import requeue_dead
from states.vocab import OutboxStatus
from states.wording import OUTBOX_STATUS
from workflow.accounts.principal import Principal
from workflow.cases.audit import append_event
from workflow.errors import Conflict, NotFound

log = logging.getLogger(__name__)
OUTBOX = "outbox"  # Event.case_kind of dead-letter retries


def notice_title(notice_type: str) -> str:
    """The catalog's Chinese title of a notice type (the code itself if unknown)."""
    try:
        return get_spec(notice_type).title_zh
    except UnknownNotice:
        return notice_type


def retry_dead_letter(engine: Engine, outbox_id: int, *, agency_id: int, actor: Principal, now: datetime) -> Outbox:
    """Requeue one dead letter of the admin's agency (attempts reset, due now) and record who did it."""
    with write_session(engine) as s:
        row = s.get(Outbox, outbox_id)
        if row is None or row.agency_id != agency_id:
            raise NotFound("通知")
        before = (row.status, row.attempts, row.last_error)
        if requeue_dead(s, outbox_id, now, agency_id=agency_id) is None:
            raise Conflict(f"只有发送失败的通知可以重新发送（当前状态：{OUTBOX_STATUS.get(row.status, row.status)}）",
                           "not_dead")
        append_event(s, agency_id=agency_id, case_kind=OUTBOX, case_id=outbox_id, actor=actor,
                     action="retry_dead_letter", from_state=OutboxStatus.DEAD, to_state=OutboxStatus.PENDING,
                     now=now,
                     payload={"notice_type": row.notice_type, "title": notice_title(row.notice_type),
                              "recipient_name": row.recipient_name, "case_kind": row.case_kind,
                              "case_id": row.case_id, "attempts": before[1], "last_error": (before[2] or "")[:500]})
        s.commit()
        s.refresh(row)
        s.expunge(row)
    log.info("outbox %s requeued by %s", outbox_id, actor.label)
    return row
