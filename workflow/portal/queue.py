"""The clerk's queues of online work: submissions awaiting confirmation, corrections sent through the portal.

Read-only; a fixed number of queries per page (rows, then their files and events in one query each).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from db.engine import read_session
from db.models import Clock, Disclosure, Event, StoredFile, User
from states.disclosure import DState
from states.vocab import OPEN_CLOCK
from workflow.disclosure.context import KIND
from workflow.runtime import Engine


def age_text(age: timedelta) -> str:
    """“2天3小时”, “5小时”, “不到1小时”."""
    hours = int(age.total_seconds() // 3600)
    days, hours = divmod(max(hours, 0), 24)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    return f"{hours}小时" if hours else "不到1小时"


@dataclass(frozen=True)
class Sent:
    """Something the applicant sent through the portal, or the clerk's request to complete."""

    at: datetime
    text: str
    files: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class PendingSubmission:
    row: Disclosure
    age: timedelta
    files: list[StoredFile]
    duplicate_of: list[tuple[int, str]]  # (id, number) of the earlier application(s)
    completion_requests: list[Sent]
    applicant_uploads: list[Sent]

    @property
    def age_text(self) -> str:
        return age_text(self.age)


@dataclass(frozen=True)
class PendingCorrection:
    row: Disclosure
    assignee: str
    correction_due: date | None
    uploads: list[Sent]


def _events(s: Session, ids: list[int], actions: tuple[str, ...]) -> dict[int, list[Event]]:
    out: dict[int, list[Event]] = defaultdict(list)
    if ids:
        for e in s.exec(select(Event).where(Event.case_kind == KIND, col(Event.case_id).in_(ids),
                                            col(Event.action).in_(actions)).order_by(col(Event.id))).all():
            out[e.case_id].append(e)
    return out


def _sent(e: Event, key: str) -> Sent:
    return Sent(e.created_at, str(e.payload.get(key) or ""), list(e.payload.get("files") or []))


def pending_submissions(s: Session, agency_id: int, now: datetime) -> list[PendingSubmission]:
    """Online submissions awaiting confirmation, oldest first, with their age, files and any duplicates."""
    rows = s.exec(select(Disclosure).where(Disclosure.agency_id == agency_id, Disclosure.state == DState.SUBMITTED)
                  .order_by(col(Disclosure.received_at_raw), col(Disclosure.id))).all()
    ids = [r.id for r in rows if r.id is not None]
    files: dict[int, list[StoredFile]] = defaultdict(list)
    if ids:
        for f in s.exec(select(StoredFile).where(StoredFile.case_kind == KIND, col(StoredFile.case_id).in_(ids))
                        .order_by(col(StoredFile.id))).all():
            files[f.case_id or 0].append(f)
    events = _events(s, ids, ("submit_online", "request_completion", "applicant_upload"))
    dup_ids = {int(i) for evs in events.values() for e in evs if e.action == "submit_online"
               for i in e.payload.get("duplicate_of") or []}
    numbers = {int(i or 0): str(t or n or i) for i, t, n in s.exec(
        select(Disclosure.id, Disclosure.tracking_no, Disclosure.submission_no)
        .where(col(Disclosure.id).in_(dup_ids))).all()} if dup_ids else {}
    out = []
    for r in rows:
        evs = events.get(r.id or 0, [])
        dups = [int(i) for e in evs if e.action == "submit_online" for i in e.payload.get("duplicate_of") or []]
        out.append(PendingSubmission(
            r, now - r.received_at_raw, files.get(r.id or 0, []), [(i, numbers.get(i, str(i))) for i in dups],
            [_sent(e, "message") for e in evs if e.action == "request_completion"],
            [_sent(e, "note") for e in evs if e.action == "applicant_upload"]))
    return out


def pending_corrections(s: Session, agency_id: int) -> list[PendingCorrection]:
    """Applications awaiting correction for which the applicant sent something through the portal."""
    rows = s.exec(select(Disclosure, User.display_name)
                  .outerjoin(User, col(User.id) == col(Disclosure.assignee_id))
                  .where(Disclosure.agency_id == agency_id, Disclosure.state == DState.AWAITING_CORRECTION)
                  .order_by(col(Disclosure.id))).all()
    ids = [r.id for r, _ in rows if r.id is not None]
    events = _events(s, ids, ("applicant_upload",))
    dues = {cid: d for cid, d in s.exec(select(col(Clock.case_id), col(Clock.due_date)).where(
        Clock.case_kind == KIND, col(Clock.case_id).in_([i for i in ids if i in events]),
        Clock.kind == "correction_period", col(Clock.status).in_(OPEN_CLOCK))).all()} if events else {}
    return [PendingCorrection(r, name or "未分办", dues.get(r.id or 0), [_sent(e, "note") for e in events[r.id or 0]])
            for r, name in rows if (r.id or 0) in events]


@dataclass(frozen=True)
class OnlineQueue:
    """The front desk's queue page: submissions awaiting confirmation and corrections sent online."""

    submissions: list[PendingSubmission]
    corrections: list[PendingCorrection]


def online_queue(engine: Engine, agency_id: int, now: datetime) -> OnlineQueue:
    """Both queues of ``agency_id`` in one read session."""
    with read_session(engine) as s:
        return OnlineQueue(pending_submissions(s, agency_id, now), pending_corrections(s, agency_id))


@dataclass(frozen=True)
class Unconfirmed:
    """For the leader's dashboard: how many online submissions wait, and the oldest ones with their age."""

    total: int
    oldest: list[tuple[int, str, str, datetime, str, bool]]  # id, submission no, applicant, submitted, age, duplicate


def unconfirmed(s: Session, agency_id: int, now: datetime, limit: int = 10) -> Unconfirmed:
    where = (Disclosure.agency_id == agency_id, Disclosure.state == DState.SUBMITTED)
    total = int(s.exec(select(func.count()).select_from(Disclosure).where(*where)).one())
    rows = s.exec(select(Disclosure).where(*where).order_by(col(Disclosure.received_at_raw)).limit(limit)).all()
    return Unconfirmed(total, [(r.id or 0, r.submission_no or "", r.applicant_name, r.received_at_raw,
                                age_text(now - r.received_at_raw), r.duplicate_flag) for r in rows])
