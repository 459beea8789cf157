"""What a page's action forms offer to choose from — the agency's officers (an assignee) and units (科室) —, read
in the page's own session and only when one of its forms asks for them (a payload with ``assignee_id`` or
``unit_id``). The choices, not the check: the case engine checks what is chosen (workflow.cases.assignment).

The API offers the same choices for a kind as a whole (``assignment_choices``): what its assignment forms offer
the actor on any case of the agency, so a client can find a valid ``assignee_id`` / ``unit_id``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel
from sqlmodel import Session

from db.engine import read_session
from states.machine import StateMachine
from states.policy import may_fire
from workflow.accounts.officers import Officer, officers_in
from workflow.accounts.principal import Principal
from workflow.agencies.units import units_in
from workflow.errors import Forbidden
from workflow.runtime import Engine

CHOICE_FIELDS = frozenset({"assignee_id", "unit_id"})  # the payload fields the forms offer choices for


@dataclass(frozen=True)
class FormChoices:
    officers: tuple[Officer, ...] = ()
    units: tuple[tuple[int, str], ...] = ()  # (id, name)


NO_CHOICES = FormChoices()


def _choices(s: Session, agency_id: int | None, names: set[str]) -> FormChoices:
    if agency_id is None:
        return NO_CHOICES
    return FormChoices(tuple(officers_in(s, agency_id)) if "assignee_id" in names else (),
                       tuple(units_in(s, agency_id)) if "unit_id" in names else ())


def form_choices(s: Session, agency_id: int | None, forms: Iterable[type[BaseModel]]) -> FormChoices:
    """The choices the payload models ``forms`` need in ``agency_id`` (the acting user's agency)."""
    return _choices(s, agency_id, {n for model in forms for n in model.model_fields})


def assigns(machine: StateMachine) -> bool:
    """Whether a kind has actions whose form chooses an officer or a unit (e.g. 分办, 改派)."""
    return any(CHOICE_FIELDS & set(t.payload) for t in machine.table)


def assignment_choices(engine: Engine, machine: StateMachine, actor: Principal) -> FormChoices:
    """What a kind's assignment forms offer ``actor`` in the agency it acts in: the officers and units of the rows
    naming ``CHOICE_FIELDS`` that the actor's roles may fire (states.policy.may_fire, judged on roles alone, as on
    any case of its agency) — the same lists the case pages' forms show. Forbidden when it may fire none of them."""
    rows = [t for t in machine.table if CHOICE_FIELDS & set(t.payload) and may_fire(t.roles, actor.actor, None)]
    if not rows or actor.agency_id is None:
        raise Forbidden("您的角色不能分办或指派承办人，没有可选的承办人和科室")
    with read_session(engine) as s:
        return _choices(s, actor.agency_id, {n for t in rows for n in t.payload})
