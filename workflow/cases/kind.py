"""The case-kind descriptor: what a request kind (disclosure application, 12345 work order, …) gives the
shared case engine. Everything else — load and lock, version check, policy, guards, firing, clocks, audit,
outbox, commit, result — is the engine's (workflow.cases.engine)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from db.models import Agency
from states.calendar import WorkCalendar
from states.machine import StateMachine
from workflow.accounts.principal import Principal
from workflow.agencies.config import AgencyConfig
from workflow.cases.context import CaseCtx

Handler = Callable[[Any, BaseModel], None]
MakeCtx = Callable[[Session, Any, Agency, AgencyConfig, WorkCalendar, Principal, datetime], CaseCtx]


def dump_payload(payload: BaseModel) -> dict[str, Any]:
    """The audit event's copy of the payload (default: every field)."""
    return payload.model_dump(mode="json")


@dataclass(frozen=True)
class CaseKind:
    """One request kind, as the engine sees it."""

    name: str  # the ``case_kind`` stored on clocks, events, outbox rows and files
    noun: str  # what a person calls one case of this kind: 申请, 工单 (in messages)
    table: Any  # the SQLModel table class of the cases
    machine: StateMachine
    labels: Mapping[str, str]  # action → Chinese label
    make_ctx: MakeCtx
    facts: Callable[[Any], dict[str, Any]]  # what the guards read, from the context
    parse: Callable[[Any, str, Mapping[str, Any] | None], BaseModel]  # (ctx, action, raw) → payload or raises
    handlers: Mapping[str, Handler]
    refresh: Callable[[Any], None]  # denormalise next due / overdue level after an action
    after_fire: Callable[[Any, str], None] | None = None  # kind-specific follow-up (closing, …)
    event_payload: Callable[[BaseModel], dict[str, Any]] = dump_payload
    applicant_actions: frozenset[str] = field(default_factory=frozenset)  # the portal's actions, if any
    # 补录 ordering: when the case came in (no step may be dated earlier), and the events that only record its
    # arrival or a platform's correction (dated when entered, not when it happened: not "a previous step")
    received: Callable[[Any], datetime | None] = lambda row: None
    entry_events: frozenset[str] = field(default_factory=frozenset)
    not_yours: str = "该案件未分派给您，您无权查看或办理"  # an officer opening someone else's case


KINDS: dict[str, CaseKind] = {}


def register(kind: CaseKind) -> CaseKind:
    """Make a kind known to the engine's registry (the API, pages and sweeps look kinds up here)."""
    KINDS[kind.name] = kind
    return kind


def kind_named(name: str) -> CaseKind:
    return KINDS[name]
