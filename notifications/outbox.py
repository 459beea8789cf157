"""Drain the outbox: claim due rows, render and send outside any transaction, then mark them.

1. Claim (one short write transaction, one ``UPDATE … RETURNING``): due ``pending`` rows and ``sending`` rows whose
   lease expired; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite; set ``sending``,
   ``locked_by``, ``lease_until``; commit. Leases are taken and judged on the database's clock, short, and renewed
   while the batch is sent (``notifications.leases``).
2. Render (``CHUNK`` rows at a time on a thread, the next chunk while this one is sent) and send over one SMTP
   connection with no transaction open. A text-and-HTML message (every internal notice: no attachment) is written
   straight to bytes (``notifications.mailer.compose``).
3. Mark, while the next messages are sent: the deliveries made meanwhile together (``mark_sent_many``: one
   transaction; if it fails, each row on its own), as soon as the mark before them is committed and at most every
   ``MARK_EVERY_S``; a row with files to store (+ StoredFile rows, a document event) or a secret to scrub on its
   own (``mark_sent``); a failed row on its own, back to ``pending`` with back-off, or ``dead``. A crash between the
   SMTP server's acceptance and the mark leaves those rows ``sending``; once their lease expires they are sent
   again — at most one duplicate each, carrying the same Message-ID. That window is one mark transaction plus at
   most ``MARK_EVERY_S`` (docs/notices.md has it measured), not a whole chunk.

Back-off: ``settings.outbox_backoff_seconds[k]`` is the wait before attempt ``k + 1`` (entry 0 is the
delay of the first attempt, normally 0); after ``outbox_max_attempts`` failures, or a permanent (5xx or
render) failure, the row is ``dead`` until ``retry_dead`` requeues it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, func, or_, update
from sqlmodel import Session, col, select

from db.bulk import bulk_insert
from db.engine import conflict_insert, dialect_name, is_sqlite, read_session, write_session
from db.models.common import Event, Outbox, StoredFile
from db.models.core import User
from notifications.catalog import get_spec
from notifications.failures import as_send_error
from notifications.files import store_file, write_blob
from notifications.leases import database_now, lease_end, renew
from notifications.mailer import (
    MailBackend,
    SendError,
    attachment_formats,
    backend_for,
    compose,
    message_id_of,
    provided_files,
)
from notifications.render import RenderedDocument, render_many
from settings import Settings, get_settings
from states.vocab import OutboxStatus

log = logging.getLogger(__name__)
NO_EMAIL_NOTE = "no email: shown in-app only"
PRINT_NOTE = "print: rendered and stored"


@dataclass
class DeliveryStats:
    """What one drain did, and what is left (``remaining`` due rows, ``lag_seconds`` of the oldest)."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    printed: int = 0
    no_email: int = 0
    files: int = 0
    batches: int = 0
    remaining: int = 0
    lag_seconds: float = 0.0
    elapsed_seconds: float = 0.0


@dataclass(frozen=True)
class Job:
    """A claimed outbox row, detached from its session."""

    id: int
    agency_id: int
    case_kind: str | None
    case_id: int | None
    notice_type: str
    channel: str
    recipient: str
    recipient_name: str
    context: dict[str, Any]
    attempts: int


CHANNELS = ("email", "internal", "print")


def check_context(notice_type: str, context: dict[str, Any]) -> None:
    """RenderError naming the missing keys if ``context`` lacks what the catalog requires."""
    from notifications.errors import RenderError
    from notifications.render import missing_keys

    missing = missing_keys(get_spec(notice_type), context)
    if missing:
        raise RenderError(notice_type, "missing context value(s): " + ", ".join(missing), missing=missing)


