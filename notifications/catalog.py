"""The catalog of notices: type code → what it is, who gets it, its formats, templates and required context.

Every notice's wording lives in one HTML fragment, ``templates/body/<code>.html``, which the layouts
turn into HTML (email, preview), PDF (WeasyPrint on the same HTML) and DOCX (the fragment's blocks fed to
``docx/letter.docx``) and plain text — so the legal wording is written once. ``check_catalog()`` runs at
start-up: every template exists and every type renders from its fixture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from states.decisions import REASONS, Category, lookup

LETTER = ("html", "pdf", "docx", "txt")
FORM = ("html", "pdf", "docx", "txt")
MEMO = ("html", "txt")
EXTENSIONS = {"html": "html", "pdf": "pdf", "docx": "docx", "txt": "txt"}
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain; charset=utf-8",
}

_LETTER_BASE = ("agency.name", "agency.phone", "issued_date", "case.applicant.name", "case.tracking_no",
                "case.receipt_date", "case.description")
_REMEDY = ("agency.reconsideration_organ",)


@dataclass(frozen=True)
class NoticeSpec:
    """One notice type: its Chinese title, audience, formats, required context keys and templates."""

    code: str
    title_zh: str
    audience: str  # applicant | third_party | agency | internal | caller | file
    formats: tuple[str, ...]
    required: tuple[str, ...]
    subject: str
    layout: str = "letter"  # letter (A4 official document) | memo (internal email) | plain (SMS-like text)
    signed: bool = True  # agency name, date and seal placeholder at the lower right
    remedy: bool = False  # carries the remedy clause (rules.md §1.8)
    for_applicant: bool = False  # stored files are downloadable through the applicant's look-up
    # Context keys holding a secret (the applicant's query code): scrubbed from the outbox row once sent. The
    # rendered receipt is kept as the case's document (reprinted at the desk with its code); the case row keeps
    # only the code's hash.
    secret_keys: tuple[str, ...] = ()
    # A part printed after the agency's signature (the third party's reply slip): body/appendix/<code>.html
    appendix: bool = False

    @property
    def body_template(self) -> str:
        return f"body/{self.code}.html"

    @property
    def appendix_template(self) -> str | None:
        return f"body/appendix/{self.code}.html" if self.appendix else None

    @property
    def templates(self) -> dict[str, str]:
        """Format → layout template name (plus "body" → the wording fragment)."""
        names = {"body": self.body_template}
        if self.appendix_template:
            names["appendix"] = self.appendix_template
        for fmt in self.formats:
            if fmt in ("html", "pdf"):
                names[fmt] = f"layout/{self.layout}.html"
            elif fmt == "docx":
                names[fmt] = "docx/letter.docx"
            elif fmt == "txt":
                names[fmt] = f"layout/{self.layout}.txt"
        return names


def _spec(code: str, title: str, audience: str, formats: tuple[str, ...], required: tuple[str, ...],
          subject: str, **kw: Any) -> NoticeSpec:
    return NoticeSpec(code, title, audience, formats, required, subject, **kw)


_D = "disclosure."
_TRACK = "（{{ case.tracking_no }}）"
SPECS: tuple[NoticeSpec, ...] = (
    _spec(_D + "receipt", "政府信息公开申请接收回执", "applicant", FORM,
          (*_LETTER_BASE, "case.channel_label", "notice.query_code", "notice.due_date"),
          "政府信息公开申请接收回执" + _TRACK, for_applicant=True, secret_keys=("notice.query_code",)),
    _spec(_D + "registration_form", "政府信息公开申请登记表", "file", FORM,
          ("agency.name", "case.applicant.name", "case.tracking_no", "case.receipt_date", "case.description",
           "case.channel_label", "notice.registered_date", "notice.registered_by", "notice.due_date"),
          "政府信息公开申请登记表" + _TRACK, signed=False),
    _spec(_D + "application_form", "政府信息公开申请表", "applicant", FORM,
          ("agency.name", "agency.office_name", "agency.address", "agency.postal_code", "agency.phone"),
          "{{ agency.name }}政府信息公开申请表", signed=False),
    _spec(_D + "correction_notice", "政府信息公开申请补正告知书", "applicant", LETTER,
          (*_LETTER_BASE, "notice.corrections", "notice.period_days", "notice.last_date"),
          "政府信息公开申请补正告知书" + _TRACK, for_applicant=True),
    _spec(_D + "reasons_notice", "政府信息公开申请说明理由告知书", "applicant", LETTER,
          (*_LETTER_BASE, "notice.facts", "notice.period_days", "notice.last_date"),
          "政府信息公开申请说明理由告知书" + _TRACK, for_applicant=True),
    _spec(_D + "delay_notice", "政府信息公开申请延迟答复告知书", "applicant", LETTER,
          (*_LETTER_BASE, "notice.reason", "notice.new_due_date"),
          "政府信息公开申请延迟答复告知书" + _TRACK, for_applicant=True),
    _spec(_D + "extension_notice", "政府信息公开申请延期答复告知书", "applicant", LETTER,
          (*_LETTER_BASE, "notice.reason", "notice.extension_days", "notice.original_due_date",
           "notice.new_due_date"),
          "政府信息公开申请延期答复告知书" + _TRACK, for_applicant=True),
    _spec(_D + "consultation_third_party", "政府信息公开申请征求意见书", "third_party", LETTER,
          ("agency.name", "agency.phone", "issued_date", "case.tracking_no", "notice.third_party.name",
           "notice.info_description", "notice.interest", "notice.last_date"),
          "政府信息公开申请征求意见书" + _TRACK, appendix=True),
    _spec(_D + "consultation_applicant_notice", "政府信息公开申请征求意见告知书", "applicant", LETTER,
          (*_LETTER_BASE, "notice.sent_date", "notice.consultee_label"),
          "政府信息公开申请征求意见告知书" + _TRACK, for_applicant=True),
    _spec(_D + "disclose_despite_objection", "政府信息依申请公开告知书", "third_party", LETTER,
          ("agency.name", "agency.phone", "issued_date", "case.tracking_no", "notice.third_party.name",
           "notice.consultation_date", "notice.content", "notice.reasons", "notice.disclose_date", *_REMEDY),
          "政府信息依申请公开告知书" + _TRACK, remedy=True),
    _spec(_D + "consultation_agency", "政府信息公开申请征求意见函", "agency", LETTER,
          ("agency.name", "agency.phone", "issued_date", "case.tracking_no", "case.receipt_date",
           "notice.consulted_agency", "notice.info_description", "notice.last_date"),
          "政府信息公开申请征求意见函" + _TRACK),
    _spec(_D + "fee_notice", "政府信息公开申请收费通知书", "applicant", LETTER,
          (*_LETTER_BASE, "notice.method", "notice.basis_fact", "notice.lines", "notice.amount",
           "notice.payment.how", "notice.last_date", *_REMEDY),
          "政府信息公开申请收费通知书" + _TRACK, remedy=True, for_applicant=True),
    _spec(_D + "reply", "政府信息公开申请答复书", "applicant", LETTER,
          (*_LETTER_BASE, "doc_no", "notice.decision.category", "notice.decision.reason", *_REMEDY),
          "政府信息公开申请答复书" + _TRACK, remedy=True, for_applicant=True),
    _spec(_D + "closure_notice", "政府信息公开申请不再处理告知书", "applicant", LETTER,
          (*_LETTER_BASE, "notice.reason", *_REMEDY),
          "政府信息公开申请不再处理告知书" + _TRACK, remedy=True, for_applicant=True),
    _spec(_D + "delivery_record", "送达回证", "file", FORM,
          ("agency.name", "case.applicant.name", "case.tracking_no", "notice.document_title",
           "notice.method_label"),
          "送达回证" + _TRACK),
    _spec(_D + "submission_ack", "政府信息公开申请提交确认", "applicant", MEMO,
          ("agency.name", "agency.phone", "case.applicant.name", "case.description", "notice.submission_no",
           "notice.query_code", "notice.submitted_at"),
          "您的政府信息公开申请已提交（{{ notice.submission_no }}）", layout="memo", signed=False,
          secret_keys=("notice.query_code",)),
    # The receipt of an online application, sent when the clerk confirms it (条例第三十一条第三项). The query
    # code was given at submission and is not known any more, so this receipt holds no secret and is kept.
    _spec(_D + "online_receipt", "政府信息公开申请接收回执", "applicant", FORM,
          (*_LETTER_BASE, "case.channel_label", "case.submission_no", "case.received_at", "notice.due_date",
           "notice.confirmed_date"),
          "政府信息公开申请接收回执" + _TRACK, for_applicant=True),
    _spec(_D + "completion_request", "网上政府信息公开申请补充告知", "applicant", MEMO,
          ("agency.name", "agency.phone", "case.applicant.name", "case.description", "notice.submission_no",
           "notice.submitted_at", "notice.message"),
          "请补充您网上提交的政府信息公开申请（{{ notice.submission_no }}）", layout="memo", signed=False),
    _spec(_D + "submission_closed", "网上政府信息公开申请未予登记告知", "applicant", MEMO,
          ("agency.name", "agency.phone", "case.applicant.name", "case.description", "notice.submission_no",
           "notice.submitted_at", "notice.closed_date"),
          "您网上提交的政府信息公开申请未予登记（{{ notice.submission_no }}）", layout="memo", signed=False),
    _spec("workorder.reply_sheet", "12345政务服务便民热线办理情况回复单", "file", FORM,
          ("agency.name", "issued_date", "case.order_no", "case.caller.name", "case.caller.phone",
           "case.content", "case.received_date", "notice.reply_text", "notice.handler", "notice.unit",
           "notice.reply_date"),
          "12345工单办理情况回复单（{{ case.order_no }}）"),
    _spec("workorder.caller_text", "12345工单办理结果告知", "caller", ("txt",),
          ("agency.name", "agency.phone", "case.order_no", "case.caller.name", "case.content",
           "case.received_date", "notice.reply_text"),
          "12345工单办理结果（{{ case.order_no }}）", layout="plain", signed=False),
    _spec("internal.assigned", "承办事项分派通知", "internal", MEMO,
          ("agency.name", "recipient.name", "case.kind_label", "case.number", "case.summary"),
          "【分派】{{ case.number }}已交由您承办", layout="memo", signed=False),
    _spec("internal.reminder", "办理时限提醒", "internal", MEMO,
          ("agency.name", "recipient.name", "case.kind_label", "case.number", "case.summary",
           "notice.clock_label", "notice.due_date", "notice.working_days_left"),
          "【时限提醒】{{ case.number }}{{ notice.clock_label }}将于{{ notice.due_date|cn_date }}"
          "{{ notice.due_time if notice.get('due_time') else '' }}到期",
          layout="memo", signed=False),
    _spec("internal.overdue", "逾期催办督办通知", "internal", MEMO,
          ("agency.name", "recipient.name", "case.kind_label", "case.number", "case.summary",
           "notice.level", "notice.clock_label", "notice.due_date", "notice.days_overdue",
           "notice.officer", "notice.unit"),
          "【{{ '督办' if notice.level >= 2 else '催办' }}】{{ case.number }}"
          "{% if notice.get('by') %}：{{ notice.by }}{{ '督办' if notice.level >= 2 else '催办' }}"
          "{% elif notice.get('overdue_text') %}已逾期{{ notice.overdue_text }}"
          "{% else %}已逾期{{ notice.days_overdue }}个工作日{% endif %}",
          layout="memo", signed=False),
    _spec("internal.digest", "每日办理时限汇总", "internal", MEMO,
          ("agency.name", "recipient.name", "notice.digest_date", "notice.due_today", "notice.due_soon",
           "notice.overdue"),
          "【每日汇总】{{ notice.digest_date|cn_date }}："
          "{% if notice.by_kind is defined %}{% for k in notice.by_kind %}{{ k.label }}今日到期{{ k.due_today }}件、"
          "逾期{{ k.overdue }}件{{ '；' if not loop.last }}{% else %}无到期、逾期事项{% endfor %}"
          "{% else %}今日到期{{ notice.totals.due_today if notice.totals is defined else notice.due_today|length }}项，"
          "逾期{{ notice.totals.overdue if notice.totals is defined else notice.overdue|length }}项{% endif %}",
          layout="memo", signed=False),
)

CATALOG: dict[str, NoticeSpec] = {s.code: s for s in SPECS}

# Context keys needed beyond the spec's own, by decision (category, reason) of a reply.
_PROVIDED = ("notice.provided.method_label", "notice.provided.documents")
_CLOSURE_KEYS: dict[str, tuple[str, ...]] = {
    "correction_lapsed": ("notice.correction_notice_date", "notice.correction_last_date"),
    "fee_unpaid": ("notice.fee_notice_date", "notice.fee_last_date"),
    "withdrawn": ("notice.withdrawal_date",),
}
# A reply whose reason rests on an earlier step states its dates, from the case (workflow.disclosure.reply.case_detail):
# the correction notice and the corrected application (条例第三十条), the 说明理由告知书 and its last day (第三十五条).
_EARLIER_STEP_KEYS: dict[str, tuple[str, ...]] = {
    "still_unclear": ("notice.detail.correction_notice_date", "notice.detail.correction_received_date"),
    "excessive": ("notice.detail.reasons_notice_date", "notice.detail.reasons_last_date"),
}


def reply_required(category: str, reason: str) -> tuple[str, ...]:
    """The extra context keys a reply with this decision needs (decision_detail keys and more)."""
    r = lookup(category, reason)
    if r is None:
        return ()
    keys = [f"notice.detail.{k}" for k in r.required]
    if r.category in (Category.DISCLOSE, Category.PARTIAL) and r.code != "already_public":
        keys.extend(_PROVIDED)
    keys.extend(_CLOSURE_KEYS.get(r.code, ()))
    keys.extend(_EARLIER_STEP_KEYS.get(r.code, ()))
    return tuple(keys)


def required_keys(spec: NoticeSpec, context: Mapping[str, Any]) -> tuple[str, ...]:
    """All dotted keys ``context`` must carry (non-empty) for ``spec``, including decision-specific ones."""
    notice = context.get("notice")
    extra: tuple[str, ...] = ()
    if isinstance(notice, Mapping):
        if spec.code == "disclosure.reply" and isinstance(notice.get("decision"), Mapping):
            d = notice["decision"]
            extra = reply_required(str(d.get("category", "")), str(d.get("reason", "")))
        elif spec.code == "disclosure.closure_notice":
            extra = _CLOSURE_KEYS.get(str(notice.get("reason", "")), ())
    return spec.required + extra


def get_spec(code: str) -> NoticeSpec:
    """The spec for ``code``; UnknownNotice if there is none."""
    from notifications.errors import UnknownNotice

    try:
        return CATALOG[code]
    except KeyError:
        raise UnknownNotice(code) from None


def check_catalog(*, include_pdf: bool = False, override_dir: Any = None) -> None:
    """Start-up check: every template file exists and every type renders from its fixture; CatalogError."""
    from notifications.check import run_check

    run_check(include_pdf=include_pdf, override_dir=override_dir)


__all__ = ["CATALOG", "CONTENT_TYPES", "REASONS", "SPECS", "NoticeSpec", "check_catalog", "get_spec",
           "reply_required", "required_keys"]
