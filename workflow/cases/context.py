"""What every action of every request kind has: the locked row, its agency, config, calendar, the actor and
``now`` — loaded once inside the action's transaction. A kind's own context subclasses it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from db.models import Agency
from states.calendar import WorkCalendar
from states.policy import CaseParty
from workflow.accounts.principal import Principal
from workflow.agencies.config import AgencyConfig
from workflow.timesource import local_date


def new_action_key() -> str:
    return uuid.uuid4().hex[:16]


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