def enqueue(session: Session | Connection, *, agency_id: int, notice_type: str, channel: str, context: dict[str, Any],
            dedupe_key: str, now: datetime, recipient: str = "", recipient_name: str = "",
            case_kind: str | None = None, case_id: int | None = None, validate: bool = True,
            not_before: datetime | None = None, backfilled: bool = False) -> int | None:
    """Add an outbox row to the caller's transaction (the one making the legal step); never commits.

    With ``validate`` the context is checked against the catalog now, so a missing key fails the step
    that forgot it instead of a letter going dead later. The insert is ``ON CONFLICT (dedupe_key) DO
    NOTHING``: it returns the new row's id, or None when a row with that key exists already (the
    scheduler's exactly-once reminders rely on this; a plain INSERT would abort the transaction).
    ``backfilled``: see ``outbox_values``.
    """
    if validate:
        check_context(notice_type, context)
    values = outbox_values(agency_id=agency_id, notice_type=notice_type, channel=channel, context=context,
                           dedupe_key=dedupe_key, now=now, recipient=recipient, recipient_name=recipient_name,
                           case_kind=case_kind, case_id=case_id, not_before=not_before, backfilled=backfilled)
    new_id = session.execute(_insert_statement(dialect_name(session)), values).scalar_one_or_none()
    return int(new_id) if new_id is not None else None


def outbox_values(*, agency_id: int, notice_type: str, channel: str, context: dict[str, Any], dedupe_key: str,
                  now: datetime, recipient: str = "", recipient_name: str = "", case_kind: str | None = None,
                  case_id: int | None = None, not_before: datetime | None = None,
                  backfilled: bool = False) -> dict[str, Any]:
    """The column values of one outbox row (checked: a known channel, a recipient unless printed).

    ``backfilled``: a notice of a step recorded after it happened (补录, workflow.cases.when) that the clerk did not
    ask to send: it carries the step's own date and is never e-mailed — a document for outside the agency is
    printed and stored instead of e-mailed (its addressee had it on paper when the step happened), a notice to
    staff is written ``held`` (the step is history: nobody is to act on it now; it stays held for good)."""
    if backfilled and channel == "email":
        channel, recipient = "print", ""
    if channel not in CHANNELS:
        raise ValueError(f"unknown outbox channel {channel!r}")
    if channel != "print" and not recipient:
        raise ValueError(f"{notice_type}: an {channel} notice needs a recipient")
    return dict(
        agency_id=agency_id, case_kind=case_kind, case_id=case_id, notice_type=notice_type, channel=channel,
        recipient=recipient, recipient_name=recipient_name, context=context, dedupe_key=dedupe_key[:300],
        # held: never claimed — a document waiting for the agency's notice settings (workflow.agencies.held releases
        # it), or a staff notice of a back-filled step (kept for good)
        status=(OutboxStatus.HELD if (backfilled and channel == "internal") or is_held(channel, context)
                else OutboxStatus.PENDING),
        attempts=0, next_attempt_at=not_before or now,
        created_at=now,
    )


def is_held(channel: str, context: dict[str, Any]) -> bool:
    """A document for outside the system that would carry a placeholder (the agency's settings are incomplete:
    ``context["agency"]["missing"]``) waits; notices to staff go out."""
    agency = context.get("agency")
    return channel != "internal" and isinstance(agency, dict) and bool(agency.get("missing"))


def enqueue_many(session: Session | Connection, rows: Sequence[dict[str, Any]], *, validate: bool = True) -> int:
    """Insert outbox rows (values from ``outbox_values``) in one statement (``db.bulk.bulk_insert``); a row
    whose dedupe key exists already is skipped, as in ``enqueue``. Returns how many were new.

    With ``validate`` the first row of each notice type is checked against the catalog: callers build every
    row of a type the same way (the sweeps substitute a visible placeholder for any blank value)."""
    if validate:
        for notice_type, context in {r["notice_type"]: r["context"] for r in reversed(rows)}.items():
            check_context(notice_type, context)
    return len(bulk_insert(session, _TABLE, rows, conflict="dedupe_key", returning="id"))


