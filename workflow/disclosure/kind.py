"""The disclosure application (依申请公开) as a case kind of the shared engine (workflow.cases)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from sqlmodel import col

from db.models import Disclosure
from states.disclosure import ACTION_LABELS, APPLICANT_ACTIONS, MACHINE, OPEN_STATES, STATE_LABELS
from states.vocab import CaseKindName
from states.wording import CASE_KINDS, CASE_NOUNS, NO_ASSIGNEE
from workflow.cases.kind import CaseKind, CaseList, register
from workflow.disclosure.context import CLOCKS, KIND, Ctx, build_facts, refresh_next_due
from workflow.disclosure.handlers import HANDLERS
from workflow.disclosure.payloads import parse_payload

# 我的案件 / 案件查询 and the caseload: registered applications (an online submission not yet confirmed by a clerk has
# no tracking number and is in the front desk's queue instead)
LISTING = CaseList(
    label=CASE_KINDS[CaseKindName.DISCLOSURE], state_labels=STATE_LABELS, open_states=tuple(sorted(OPEN_STATES)),
    search=("tracking_no", "applicant_name", "description", "source_no"), applicant="applicant_name", phone="phone",
    id_number="id_number", received_on="receipt_date", unit="unit_id", unassigned=NO_ASSIGNEE[KIND],
    listed=lambda t: (col(t.tracking_no).is_not(None),),
)


def _parse(ctx: Ctx, action: str, raw: Mapping[str, Any] | None) -> BaseModel:
    return parse_payload(action, dict(raw or {}))


DISCLOSURE = register(CaseKind(
    name=KIND, noun="申请", table=Disclosure, machine=MACHINE, labels=ACTION_LABELS, make_ctx=Ctx,
    facts=build_facts, parse=_parse, handlers=HANDLERS, refresh=refresh_next_due,
    applicant_actions=APPLICANT_ACTIONS, received=lambda row: row.received_at_raw,
    clocks=CLOCKS, title=CASE_NOUNS[KIND], path="/cases/disclosure", ref_number=("tracking_no", "submission_no"),
    ref_summary=("description",), entered=lambda row: row.registered_at or row.confirmed_at, listing=LISTING,
))
