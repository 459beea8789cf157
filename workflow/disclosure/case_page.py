"""The case page of an application for staff: its detail under the one policy (``get_detail``: 404/403), the
documents still to come from the outbox or held for the agency's settings, and what the allowed actions' forms
offer to choose from (the officers) — read in one session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.engine import read_session
from workflow.accounts.principal import Principal
from workflow.agencies.held import held_documents
from workflow.cases.form_choices import FormChoices, form_choices
from workflow.cases.pending_documents import pending_documents
from workflow.disclosure.context import KIND
from workflow.disclosure.payloads import PAYLOADS
from workflow.disclosure.queries import get_detail
from workflow.runtime import Engine


@dataclass(frozen=True)
class CasePage:
    detail: dict[str, Any]  # ``get_detail`` (as the API gives it)
    pending_documents: list[str]  # titles the outbox will still store
    held_documents: list[str]  # titles waiting for the agency's settings
    choices: FormChoices  # for the allowed actions' forms (officers), in the reader's agency


def case_page(engine: Engine, case_id: int, actor: Principal, *, now: datetime) -> CasePage:
    with read_session(engine) as s:
        d = get_detail(s, case_id, actor, now=now)
        return CasePage(d, pending_documents(s, KIND, case_id), held_documents(s, KIND, case_id),
                        form_choices(s, actor.agency_id, (PAYLOADS[a["action"]] for a in d["allowed_actions"]
                                                          if a["action"] in PAYLOADS)))