def _insert_statement(dialect: str) -> Any:
    """``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`` (built once per dialect)."""
    stmt = _INSERT.get(dialect)
    if stmt is None:
        ins = conflict_insert(dialect, _TABLE)
        stmt = _INSERT[dialect] = ins.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(_TABLE.c.id)
    return stmt


_TABLE = Outbox.__table__  # type: ignore[attr-defined]
_INSERT: dict[str, Any] = {}


def backoff_delay(attempts: int, schedule: Sequence[int]) -> int:
    """Seconds to wait before the next attempt after ``attempts`` failures."""
    if not schedule:
        return 60
    return int(schedule[min(attempts, len(schedule) - 1)])


def _due_clause(now: datetime, lease_now: datetime) -> Any:
    """Pending rows due by the worker's ``now``; claimed rows whose lease ran out by the database's clock."""
    c = _TABLE.c
    return or_(and_(c.status == OutboxStatus.PENDING, c.next_attempt_at <= now),
               and_(c.status == OutboxStatus.SENDING, c.lease_until < lease_now))


_JOB_COLUMNS = ("id", "agency_id", "case_kind", "case_id", "notice_type", "channel", "recipient", "recipient_name",
                "context", "attempts", "next_attempt_at")


def claim_due(engine: Engine, now: datetime, *, instance: str, limit: int, lease_seconds: int) -> list[Job]:
    """Claim up to ``limit`` due rows for ``instance`` in one short write transaction: rows whose lease ran out first,
    then pending rows, oldest due first — each an ``UPDATE … WHERE id IN (SELECT … ORDER BY next_attempt_at LIMIT n
    [FOR UPDATE SKIP LOCKED]) RETURNING …`` that walks ``ix_outbox_due`` (status, next_attempt_at) and stops after n
    rows, however long the queue. The lease is taken and judged on the database's clock (``notifications.leases``),
    never on this worker's."""
    c = _TABLE.c
    with write_session(engine) as s:
        lease_now, until = lease_end(s, lease_seconds)
        rows = _claim(s, engine, and_(c.status == OutboxStatus.SENDING, c.lease_until < lease_now), limit, instance,
                      until)
        if len(rows) < limit:
            rows += _claim(s, engine, and_(c.status == OutboxStatus.PENDING, c.next_attempt_at <= now), limit - len(rows),
                           instance, until)
        s.commit()
    rows = sorted(rows, key=lambda r: (_aware(r.next_attempt_at), r.id))
    return [Job(r.id, r.agency_id, r.case_kind, r.case_id, r.notice_type, r.channel, r.recipient, r.recipient_name,
                dict(r.context or {}), r.attempts) for r in rows]


def _claim(s: Session, engine: Engine, where: Any, limit: int, instance: str, until: datetime) -> list[Any]:
    t = _TABLE
    # ordered by next_attempt_at alone, the index's order (rows due at the same instant in the order they were added):
    # a tie-break on id would make the database sort every row due at that instant — a whole day's reminders
    due = select(t.c.id).where(where).order_by(t.c.next_attempt_at).limit(limit)
    if not is_sqlite(engine):
        due = due.with_for_update(skip_locked=True)
    return list(s.execute(update(t).where(t.c.id.in_(due.scalar_subquery()))
                          .values(status=OutboxStatus.SENDING, locked_by=instance, lease_until=until)
                          .returning(*(t.c[c] for c in _JOB_COLUMNS))).all())


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _locked_row(s: Session, job: Job) -> Outbox | None:
    q = select(Outbox).where(Outbox.id == job.id)
    return s.exec(q).first()


SCRUBBED = "（已发送，系统不保存）"


