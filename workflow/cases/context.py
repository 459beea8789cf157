"""What every action of every request kind has: the locked row, its agency, config, calendar, the actor and
``now`` — loaded once inside the action's transaction. A kind's own context subclasses it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from db.bulk import executemany
from db.models import Agency, Event, Outbox, User
from notifications.outbox import check_context, enqueue_many, outbox_values
from states.calendar import WorkCalendar
from states.policy import CaseParty
from workflow.accounts.principal import Principal
from workflow.agencies.config import AgencyConfig
from workflow.cases.audit import append_events, insert_event
from workflow.timesource import local_date


def new_action_key() -> str:
    return uuid.uuid4().hex[:16]


@dataclass
class Collected:
    """The audit events and outbox rows of the steps taken on one context, for the caller to write together (an
    imported row: workflow.golive.apply). Nothing reads them back within the steps."""

    events: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        """Insert what was collected (one statement each), in the caller's transaction."""
        self.write_to(session.connection())  # plain inserts: the session's own changes need not be flushed first

    def write_to(self, conn: Connection) -> None:
        """Rows of one shape each (an import's chunk: thousands) go through ``executemany``, each distinct value
        converted once; else one statement per table. A notice whose dedupe key exists already is skipped."""
        if _same_keys(self.events) and _same_keys(self.notices):
            executemany(conn, _EVENTS, self.events)
            executemany(conn, _OUTBOX, self.notices, conflict="dedupe_key")
        else:
            append_events(conn, self.events)
            enqueue_many(conn, self.notices, validate=False)  # each checked when made (CaseCtx.enqueue)
        self.events, self.notices = [], []


_EVENTS, _OUTBOX = Event.__table__, Outbox.__table__  # type: ignore[attr-defined]


def _same_keys(rows: list[dict[str, Any]]) -> bool:
    return not rows or all(r.keys() == rows[0].keys() for r in rows)


@dataclass
class CaseCtx:
    """Everything one action needs, loaded once inside its transaction."""

    session: Session
    row: Any  # the kind's table row (Disclosure, WorkOrder, …)
    agency: Agency
    cfg: AgencyConfig
    cal: WorkCalendar
    actor: Principal
    now: datetime
    action_key: str = field(default_factory=lambda: new_action_key())  # dedupe keys of this action's notices
    event: dict[str, Any] = field(default_factory=dict)  # payload of the audit event
    result: dict[str, Any] = field(default_factory=dict)  # returned to the caller
    # When the case's last step happened, once known (workflow.cases.engine.step keeps it current when one context
    # takes several steps, as an imported row does).
    previous_at: datetime | None = None
    previous_known: bool = False
    # The step is recorded after it happened (补录) and the clerk did not ask to send its notices: every notice it
    # makes is written held from the start (notifications.outbox.outbox_values ``backfilled``). Set by the engine's
    # step for the duration of the step; every enqueue inside an action passes it.
    hold_notices: bool = False
    # The steps bring in a case's history (the go-live import): what happened outside the system is taken as it was
    # recorded there (e.g. a reply's information went out on paper or by the agency's own e-mail).
    history: bool = False
    collected: Collected | None = None  # None: each event and notice is inserted when made

    def enqueue(self, *, case_kind: str, notice_type: str, channel: str, context: dict[str, Any], dedupe_key: str,
                recipient: str = "", recipient_name: str = "") -> None:
        """One notice of this step to the outbox, in the action's transaction: checked against the catalog now (a
        missing key fails the step), written held when the step is back-filled (``hold_notices``)."""
        check_context(notice_type, context)
        self.enqueue_values(outbox_values(agency_id=self.row.agency_id, case_kind=case_kind, case_id=self.case_id,
                                          notice_type=notice_type, channel=channel, recipient=recipient,
                                          recipient_name=recipient_name, context=context, dedupe_key=dedupe_key,
                                          now=self.now, backfilled=self.hold_notices))

    def notify_user(self, user: User, *, case_kind: str, notice_type: str, agency: dict[str, Any],
                    case: dict[str, Any], notice: dict[str, Any], dedupe_key: str) -> None:
        """An internal notice about this case to ``user`` (in the app, and by email when they have an address):
        ``agency`` and ``case`` as the kind describes them, ``notice`` what the notice type says."""
        self.enqueue(case_kind=case_kind, notice_type=notice_type, channel="internal",
                     recipient=f"user:{user.id}", recipient_name=user.display_name,
                     context={"agency": agency, "recipient": {"name": user.display_name}, "case": case,
                              "notice": notice, "issued_date": self.today.isoformat()},
                     dedupe_key=dedupe_key)

    def enqueue_values(self, values: dict[str, Any]) -> None:
        """An outbox row already built (notifications.outbox.outbox_values) and checked."""
        if self.collected is not None:
            self.collected.notices.append(values)
        else:
            enqueue_many(self.session, [values], validate=False)

    def record_event(self, values: dict[str, Any]) -> None:
        """The step's audit event (workflow.cases.audit.event_values)."""
        if self.collected is not None:
            self.collected.events.append(values)
        else:
            insert_event(self.session, values)

    @property
    def tz(self) -> str:
        return self.cfg.timezone

    @property
    def today(self) -> date:
        return local_date(self.now, self.cfg.timezone)

    @property
    def case_id(self) -> int:
        assert self.row.id is not None
        return int(self.row.id)

    @property
    def party(self) -> CaseParty:
        """The facts of the case the policy reads."""
        return CaseParty(self.row.agency_id, self.row.assignee_id)

    @property
    def is_assignee(self) -> bool:
        return self.actor.id is not None and self.row.assignee_id == self.actor.id
