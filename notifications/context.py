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

APPLICANT_TYPE_LABELS = {"natural": "公民", "organization": "法人或者其他组织"}
APPLICANT_CATEGORY_LABELS = {
    "natural": "自然人", "business": "商业企业", "research": "科研机构", "public_welfare": "社会公益组织",
    "legal_service": "法律服务机构", "other": "其他",
}
ID_TYPE_LABELS = {
    "resident_id": "居民身份证", "passport": "护照", "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证", "foreign_permanent": "外国人永久居留身份证",
    "uscc": "统一社会信用代码", "other": "其他证件",
}
FORM_WANTED_LABELS = {"paper": "纸质", "electronic": "电子文档", "inspection": "查阅、抄录"}
OBTAIN_WAY_LABELS = {"collect": "当面领取", "post": "邮寄", "email": "电子邮件", "online": "网上获取"}
CHANNEL_LABELS = {
    "in_person": "当面提交", "post_signed": "邮寄（需签收）", "letter": "平常信函", "internet": "互联网",
    "fax": "传真", "email": "电子邮件",
}
CASE_KIND_LABELS: dict[str, str] = {CaseKindName.DISCLOSURE: "政府信息公开申请", CaseKindName.WORKORDER: "12345工单"}

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
        "kind_label": CASE_KIND_LABELS[CaseKindName.DISCLOSURE],
        "id": d.id,
        "number": d.tracking_no or d.submission_no or "",
        "tracking_no": d.tracking_no or "",
        "submission_no": d.submission_no or "",
        "state": d.state,
        "applicant": {
            "type": d.applicant_type,
            "type_label": _label(APPLICANT_TYPE_LABELS, d.applicant_type),
            "category": d.applicant_category,
            "category_label": _label(APPLICANT_CATEGORY_LABELS, d.applicant_category),
            "name": d.applicant_name,
            "id_type": d.id_type,
            "id_type_label": _label(ID_TYPE_LABELS, d.id_type),
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
        "form_wanted_label": _label(FORM_WANTED_LABELS, d.form_wanted),
        "obtain_way": d.obtain_way,
        "obtain_way_label": _label(OBTAIN_WAY_LABELS, d.obtain_way),
        "channel": d.channel,
        "channel_label": _label(CHANNEL_LABELS, d.channel),
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
    ref: dict[str, Any] = {"kind": kind, "kind_label": kind_label or CASE_KIND_LABELS.get(kind, kind),
                           "number": number, "summary": summary}
    if url:
        ref["url"] = url
    return ref