def scrub(context: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """A copy of ``context`` with the dotted ``keys`` replaced by a marker."""
    out: dict[str, Any] = json.loads(json.dumps(context))
    for dotted in keys:
        node = out
        *parents, last = dotted.split(".")
        for p in parents:
            node = node.get(p) if isinstance(node, dict) else None  # type: ignore[assignment]
            if node is None:
                break
        if isinstance(node, dict) and last in node:
            node[last] = SCRUBBED
    return out


def mark_sent(engine: Engine, job: Job, now: datetime, *, message_id: str | None, note: str | None,
              docs: Sequence[RenderedDocument], settings: Settings) -> bool:
    """Record a delivery (and store the rendered files); False if another instance already did."""
    spec = get_spec(job.notice_type)
    # A receipt is kept with its query code (only the code's hash is stored elsewhere): the stored document is
    # how the desk reprints a lost receipt; the outbox row's copy of the code is scrubbed below.
    for doc in docs:  # bytes on disk before the transaction (an email's already before it was sent); idempotent
        write_blob(doc.content, settings.files_path)
    with write_session(engine) as s:
        row = _locked_row(s, job)
        if row is None or row.status == OutboxStatus.SENT:
            return False
        row.status, row.sent_at, row.message_id = OutboxStatus.SENT, now, message_id
        row.attempts, row.locked_by, row.lease_until, row.last_error = row.attempts + 1, None, None, note
        if spec.secret_keys:
            row.context = scrub(row.context, spec.secret_keys)
        kept = set()
        if docs and job.case_kind and job.case_id is not None:  # a re-rendered document is not stored twice
            kept = set(s.exec(select(StoredFile.sha256).where(
                StoredFile.case_kind == job.case_kind, StoredFile.case_id == job.case_id,
                col(StoredFile.sha256).in_([d.sha256 for d in docs]))).all())
        for doc in docs:
            if doc.sha256 in kept:
                continue
            store_file(s, doc.content, agency_id=job.agency_id, filename=doc.filename,
                       content_type=doc.content_type, category="notice", now=now, case_kind=job.case_kind,
                       case_id=job.case_id, notice_type=job.notice_type, for_applicant=spec.for_applicant,
                       root=settings.files_path)
            if job.case_kind and job.case_id is not None:
                # The case's timeline records every generated document with its content hash.
                s.add(Event(agency_id=job.agency_id, case_kind=job.case_kind, case_id=job.case_id, actor_id=None,
                            actor_label="系统", action="document", from_state=None, to_state=None, created_at=now,
                            payload={"notice_type": job.notice_type, "title": spec.title_zh,
                                     "filename": doc.filename, "sha256": doc.sha256, "outbox_id": job.id}))
        s.commit()
    return True


def mark_sent_many(engine: Engine, rows: Sequence[tuple[int, str | None, str | None]], now: datetime) -> None:
    """Record deliveries of rows with no file to store and nothing to scrub — (id, Message-ID, note) each — in one
    transaction (one executemany UPDATE); a row another instance marked already is left as it is."""
    if not rows:
        return
    t = _TABLE
    stmt = (update(t).where(t.c.id == bindparam("oid"), t.c.status != OutboxStatus.SENT)
            .values(status=OutboxStatus.SENT, sent_at=now, message_id=bindparam("mid"), attempts=t.c.attempts + 1,
                    locked_by=None, lease_until=None, last_error=bindparam("note")))
    with write_session(engine) as s:
        s.execute(stmt, [{"oid": oid, "mid": mid, "note": note} for oid, mid, note in rows])
        s.commit()


def mark_failed(engine: Engine, job: Job, now: datetime, error: SendError, settings: Settings) -> OutboxStatus:
    """Count a failed attempt: back to ``pending`` with back-off, or ``dead``; returns the new status."""
    with write_session(engine) as s:
        row = _locked_row(s, job)
        if row is None or row.status == OutboxStatus.SENT:
            return OutboxStatus.SENT
        row.attempts += 1
        row.last_error = str(error)[:2000]
        row.locked_by, row.lease_until = None, None
        if error.permanent or row.attempts >= settings.outbox_max_attempts:
            row.status = OutboxStatus.DEAD
        else:
            row.status = OutboxStatus.PENDING
            row.next_attempt_at = now + timedelta(seconds=backoff_delay(row.attempts,
                                                                         settings.outbox_backoff_seconds))
        status = OutboxStatus(row.status)
        s.commit()
    log.warning("outbox %s %s (%s): %s", job.id, status, job.notice_type, error)
    return status


def release(engine: Engine, jobs: Sequence[Job], instance: str) -> None:
    """Give claimed but unprocessed rows back (time budget over) without counting an attempt."""
    if not jobs:
        return
    with write_session(engine) as s:
        for job in jobs:
            row = _locked_row(s, job)
            if row is not None and row.status == OutboxStatus.SENDING and row.locked_by == instance:
                row.status, row.locked_by, row.lease_until = OutboxStatus.PENDING, None, None
        s.commit()


def requeue_dead(session: Session, outbox_id: int, now: datetime, *, agency_id: int | None = None) -> Outbox | None:
    """Put a dead row back in the queue (attempts reset, due now) in the caller's transaction; never commits.

    Returns the row, or None if there is no dead row with that id (in that agency, when given)."""
    row = session.get(Outbox, outbox_id)
    if row is None or row.status != OutboxStatus.DEAD or (agency_id is not None and row.agency_id != agency_id):
        return None
    row.status, row.attempts, row.next_attempt_at = OutboxStatus.PENDING, 0, now
    row.locked_by = row.lease_until = None
    return row


def retry_dead(engine: Engine, outbox_id: int, now: datetime) -> bool:
    """Requeue a dead row in its own transaction (tests, CLI); the admin's retry goes through
    ``workflow.ops.dead_letters``, which records who did it."""
    with write_session(engine) as s:
        done = requeue_dead(s, outbox_id, now) is not None
        s.commit()
    return done


def backlog(engine: Engine, now: datetime) -> tuple[int, float]:
    """(due rows, seconds since the oldest due row became due)."""
    with read_session(engine) as s:
        q = select(func.count(), func.min(col(Outbox.next_attempt_at))).where(_due_clause(now, database_now(s)))
        count, oldest = s.exec(q).one()
    if not count or oldest is None:
        return 0, 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return int(count), max(0.0, (now - oldest).total_seconds())


def user_emails(engine: Engine, jobs: Sequence[Job]) -> dict[int, tuple[str, str]]:
    """Outbox id → (email, display name) for internal rows addressed ``user:<id>``."""
    wanted = {j.id: int(j.recipient[5:]) for j in jobs if j.recipient.startswith("user:")
              and j.recipient[5:].isdigit()}
    if not wanted:
        return {}
    with read_session(engine) as s:  # read inside: read_session rolls back (expiring rows) on exit
        q = select(User.id, User.email, User.display_name).where(col(User.id).in_(set(wanted.values())))
        users = {uid: (mail, name) for uid, mail, name in s.exec(q).all()}
    out = {}
    for oid, uid in wanted.items():
        mail, name = users.get(uid, (None, ""))
        if mail:
            out[oid] = (mail, name)
    return out


def _process_sync(job: Job, email: tuple[str, str] | None, settings: Settings,
                  now: datetime) -> tuple[str, Any, list[RenderedDocument]]:
    """Render one job (no transaction open). Returns (action, message-or-note, files to store)."""
    spec = get_spec(job.notice_type)
    if job.channel == "print":
        # printable documents; a text-only notice (workorder.caller_text) is stored as its text
        formats = tuple(f for f in spec.formats if f in ("pdf", "docx")) or spec.formats[:1]
        docs = render_many(job.notice_type, job.context, formats, settings=settings, cache=True)
        return "print", PRINT_NOTE, list(docs.values())
    if job.channel not in ("email", "internal"):
        raise SendError(f"unknown channel {job.channel!r}", permanent=True)
    recipient, name = job.recipient, job.recipient_name
    if recipient.startswith("user:"):
        if email is None:
            return "no_email", NO_EMAIL_NOTE, []
        recipient, name = email[0], job.recipient_name or email[1]
    attach = attachment_formats(job)
    formats = tuple(f for f in ("html", "txt") if f in spec.formats) + attach
    docs = render_many(job.notice_type, job.context, formats, settings=settings, cache=True)
    addressed = _Addressed(job.id, job.notice_type, recipient, name, job.context)
    msg = compose(addressed, docs, settings, now=now, files=provided_files(job.context, settings))
    kept = [docs[f] for f in attach]
    # The attachments go to disk (content-addressed, fsync'd) before the message goes out, not between the SMTP
    # server's acceptance and the "sent" mark: that gap is where a killed worker leaves a notice to be sent twice.
    for doc in kept:
        write_blob(doc.content, settings.files_path)
    return "send", msg, kept


@dataclass
class _Addressed:
    id: int | None
    notice_type: str
    recipient: str
    recipient_name: str
    context: dict[str, Any]


CHUNK = 50  # rows rendered together (one hop to a thread, while the previous chunk is sent)
# Deliveries are marked together, as soon as the mark before them is committed and at most this often: a kill -9
# between the SMTP server's acceptance and the mark sends the notice again (with its Message-ID), so the window is
# kept to one mark transaction plus at most this wait, while a fast relay still gets many rows per transaction.
MARK_EVERY_S = 0.02
Delivered = tuple[Job, str, str | None, str | None]  # (job, action, Message-ID, note)
Rendered = tuple[str, Any, list[RenderedDocument]] | SendError | None  # None: not rendered (the SMTP circuit is open)


def _mails(job: Job, emails: dict[int, tuple[str, str]]) -> bool:
    """Whether the row goes out by email (not printed, not an in-app notice to a user without an address)."""
    return job.channel != "print" and not (job.recipient.startswith("user:") and job.id not in emails)


def _render_chunk(jobs: Sequence[Job], emails: dict[int, tuple[str, str]], settings: Settings, now: datetime,
                  circuit_open: bool) -> list[Rendered]:
    """Render each job of a chunk (no transaction open); a failure stays with its row."""
    out: list[Rendered] = []
    for job in jobs:
        if circuit_open and _mails(job, emails):
            out.append(None)  # do not render what cannot be sent now
            continue
        try:
            out.append(_process_sync(job, emails.get(job.id), settings, now))
        except Exception as exc:  # classified here, inside the except block (logged with its traceback)
            out.append(as_send_error(exc, f"{job.id} ({job.notice_type})"))
    return out


@dataclass
class _Drain:
    """One run's state: the SMTP circuit, the rows claimed and not yet settled (their leases renewed together)."""

    engine: Engine
    instance: str
    settings: Settings
    lease: int
    clock: Callable[[], datetime]
    stats: DeliveryStats
    circuit: SendError | None = None
    unsettled: dict[int, Job] | None = None
    leased_at: float = 0.0
    delivered: list[Delivered] = field(default_factory=list)  # sent, their marks not yet begun
    marking: asyncio.Future[None] | None = None
    marked_at: float = 0.0  # when the last mark began (time.monotonic)
    hurry: asyncio.Event = field(default_factory=asyncio.Event)  # the batch is sent: mark the rest without waiting

    async def keep_leases(self) -> None:
        """Renew the leases of the rows still unsettled once a third of a lease has passed."""
        if self.unsettled and time.monotonic() - self.leased_at > self.lease / 3:
            await asyncio.to_thread(renew, self.engine, list(self.unsettled), self.instance, self.lease)
            self.leased_at = time.monotonic()

    def settled(self, job: Job) -> None:
        if self.unsettled is not None:
            self.unsettled.pop(job.id, None)

    async def fail(self, job: Job, exc: Exception) -> None:
        error = as_send_error(exc, f"{job.id} ({job.notice_type})")
        status = await asyncio.to_thread(mark_failed, self.engine, job, self.clock(), error, self.settings)
        self.settled(job)
        self.stats.dead += status == OutboxStatus.DEAD
        self.stats.retried += status == OutboxStatus.PENDING
        if error.connection:
            self.circuit = error

    def count(self, action: str, files: int) -> None:
        self.stats.sent += action == "send"
        self.stats.printed += action == "print"
        self.stats.no_email += action == "no_email"
        self.stats.files += files

    def deliver(self, entry: Delivered) -> None:
        """A delivery to mark: with whatever else is delivered meanwhile, as soon as the mark before it is committed
        and at most every ``MARK_EVERY_S`` — while the next messages are being sent."""
        if self.marking is not None and self.marking.done():
            self.marking.result()  # a marking that died takes the run with it
        self.delivered.append(entry)
        if self.marking is None or self.marking.done():
            self.marking = asyncio.ensure_future(self._mark())

    async def _mark(self) -> None:
        while self.delivered:
            wait = self.marked_at + MARK_EVERY_S - time.monotonic()
            if wait > 0 and not self.hurry.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.hurry.wait(), wait)
            batch, self.delivered = self.delivered, []
            self.marked_at = time.monotonic()
            marked = await asyncio.to_thread(_mark_done, self.engine, batch, self.clock(), self.settings)
            for job, action, _, _ in batch:
                self.settled(job)
                if job.id in marked:
                    self.count(action, 0)

    async def flush(self) -> None:
        """Mark every delivery so far at once and wait for it (nothing more is sent meanwhile)."""
        if self.marking is not None:
            self.hurry.set()
            try:
                await self.marking
            finally:
                self.hurry.clear()


