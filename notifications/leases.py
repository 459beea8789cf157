"""Outbox leases judged by the database's clock, short and renewed while a batch is being sent.

A worker's own clock decides when a notice is due (``next_attempt_at``, the injected ``now``), but never
whether another worker's claim has run out: two workers whose clocks differ by more than a lease would both
send the same rows. ``database_now`` reads the one clock every worker shares (PostgreSQL's
``clock_timestamp()``; SQLite's ``now``, the host's clock, since SQLite lives on one machine). A lease is short
(``outbox_lease_seconds``, 60 s) so a killed worker's rows are taken over soon, and ``renew`` extends it
while the batch is still being sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text, update
from sqlmodel import Session, col

from db.engine import write_session
from db.models.common import Outbox
from states.vocab import OutboxStatus

_SQLITE_NOW = text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")
_PG_NOW = text("SELECT clock_timestamp()")


def database_now(session: Session) -> datetime:
    """The database's clock, as an aware UTC instant."""
    if session.get_bind().dialect.name == "sqlite":
        raw = session.execute(_SQLITE_NOW).scalar_one()
        return datetime.fromisoformat(str(raw)).replace(tzinfo=UTC)
    value: datetime = session.execute(_PG_NOW).scalar_one()
    return value.astimezone(UTC)


def lease_end(session: Session, seconds: int) -> tuple[datetime, datetime]:
    """(the database's now, the end of a lease taken now)."""
    now = database_now(session)
    return now, now + timedelta(seconds=seconds)


def renew(engine: Engine, ids: Sequence[int], instance: str, seconds: int) -> int:
    """Extend the leases ``instance`` still holds on ``ids``; returns how many it still held."""
    if not ids:
        return 0
    with write_session(engine) as s:
        _, until = lease_end(s, seconds)
        res = s.execute(update(Outbox).where(col(Outbox.id).in_(list(ids)), col(Outbox.status) == OutboxStatus.SENDING,
                                             col(Outbox.locked_by) == instance).values(lease_until=until))
        s.commit()
    return int(getattr(res, "rowcount", 0) or 0)
