"""Read side for disclosure applications: filtered keyset lists and the detail view. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from db.engine import read_session
from db.models import ApprovalRequest, Consultation, Disclosure, Event, RemedyCase, StoredFile, User
from states.disclosure import ACTION_LABELS, OPEN_STATES, STATE_LABELS, unavailable_replies
from states.fees import quote_items, quote_pages
from states.formats import mask_id, mask_phone
from states.policy import Sight
from states.vocab import ApprovalStatus
from states.wording import (
    APPLICANT_CATEGORIES,
    CHANNELS,
    EVENT_LABELS,
    FORMS_WANTED,
    OBTAIN_WAYS,
    REASONS_ASSESSMENTS,
)
from workflow.accounts.principal import Principal
from workflow.cases import engine as case_engine
from workflow.cases.approvals import pending_label
from workflow.cases.clocks import case_clocks, clock_view, soon_until
from workflow.cases.engine import load_for_reading, open_ctx
from workflow.cases.files import may_attach
from workflow.cases.keyset import CaseListFilter, common_filters, in_agency_zone, keyset_page
from workflow.disclosure.context import KIND, Ctx, decision_view
from workflow.disclosure.handlers import prior_items
from workflow.disclosure.kind import DISCLOSURE
from workflow.runtime import Engine


@dataclass(frozen=True)
class ListFilter(CaseListFilter):
    applicant: str | None = None  # name (part) or the full identity number
    text: str | None = None  # description or tracking number (part)


def list_disclosures(session: Session, actor: Principal, f: ListFilter, *, now: datetime, limit: int = 50,
                     cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first (keyset on (id)); filters are all server-side and use indexes."""
    q = common_filters(select(Disclosure), DISCLOSURE, OPEN_STATES, actor, f, now)
    if f.applicant:
        like = f"%{f.applicant}%"
        q = q.where(or_(col(Disclosure.applicant_name).like(like), col(Disclosure.id_number) == f.applicant.upper()))
    if f.text:
        like = f"%{f.text}%"
        q = q.where(or_(col(Disclosure.description).like(like), col(Disclosure.tracking_no).like(like)))
    return keyset_page(session, q, Disclosure, lambda r: list_item(r, now), limit=limit, cursor=cursor)