async def adeliver_due(engine: Engine, now: datetime, *, instance: str, batch_size: int = 50,
                       lease_seconds: int | None = None, time_budget_s: float = 240.0,
                       settings: Settings | None = None, backend: MailBackend | None = None) -> DeliveryStats:
    """Drain due rows in batches until none are due or the time budget is spent (no per-run cap).

    A batch is claimed in one statement, rendered ``CHUNK`` rows at a time on a thread (the next chunk while this one
    is sent), sent over the backend's one connection, and its deliveries marked in one statement per chunk. The
    batch's leases (``outbox_lease_seconds`` unless given) are renewed whenever a third of one has passed, so a slow
    batch keeps its rows while a killed worker's rows are taken over within one lease."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    s = settings or get_settings()
    lease = lease_seconds or s.outbox_lease_seconds
    start = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - start)

    def over() -> bool:
        return time.monotonic() - start >= time_budget_s

    run = _Drain(engine, instance, s, lease, clock, DeliveryStats())
    async with backend or backend_for(s) as mail:
        while not over():
            jobs = await asyncio.to_thread(claim_due, engine, clock(), instance=instance, limit=batch_size,
                                           lease_seconds=lease)
            if not jobs:
                break
            run.unsettled, run.leased_at = {j.id: j for j in jobs}, time.monotonic()
            run.stats.batches += 1
            run.stats.claimed += len(jobs)
            emails = await asyncio.to_thread(user_emails, engine, jobs)
            await _drain_batch(run, jobs, emails, mail, over)
            if run.unsettled:  # the time budget ran out: give back what was not sent
                await asyncio.to_thread(release, engine, list(run.unsettled.values()), instance)
                run.unsettled = {}
            if run.circuit is not None and all(j.channel != "print" for j in jobs):
                break
    run.stats.remaining, run.stats.lag_seconds = await asyncio.to_thread(backlog, engine, clock())
    run.stats.elapsed_seconds = time.monotonic() - start
    return run.stats


async def _drain_batch(run: _Drain, jobs: list[Job], emails: dict[int, tuple[str, str]], mail: MailBackend,
                       over: Callable[[], bool]) -> None:
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]

    def render(chunk: list[Job]) -> asyncio.Future[list[Rendered]]:
        return asyncio.ensure_future(asyncio.to_thread(_render_chunk, chunk, emails, run.settings, run.clock(),
                                                       run.circuit is not None))

    ahead = render(chunks[0])
    for k, chunk in enumerate(chunks):
        rendered = await ahead
        if k + 1 < len(chunks) and not over():
            ahead = render(chunks[k + 1])
        for job, result in zip(chunk, rendered, strict=True):
            if over():
                break
            await run.keep_leases()
            await _one(run, job, result, emails, mail)
        if over():
            break
    await run.flush()  # every delivery of the batch marked before its unsent rows are given back
    if not ahead.done():
        await ahead  # a render thread still running: let it end before the rows are given back


async def _one(run: _Drain, job: Job, result: Rendered, emails: dict[int, tuple[str, str]], mail: MailBackend) -> None:
    """Send one rendered job; whatever goes wrong with this row stays with this row (the rest is still delivered)."""
    try:
        if run.circuit is not None and _mails(job, emails):
            raise run.circuit
        if result is None:  # rendered while the circuit was open, and it has closed since: next run
            raise SendError("not rendered: the mail server was unreachable", permanent=False)
        if isinstance(result, SendError):
            raise result
        action, payload, docs = result
        if action == "send":
            await mail.send(payload, outbox_id=job.id, notice_type=job.notice_type)
    except Exception as exc:  # classified by as_send_error; one row never aborts the batch
        await run.fail(job, exc)
        return
    message_id = message_id_of(payload) if action == "send" else None
    note = None if action == "send" else str(payload)
    if not docs and not get_spec(job.notice_type).secret_keys:
        run.deliver((job, action, message_id, note))  # marked with the deliveries around it
        return
    try:  # files to store (and a secret to scrub): this row on its own
        await asyncio.to_thread(mark_sent, run.engine, job, run.clock(), message_id=message_id, note=note, docs=docs,
                                settings=run.settings)
    except Exception:  # delivered, not recorded: the lease expires; a resend keeps its Message-ID
        log.exception("outbox %s (%s) delivered but not marked sent", job.id, job.notice_type)
        run.settled(job)
        return
    run.settled(job)
    run.count(action, len(docs))


def _mark_done(engine: Engine, done: Sequence[tuple[Job, str, str | None, str | None]], now: datetime,
               settings: Settings) -> set[int]:
    """Mark delivered rows together; if that fails, each on its own, so one row that cannot be marked is the only
    one left ``sending`` (resent once its lease expires, with its Message-ID). Returns the ids marked."""
    try:
        mark_sent_many(engine, [(job.id, message_id, note) for job, _, message_id, note in done], now)
        return {job.id for job, *_ in done}
    except Exception:
        log.exception("outbox: %d deliveries could not be marked together; marking each", len(done))
    marked = set()
    for job, _, message_id, note in done:
        try:
            mark_sent(engine, job, now, message_id=message_id, note=note, docs=(), settings=settings)
            marked.add(job.id)
        except Exception:
            log.exception("outbox %s (%s) delivered but not marked sent", job.id, job.notice_type)
    return marked


def deliver_due(engine: Engine, now: datetime, *, instance: str, batch_size: int = 50, lease_seconds: int | None = None,
                time_budget_s: float = 240.0, settings: Settings | None = None,
                backend: MailBackend | None = None) -> DeliveryStats:
    """Synchronous entry point (scheduler thread, CLI); runs ``adeliver_due`` in its own event loop — on a thread of
    its own when the calling thread already runs one (``asyncio.run`` refuses to nest)."""
    def run() -> DeliveryStats:
        return asyncio.run(adeliver_due(engine, now, instance=instance, batch_size=batch_size,
                                        lease_seconds=lease_seconds, time_budget_s=time_budget_s,
                                        settings=settings, backend=backend))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    with ThreadPoolExecutor(1, thread_name_prefix="deliver") as pool:
        return pool.submit(run).result()
