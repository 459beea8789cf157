"""Builders for the context snapshot the workflow writes into an outbox row (shape: docs/notices.md).

The snapshot is taken at enqueue time, inside the transaction of the legal step, so a notice rendered
later (or re-sent) says what was true when the step was taken. Dates are ISO strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from db.models.core import Agency
from db.models.disclosure import Disclosure
from notifications.remedy import DEFAULT_COURT
from states.formats import mask_id
from states.vocab import CaseKindName
from states.wording import (
    APPLICANT_CATEGORIES,
    APPLICANT_TYPES,
    CASE_NOUNS,
    CHANNELS,
    FORMS_WANTED,
    ID_TYPES,
    OBTAIN_WAYS,
)

AGENCY_KEYS = (
    "short_name", "office_name", "seal_text", "address", "postal_code", "phone", "email", "website",
    "lookup_url", "reconsideration_organ", "litigation_court",
)
"""Keys read from ``Agency.settings`` (flat), falling back to ``settings_defaults``; also
``mail_attachments`` (formats attached to emails, default ``["pdf"]``)."""


def _iso(value: date | datetime | None, tz: ZoneInfo) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(tz).isoformat(timespec="minutes")
    return value.isoformat()


def _local_date(value: datetime | None, tz: ZoneInfo) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(tz).date().isoformat()


def agency_context(agency: Agency, settings_defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``agency`` part of a context: name, contacts, seal text and remedy bodies.

    ``reconsideration_organ`` stays empty when neither the agency nor the defaults set it, so a reply
    fails to render (naming the key) rather than telling the applicant a wrong organ.
    """
    values: dict[str, Any] = dict(settings_defaults or {})
    values.update({k: v for k, v in (agency.settings or {}).items() if v not in (None, "")})
    ctx: dict[str, Any] = {"id": agency.id, "code": agency.code, "name": agency.name}
    for key in AGENCY_KEYS:
        ctx[key] = str(values.get(key) or "")
    ctx["office_name"] = ctx["office_name"] or agency.name
    ctx["seal_text"] = ctx["seal_text"] or agency.name
    ctx["short_name"] = ctx["short_name"] or agency.name
    ctx["litigation_court"] = ctx["litigation_court"] or DEFAULT_COURT
    ctx["mail_attachments"] = list(values.get("mail_attachments") or ["pdf"])
    ctx["partial_reconsideration_first"] = values.get("partial_reconsideration_first") is not False
    return ctx


def _label(labels: Mapping[str, str], code: str | None) -> str:
    return labels.get(code or "", code or "")


def disclosure_case_context(d: Disclosure, *, tz: str = "Asia/Shanghai") -> dict[str, Any]:
    """The ``case`` part of a context for a disclosure application (labels resolved, dates ISO)."""
    zone = ZoneInfo(tz)
    return {
        "kind": CaseKindName.DISCLOSURE,
        "kind_label": CASE_NOUNS[CaseKindName.DISCLOSURE],
        "id": d.id,
        "number": d.tracking_no or d.submission_no or "",
        "tracking_no": d.tracking_no or "",
        "submission_no": d.submission_no or "",
        "state": d.state,
        "applicant": {
            "type": d.applicant_type,
            "type_label": _label(APPLICANT_TYPES, d.applicant_type),
            "category": d.applicant_category,
            "category_label": _label(APPLICANT_CATEGORIES, d.applicant_category),
            "name": d.applicant_name,
            "id_type": d.id_type,
            "id_type_label": _label(ID_TYPES, d.id_type),
            "id_number": d.id_number,
            "id_number_masked": mask_id(d.id_number),
            "phone": d.phone,
            "email": d.email,
            "address": d.address,
            "postal_code": d.postal_code,
            "contact_person": d.contact_person,
        },
        "description": d.description,
        "document_ref": d.document_ref,
        "purpose": d.purpose,
        "form_wanted": d.form_wanted,
        "form_wanted_label": _label(FORMS_WANTED, d.form_wanted),
        "obtain_way": d.obtain_way,
        "obtain_way_label": _label(OBTAIN_WAYS, d.obtain_way),
        "channel": d.channel,
        "channel_label": _label(CHANNELS, d.channel),
        "received_at": _iso(d.received_at_raw, zone),
        "confirmed_date": _local_date(d.confirmed_at, zone),
        "receipt_date": _iso(d.receipt_date, zone),
        "base_date": _iso(d.base_date, zone),
        "oral": d.oral,
        "assisted": d.assisted,
    }


def case_ref(kind: str, number: str, summary: str, url: str | None = None, *,
             kind_label: str | None = None) -> dict[str, Any]:
    """The ``case`` part of an internal notice (reminder, overdue): kind label (the kind's own, or the label of a
    shipped kind), number, summary, link."""
    ref: dict[str, Any] = {"kind": kind, "kind_label": kind_label or CASE_NOUNS.get(kind, kind),
                           "number": number, "summary": summary}
    if url:
        ref["url"] = url
    return ref