def disclosure_list(engine: Engine, actor: Principal, f: ListFilter, *, now: datetime, limit: int = 50,
                    cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """``list_disclosures`` in one read session (the API's list): the items and the next page's cursor."""
    f = in_agency_zone(engine, actor, f)  # a month, a day as a due bound: the listed agency's
    with read_session(engine) as s:
        return list_disclosures(s, actor, f, now=now, limit=limit, cursor=cursor)


def list_item(r: Disclosure, now: datetime) -> dict[str, Any]:
    """A row for lists: personal data masked."""
    return {
        "id": r.id, "agency_id": r.agency_id, "tracking_no": r.tracking_no, "state": r.state,
        "state_label": STATE_LABELS.get(r.state, r.state), "applicant_name": r.applicant_name,
        "applicant_category": r.applicant_category, "id_number_masked": mask_id(r.id_number),
        "phone_masked": mask_phone(r.phone), "description": r.description[:120],
        "receipt_date": r.receipt_date.isoformat() if r.receipt_date else None, "assignee_id": r.assignee_id,
        "next_due_at": r.next_due_at.isoformat() if r.next_due_at else None,
        "overdue": bool(r.next_due_at and r.next_due_at < now and r.state in OPEN_STATES),
        "overdue_level": r.overdue_level, "version": r.version,
    }


def get_detail(session: Session, case_id: int, actor: Principal, *, now: datetime) -> dict[str, Any]:
    """One application as the actor may see it (states.policy): Forbidden/NotFound otherwise; identity
    numbers and phones masked, and no files listed, unless the actor sees the case in full."""
    row, seen = load_for_reading(session, DISCLOSURE, case_id, actor)
    full_personal_data = seen == Sight.FULL
    ctx = open_ctx(session, DISCLOSURE, row, actor, now)
    allowed = case_engine.allowed_actions(DISCLOSURE, ctx)
    events = session.exec(select(Event).where(Event.case_kind == KIND, Event.case_id == case_id)
                          .order_by(Event.id)).all()  # type: ignore[arg-type]
    users = {u.id: u.display_name for u in session.exec(select(User).where(User.agency_id == row.agency_id)).all()}
    consultations = session.exec(select(Consultation).where(Consultation.disclosure_id == case_id)
                                 .order_by(Consultation.id)).all()  # type: ignore[arg-type]
    approvals = session.exec(select(ApprovalRequest).where(col(ApprovalRequest.case_kind) == KIND,
                                                           col(ApprovalRequest.case_id) == case_id)).all()
    remedies = session.exec(select(RemedyCase).where(RemedyCase.disclosure_id == case_id)).all()
    files = session.exec(select(StoredFile).where(StoredFile.case_kind == KIND, StoredFile.case_id == case_id)
                         .order_by(StoredFile.id)).all()  # type: ignore[arg-type]
    category, _, reason = (row.decision or "").partition(".")
    d = {
        "id": row.id, "agency_id": row.agency_id, "version": row.version, "state": row.state,
        "state_label": STATE_LABELS.get(row.state, row.state), "tracking_no": row.tracking_no,
        "submission_no": row.submission_no,
        "applicant": {
            "type": row.applicant_type, "category": row.applicant_category,
            "category_label": APPLICANT_CATEGORIES.get(row.applicant_category, ""), "name": row.applicant_name,
            "id_type": row.id_type,
            "id_number": row.id_number if full_personal_data else mask_id(row.id_number),
            "contact_person": row.contact_person,
            "phone": row.phone if full_personal_data else mask_phone(row.phone),
            "email": row.email, "address": row.address, "postal_code": row.postal_code,
            "assisted": row.assisted, "oral": row.oral,
        },
        "request": {
            "description": row.description, "document_ref": row.document_ref, "purpose": row.purpose,
            "form_wanted": row.form_wanted, "form_wanted_label": FORMS_WANTED.get(row.form_wanted, ""),
            "obtain_way": row.obtain_way, "obtain_way_label": OBTAIN_WAYS.get(row.obtain_way, ""),
        },
        "receipt": {
            "channel": row.channel, "channel_label": CHANNELS.get(row.channel, ""),
            "received_at": row.received_at_raw.isoformat(),
            "confirmed_at": row.confirmed_at.isoformat() if row.confirmed_at else None,
            "receipt_date": _iso(row.receipt_date), "base_date": _iso(row.base_date),
        },
        "assignee": {"id": row.assignee_id, "name": users.get(row.assignee_id)} if row.assignee_id else None,
        "extended": row.extended, "extension_days": row.extension_days, "delayed": row.delayed,
        "reasons": {"received_date": _iso(row.reasons_received_date), "text": row.reasons_text,
                    "assessment": row.reasons_assessment,
                    "assessment_label": REASONS_ASSESSMENTS.get(row.reasons_assessment or "", "")},
        "fee": {"method": row.fee_method, "amount": row.fee_amount, "detail": row.fee_detail,
                "notice_date": _iso(row.fee_notice_date), "paid_date": _iso(row.fee_paid_date)},
        "decision": decision_view(category, reason),
        "decision_detail": row.decision_detail, "report_row": row.report_row, "reply_doc_no": row.reply_doc_no,
        "replied_at": row.replied_at.isoformat() if row.replied_at else None,
        "concluded_date": _iso(row.concluded_date), "delivery": row.delivery,
        "clocks": [clock_view(c, now, soon_until(ctx.cal, ctx.today)) for c in case_clocks(session, KIND, case_id)],
        "timezone": ctx.tz, "may_upload": may_attach(actor, row),
        "allowed_actions": [{"action": a, "label": ACTION_LABELS.get(a, a)} for a in allowed],
        # the reply's reasons that rest on a step the case has not taken (条例第三十条、第三十五条), and why
        "unavailable_replies": unavailable_replies(DISCLOSURE.facts(ctx)) if "reply" in allowed else {},
        "unavailable_actions": case_engine.unavailable_actions(DISCLOSURE, ctx),
        "pending_approvals": [pending_label(KIND, a.kind) for a in approvals if a.status == ApprovalStatus.PENDING],
        "consultations": [c.model_dump(mode="json") for c in consultations],
        "approvals": [a.model_dump(mode="json") for a in approvals],
        "remedies": [r.model_dump(mode="json") for r in remedies],
        "files": [{"id": f.id, "category": f.category, "notice_type": f.notice_type, "filename": f.filename,
                   "content_type": f.content_type, "size": f.size, "sha256": f.sha256,
                   "for_applicant": f.for_applicant} for f in files] if full_personal_data else [],
        "events": [{"id": e.id, "action": e.action, "label": ACTION_LABELS.get(e.action, EVENT_LABELS.get(e.action, e.action)),
                    "actor": e.actor_label, "from": e.from_state, "to": e.to_state, "payload": e.payload,
                    "at": e.created_at.isoformat()} for e in events],
    }
    return d




def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def preview_fee(session: Session, case_id: int, actor: Principal, *, now: datetime, method: str,
                quantity: int) -> dict[str, Any]:
    """The information-processing fee this application would cost (国办函〔2020〕109号), before the notice."""
    row, _ = load_for_reading(session, DISCLOSURE, case_id, actor)
    if method == "page":
        return quote_pages(quantity).to_dict()
    ctx = open_ctx(session, DISCLOSURE, row, actor, now)
    assert isinstance(ctx, Ctx)
    return quote_items(prior_items(ctx), quantity).to_dict()


def quoted_fee(engine: Engine, case_id: int, actor: Principal, *, now: datetime, method: str,
               quantity: int) -> dict[str, Any]:
    """``preview_fee`` in one read session (the API's fee preview)."""
    with read_session(engine) as s:
        return preview_fee(s, case_id, actor, now=now, method=method, quantity=quantity)
