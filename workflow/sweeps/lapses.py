"""Lapses the law defines, carried out through the workflow itself (``workflow.cases.engine.act``): a clock kind
with a ``lapse_action`` (``ClockKind``, declared by its request kind) fires that action once it has run out.
For disclosure applications:

- correction period over without a correction → ``lapse_correction`` (条例第三十条: 视为放弃申请);
- fee unpaid after the payment period → ``lapse_fee`` (国办函〔2020〕109号: 不再处理);
- consultee silent after 15 working days → ``lapse_consultation`` (条例第三十二条、第三十四条: the reply
  clock resumes at the consultation's due date, not at sweep time — the handler does that).

The sweep only finds candidates: running clocks of a kind with a ``lapse_action`` whose due date is
before today (the guards demand ``today > due``), oldest first. Each is one call of ``act`` with the
system principal — one transaction per case, the same guards, audit event and notices as a person's
action. A case that changed meanwhile (``InvalidTransition``, ``StaleVersion``) is skipped, not an
error; two instances racing for the same case serialise on its row lock and the second is refused.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from db.engine import read_session
from states.vocab import ClockStatus
from workflow.accounts.principal import system
from workflow.cases import engine as case_engine
from workflow.cases.kind import CaseKind
from workflow.errors import DomainValidation, InvalidTransition, NotFound, StaleVersion
from workflow.kinds import installed
from workflow.sweeps.base import (
    CLOCKS,
    AgencyInfo,
    Budget,
    RunOptions,
    SweepReport,
    aware,
    load_agencies,
    sweep,
)
from workflow.timesource import start_of_day

log = logging.getLogger(__name__)

def lapse_kinds(kind: CaseKind) -> dict[str, str]:
    """The kind's clock kinds that lapse → the action that records it."""
    return {k: v.lapse_action for k, v in kind.clocks.items() if v.lapse_action}


def _pending(ag: AgencyInfo, kind: CaseKind) -> list[Any]:
    c = CLOCKS.c
    return [c.agency_id == ag.id, c.status == ClockStatus.RUNNING, c.case_kind == kind.name,
            c.kind.in_(tuple(lapse_kinds(kind))), c.due_date < ag.today]


@sweep("lapses")
def lapse(engine: Engine, now: datetime, report: SweepReport, budget: Budget, opts: RunOptions) -> None:
    """Fire every due lapse action, oldest due date first, kind by kind (see the module doc)."""
    kinds = [k for _, k in sorted(installed().items()) if lapse_kinds(k)]
    for ag in load_agencies(engine, now):
        for kind in kinds:
            _lapse_kind(engine, ag, kind, now, report, budget, opts)


def _lapse_kind(engine: Engine, ag: AgencyInfo, kind: CaseKind, now: datetime, report: SweepReport, budget: Budget,
                opts: RunOptions) -> None:
    lapsing = lapse_kinds(kind)
    actor = system(ag.id)
    after: tuple[datetime, int] | None = None
    while not budget.exhausted():
        c = CLOCKS.c
        q = select(c.id, c.case_id, c.kind, c.due_at, c.due_date).where(*_pending(ag, kind))
        if after is not None:  # keyset on (due_at, id): a skipped case is not retried in this run
            q = q.where((c.due_at > after[0]) | ((c.due_at == after[0]) & (c.id > after[1])))
        with read_session(engine) as s:
            rows = s.execute(q.order_by(c.due_at, c.id).limit(opts.batch_size)).all()
        if not rows:
            break
        report.batches += 1
        for r in rows:
            if budget.exhausted():
                break
            after = (r.due_at, int(r.id))
            action = lapsing[r.kind]
            try:
                # The law makes the lapse automatic: it is dated the day after the period ended, however
                # late the sweep finds it (never before the case's last step: workflow.cases.when).
                lapsed_at = start_of_day(r.due_date + timedelta(days=1), ag.cfg.timezone)
                case_engine.act(engine, kind, r.case_id, action, {}, actor, now, effective_at=min(lapsed_at, now))
                report.add(action)
            except (InvalidTransition, StaleVersion, NotFound, DomainValidation) as exc:
                log.info("lapse %s on %s %s skipped: %s", action, kind.name, r.case_id, exc)
                report.add("skipped")
            except Exception as exc:  # one broken case must not block every other lapse
                log.exception("lapse %s on %s %s failed", action, kind.name, r.case_id)
                report.add("failed")
                report.error = f"{kind.name} {r.case_id} {action}: {type(exc).__name__}: {exc}"[:2000]
        if len(rows) < opts.batch_size:
            break
    if budget.exhausted():
        with read_session(engine) as s:
            left, oldest = s.execute(select(func.count(), func.min(CLOCKS.c.due_at)).where(*_pending(ag, kind))).one()
        if left:
            report.remaining += int(left)
            report.lag_seconds = max(report.lag_seconds, (now - aware(oldest)).total_seconds())


__all__ = ["lapse", "lapse_kinds"]
