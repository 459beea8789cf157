"""What a page's action forms offer to choose from — the agency's officers (an assignee) and units (科室) —, read
in the page's own session and only when one of its forms asks for them (a payload with ``assignee_id`` or
``unit_id``). The choices, not the check: the case engine checks what is chosen (workflow.cases.assignment)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel
from sqlmodel import Session

from workflow.accounts.officers import Officer, officers_in
from workflow.agencies.units import units_in


@dataclass(frozen=True)
class FormChoices:
    officers: tuple[Officer, ...] = ()
    units: tuple[tuple[int, str], ...] = ()  # (id, name)


NO_CHOICES = FormChoices()


def form_choices(s: Session, agency_id: int | None, forms: Iterable[type[BaseModel]]) -> FormChoices:
    """The choices the payload models ``forms`` need in ``agency_id`` (the acting user's agency)."""
    names = {n for model in forms for n in model.model_fields}
    if agency_id is None:
        return NO_CHOICES
    return FormChoices(tuple(officers_in(s, agency_id)) if "assignee_id" in names else (),
                       tuple(units_in(s, agency_id)) if "unit_id" in names else ())
