"""The case-kind descriptor: what a request kind (disclosure application, 12345 work order, …) gives the
shared case engine. Everything else — load and lock, version check, policy, guards, firing, clocks, audit,
outbox, commit, result — is the engine's (workflow.cases.engine)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from db.models import Agency
from states.calendar import WorkCalendar
from states.machine import StateMachine
from workflow.accounts.principal import Principal
from workflow.agencies.config import AgencyConfig
from workflow.cases.clocks import CLOCK_KINDS, ClockKind
from workflow.cases.context import CaseCtx

Handler = Callable[[Any, BaseModel], None]
MakeCtx = Callable[[Session, Any, Agency, AgencyConfig, WorkCalendar, Principal, datetime], CaseCtx]
# A kind's own ladders for the sweeps, per agency (its settings, its id): each (ladder, condition on clock rows naming
# the cases it applies to, or None for every case of the kind). Reminders: rungs in working days before due, furthest
# first. Escalation: (action, working days after the first overdue day) per step. None, or no ladder: the agency's.
ReminderLadders = Callable[[AgencyConfig, int], Sequence[tuple[tuple[int, ...], Any]]]
EscalationLadders = Callable[[AgencyConfig, int], Sequence[tuple[tuple[tuple[str, int], ...], Any]]]


def dump_payload(payload: BaseModel) -> dict[str, Any]:
    """The audit event's copy of the payload (default: every field)."""
    return payload.model_dump(mode="json")


@dataclass(frozen=True)
class Shown:
    """One line of the case record on the shared case page: a column of the kind's table and its label."""

    name: str
    label: str
    mask: Callable[[Any], str] | None = None  # what a masked sight reads instead (states.formats: mask_phone, …)


@dataclass(frozen=True)
class CasePage:
    """What the shared case page (``workflow.cases.view``, ``web.pages.case_page``: /cases/<kind>/<id>) shows of a
    kind and offers on it; a kind with a page of its own (disclosure, 12345) has none."""

    record: tuple[Shown, ...]  # the case record, line by line
    forms: Mapping[str, type[BaseModel]]  # action → the payload model its form is generated from (web.pages.forms)
    state_labels: Mapping[str, str]
    field_labels: Mapping[str, str] = field(default_factory=dict)  # form and timeline fields → Chinese
    confirm: Mapping[str, str] = field(default_factory=dict)  # action → the question asked before it is sent
    uploads: Mapping[str, tuple[str, bool]] = field(default_factory=dict)  # 材料类别 → (label, for the applicant)
    template: str = "cases/case.html"  # a kind's own template may extend it


@dataclass(frozen=True)
class CaseList:
    """What the cross-kind case lists show of a kind — 我的案件, 案件查询 and the caseload's drill-downs
    (``workflow.cases.listing``), and the caseload's counts (``workflow.reports.caseload``): columns of the kind's
    table. The row's number and summary are the descriptor's ``ref_number`` / ``ref_summary``, its link ``url()``,
    its deadline the nearest running clock in the shared clocks table, its assignee ``assignee_id``."""

    label: str  # the 类别 column and filter: 依申请公开, 12345工单
    state_labels: Mapping[str, str]
    open_states: tuple[str, ...]  # 在办: the lists' 仅看未办结 and the caseload
    search: tuple[str, ...]  # columns the 检索 box matches (number, names, words of the request)
    applicant: str = ""  # the applicant's / caller's name
    phone: str = ""  # shown masked
    id_number: str = ""  # shown masked ("" : the kind records none)
    received_on: str = ""  # the day it was received (a date column) — the month drill-down
    received_at: str = ""  # or the instant (read as a day in the agency's zone)
    unit: str = ""  # the unit column ("" : the kind has no units: its cases are all 未指定科室)
    listed: Callable[[Any], tuple[Any, ...]] = lambda table: ()  # which rows are cases yet (SQL conditions)
    unassigned: str = "未分办"  # the caseload's word for a case nobody has


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
    # 补录 ordering: when the case came in (no step may be dated earlier; workflow.cases.engine.previous_step)
    received: Callable[[Any], datetime | None] = lambda row: None
    not_yours: str = "该案件未分派给您，您无权查看或办理"  # an officer opening someone else's case
    # --- clocks and the sweeps (reminders, escalation, lapses, digest, recompute)
    clocks: Mapping[str, ClockKind] = field(default_factory=dict)  # the kind's clock kinds (names unique)
    title: str = ""  # what notices and pages call the kind: 政府信息公开申请, 12345工单
    path: str = ""  # the case page: f"{path}/{id}" (default /cases/<name>)
    ref_number: tuple[str, ...] = ()  # columns naming a case in notices, the first one filled (else #id)
    ref_summary: tuple[str, ...] = ()  # columns summarising it, the first one filled
    reminder_ladders: ReminderLadders | None = None
    escalation_ladders: EscalationLadders | None = None
    # True: the sweeps press a case by firing the kind's own urge/supervise actions through the engine (their
    # guards read the ladder; hour clocks pressed by the hour too); False: the sweep records each step itself
    presses_itself: bool = False
    entered: Callable[[Any], datetime | None] | None = None  # when a case was entered (a back-dated receipt is
    # pressed once, at the level reached then: workflow.sweeps.escalation.entry_level)
    # --- the shared case page (None: the kind has its own pages)
    page: CasePage | None = None
    # --- the case lists and the caseload (None: not listed)
    listing: CaseList | None = None

    def url(self, case_id: int) -> str:
        """The case's page."""
        return f"{self.path or '/cases/' + self.name}/{case_id}"

    def number(self, row: Any) -> str:
        """The case's number as notices and lists name it (the first filled ``ref_number`` column, else #id)."""
        return next((str(v) for n in self.ref_number if (v := getattr(row, n, None))), f"#{row.id}")

    def summary(self, row: Any) -> str:
        """What the case is about (the first filled ``ref_summary`` column)."""
        return next((str(v) for n in self.ref_summary if (v := getattr(row, n, None))), "")

    def label(self) -> str:
        """What notices and pages call the kind."""
        return self.title or self.noun


KINDS: dict[str, CaseKind] = {}


def register(kind: CaseKind) -> CaseKind:
    """Make a kind known to the engine's registry (the API, pages and sweeps look kinds up here) and add its clock
    kinds to ``workflow.cases.clocks.CLOCK_KINDS``. A clock kind's name must be unique across kinds (the clock rows
    and the sweeps' queries name clock kinds)."""
    for other in KINDS.values():
        clash = sorted(set(other.clocks) & set(kind.clocks)) if other.name != kind.name else []
        if clash:
            raise ValueError(f"clock kinds {clash} of {kind.name!r} are already those of {other.name!r}")
    KINDS[kind.name] = kind
    _assemble_clocks()
    return kind


def unregister(name: str) -> None:
    """Forget a kind (a test's kind, after the test)."""
    KINDS.pop(name, None)
    _assemble_clocks()


def _assemble_clocks() -> None:
    """CLOCK_KINDS from the registered kinds, in the order of their names (stable whatever the import order)."""
    CLOCK_KINDS.clear()
    for name in sorted(KINDS):
        CLOCK_KINDS.update({k: replace(v, case_kind=name) for k, v in KINDS[name].clocks.items()})
