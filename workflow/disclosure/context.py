"""Per-action context for disclosure workflow functions: the row, agency config, calendar, facts."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session, col, select

from db.models import Agency, ApprovalRequest, Clock, Consultation, Disclosure, Event, StoredFile
from notifications.context import agency_context, disclosure_case_context
from notifications.outbox import check_context, enqueue_many, outbox_values
from states.decisions import CATEGORY_LABELS, Category, lookup
from states.disclosure import DState
from states.vocab import OPEN_CLOCK, ApprovalStatus, CaseKindName, ClockStatus
from workflow.accounts.principal import Principal
from workflow.agencies.completeness import REQUIRED, missing_notice_settings
from workflow.agencies.config import AgencyConfig
from workflow.cases.clocks import CLOCK_KINDS, ClockKind, case_clocks
from workflow.cases.context import CaseCtx
from workflow.portal.urls import portal_lookup_url
from workflow.timesource import aware, local_date

KIND = CaseKindName.DISCLOSURE
CLOCKS = {  # the application's clocks (CaseKind.clocks)
    "reply": ClockKind("答复期限", duty=True),  # 条例第三十三条
    # a window that allows a correction notice, not a duty: most applications need none, so no reminders (issue 20)
    "correction_notice": ClockKind("补正告知期限", duty=False, reminders=False),  # 条例第三十条
    "correction_period": ClockKind("申请人补正期限", duty=False, lapse_action="lapse_correction",
                                   statutory=False),  # 条例第三十条 (the agency sets its length)
    "consultation": ClockKind("征求意见期限", duty=False, lapse_action="lapse_consultation"),  # 条例第三十二条
    "fee_payment": ClockKind("缴费期限", duty=False, lapse_action="lapse_fee"),  # 国办函〔2020〕109号
    # 条例第三十五条: the applicant's period to state reasons; when it ends the agency decides (不予处理 or not), so
    # nothing lapses by itself and nobody is reminded
    "reasons_period": ClockKind("申请人说明理由期限", duty=False, reminders=False, statutory=False),
}


@dataclass
class Ctx(CaseCtx):
    """Everything one disclosure action needs, loaded once inside its transaction."""

    row: Disclosure
    _extension: ApprovalRequest | None = None
    _extension_read: bool = False
    _consultations: list[Consultation] | None = None
    _reply_files: list[StoredFile] | None = None
    _agency_part: dict[str, Any] | None = None
    _agency_containers: tuple[str, ...] = ()

    def agency_part(self) -> dict[str, Any]:
        """The ``agency`` part of this context's notices (``agency_snapshot``): built once per context — the agency
        and its settings do not change within an action or an imported row — and copied for each notice."""
        if self._agency_part is None:
            self._agency_part = agency_snapshot(self.agency, self.cfg)
            self._agency_containers = tuple(k for k, v in self._agency_part.items() if isinstance(v, list | dict))
        part = self._agency_part  # each notice gets containers of its own (one may change what it holds)
        return {**part, **{k: copy.deepcopy(part[k]) for k in self._agency_containers}}

    def extension_request(self) -> ApprovalRequest | None:
        """The extension request waiting for the office head, if any: read once per context, then kept by the
        handlers that make or decide one (a decided request is no longer pending)."""
        if not self._extension_read:
            self._extension, self._extension_read = pending_extension(self.session, self.case_id), True
        req = self._extension
        return req if req is not None and req.status == ApprovalStatus.PENDING else None

    def requested_extension(self, req: ApprovalRequest | None) -> None:
        """The extension request just made (None: the case has none, e.g. it was registered in this transaction)."""
        self._extension, self._extension_read = req, True

    def new_case(self) -> None:
        """The case was created in this transaction (an imported row): it has no extension request, consultation
        or file yet but those its steps make — what the reads below would find."""
        self._extension, self._extension_read = None, True
        self._consultations, self._reply_files = [], []

    def consultations(self) -> list[Consultation]:
        """The case's consultations in the order they were made: read once per context, then kept by the step that
        starts one (``consulted``)."""
        if self._consultations is None:
            self._consultations = list(self.session.exec(select(Consultation).where(
                Consultation.disclosure_id == self.case_id).order_by(col(Consultation.id))).all())
        return self._consultations

    def consulted(self, consultation: Consultation) -> None:
        """A consultation just started (added to the session by the caller)."""
        self.consultations().append(consultation)

    def reply_files(self) -> list[StoredFile]:
        """The files marked for the applicant (答复提供的政府信息), in upload order."""
        if self._reply_files is None:
            self._reply_files = list(self.session.exec(select(StoredFile).where(
                StoredFile.case_kind == KIND, StoredFile.case_id == self.case_id, StoredFile.category == "reply_info",
                col(StoredFile.for_applicant).is_(True)).order_by(col(StoredFile.id))).all())
        return self._reply_files

    def clocks(self) -> dict[str, Clock]:
        """The latest cycle of each clock kind."""
        out: dict[str, Clock] = {}
        for c in case_clocks(self.session, KIND, self.case_id):
            if c.kind not in out or c.cycle >= out[c.kind].cycle:
                out[c.kind] = c
        return out


def pending_extension(session: Session, case_id: int) -> ApprovalRequest | None:
    return session.exec(
        select(ApprovalRequest).where(ApprovalRequest.case_kind == KIND, ApprovalRequest.case_id == case_id,
                                      ApprovalRequest.kind == "extension", ApprovalRequest.status == ApprovalStatus.PENDING)
    ).first()


def build_facts(ctx: Ctx) -> dict[str, Any]:
    """What the guards in states.disclosure read."""
    clocks = ctx.clocks()

    def due(kind: str) -> date | None:
        c = clocks.get(kind)
        return c.due_date if c is not None and c.status in OPEN_CLOCK else None

    row = ctx.row
    correction, reasons = clocks.get("correction_period"), clocks.get("reasons_period")
    return {
        "today": ctx.today,
        "receipt_date": row.receipt_date,
        "correction_notice_due": due("correction_notice"),
        "correction_requested": row.correction_requested,
        "correction_due": due("correction_period"),
        # 条例第三十条: the correction notice (the applicant's period starts that day) and the corrected application
        # (the reply period restarts from it: base_date)
        **correction_dates(correction, row.base_date),
        # 条例第三十条: a correction the applicant sent through the portal within the period is supplied in time,
        # whenever a clerk records it (asked only once the period is over: before, nothing turns on it)
        "correction_sent_online": correction_sent_online(ctx) if _correction_overdue(row, due("correction_period"),
                                                                                     ctx.today) else None,
        "reply_due": due("reply"),
        "extended": row.extended,
        "extension_pending": ctx.extension_request() is not None,
        "consultation_due": due("consultation"),
        "fee_due": due("fee_payment"),
        "delayed": row.delayed,
        # 条例第三十五条: the latest 说明理由告知书 (its day and the last day of its period) and the reasons received
        "reasons_notice_date": reasons.start_date if reasons is not None else None,
        "reasons_due": reasons.due_date if reasons is not None else None,
        "reasons_received_date": row.reasons_received_date,
        "reasons_assessment": row.reasons_assessment,
    }


def _correction_overdue(row: Disclosure, correction_due: date | None, today: date) -> bool:
    return row.state == DState.AWAITING_CORRECTION and correction_due is not None and today > correction_due


def correction_sent_online(ctx: Ctx) -> date | None:
    """The day (agency time) the applicant first sent correction material through the portal after the latest
    correction notice, or None."""
    notice = ctx.clocks().get("correction_period")
    if notice is None or notice.start_date is None:
        return None
    for at, payload in ctx.session.exec(select(Event.created_at, Event.payload).where(
            Event.case_kind == KIND, Event.case_id == ctx.case_id, Event.action == "applicant_upload")
            .order_by(col(Event.id))).all():
        day = local_date(aware(at), ctx.tz)
        if (payload or {}).get("category") == "correction" and day >= notice.start_date:
            return day
    return None


def correction_dates(correction: Clock | None, base_date: date | None) -> dict[str, date | None]:
    """The day of the correction notice and the day the corrected application came (条例第三十条), from the
    applicant's correction clock: it starts on the notice and is met when the correction is received, and the reply
    period then runs from that day (``base_date``)."""
    received = correction is not None and correction.status == ClockStatus.MET
    return {"correction_notice_date": correction.start_date if correction is not None else None,
            "correction_received_date": base_date if received else None}


def objecting_third_parties(ctx: Ctx) -> list[Consultation]:
    """The third parties consulted who objected to disclosure (条例第三十二条)."""
    return [c for c in ctx.consultations() if c.consultee_kind == "third_party" and c.opinion == "object"]


def refresh_next_due(ctx: Ctx) -> None:
    """Denormalise the nearest binding deadline and the overdue level onto the row (for lists): the same whatever
    the time of the step (a back-filled one included) and however long the case then waits untouched."""
    def relevant(c: Clock) -> bool:
        kind = CLOCK_KINDS.get(c.kind)
        return kind is not None and kind.binds and c.status == ClockStatus.RUNNING and c.due_at is not None

    open_clocks = [c for c in ctx.clocks().values() if relevant(c)]
    ctx.row.next_due_at = min((c.due_at for c in open_clocks if c.due_at), default=None)
    ctx.row.overdue_level = max((c.overdue_level for c in open_clocks), default=0)


# ------------------------------------------------------------------ notices

UNSET = "（未设置，请管理员在机关设置中填写）"


def agency_snapshot(agency: Agency, cfg: AgencyConfig) -> dict[str, Any]:
    """The ``agency`` part of a notice context; the agency's config supplies defaults.

    A legal step never fails because the agency profile is incomplete: an empty required setting
    (workflow.agencies.completeness.REQUIRED) gets a visible "not set" marker, and ``missing`` names it so the
    document waits (``held``) instead of leaving the system. An optional one (the postal code, the e-mail) stays
    empty and the templates leave it out: a marker on a setting nobody is told is missing would go out with the
    document once the required ones are filled in.
    """
    ctx = agency_context(agency, cfg.model_dump())
    # Where the applicant looks the application up: the agency's own 查询网址, else its portal on this server.
    ctx["lookup_url"] = ctx["lookup_url"] or portal_lookup_url(agency.code)
    for key, _label in REQUIRED:
        if not ctx.get(key):
            ctx[key] = UNSET
    # What is still a placeholder: the outbox holds such a document until the settings are complete
    # (workflow.agencies.held releases it with the settings filled in).
    ctx["missing"] = [m.label for m in missing_notice_settings(agency.name, cfg)]
    return ctx


def case_snapshot(row: Any, tz: str = "Asia/Shanghai") -> dict[str, Any]:
    """The ``case`` part of a notice context (a Disclosure, or an object with its attributes)."""
    return disclosure_case_context(row, tz=tz)


def applicant_channel(row: Any) -> tuple[str, str]:
    """Applicant notices go by email when there is an address, otherwise they are printed and posted."""
    if row.email:
        return "email", row.email
    return "print", ""


def notify_applicant(ctx: Ctx, notice_type: str, notice: dict[str, Any], *, doc_no: str | None = None,
                     key_suffix: str = "") -> None:
    prepared = applicant_notice(agency=ctx.agency, cfg=ctx.cfg, row=ctx.row, notice_type=notice_type, notice=notice,
                                now=ctx.now, doc_no=doc_no, agency_part=ctx.agency_part())
    prepared.backfilled = ctx.hold_notices
    row = ctx.row
    ctx.enqueue_values(prepared.values(case_id=ctx.case_id, tracking_no=row.tracking_no,
                                       number=row.tracking_no or row.submission_no or "",
                                       action_key=ctx.action_key + key_suffix))


@dataclass
class PreparedNotice:
    """A notice built (and checked against the catalog) before the transaction that enqueues it."""

    agency_id: int
    notice_type: str
    channel: str
    recipient: str
    recipient_name: str
    context: dict[str, Any]
    now: datetime
    backfilled: bool = False  # a back-filled step's notice (notifications.outbox.outbox_values)

    def values(self, *, case_id: int, tracking_no: str | None, number: str, action_key: str) -> dict[str, Any]:
        """The outbox row's values for this notice on case ``case_id``."""
        case = self.context["case"]
        case["id"] = case_id
        case["tracking_no"] = tracking_no or ""  # an online submission has no tracking number yet
        case["number"] = number
        return outbox_values(agency_id=self.agency_id, case_kind=KIND, case_id=case_id, notice_type=self.notice_type,
                             channel=self.channel, recipient=self.recipient, recipient_name=self.recipient_name,
                             context=self.context, dedupe_key=f"{KIND}:{case_id}:{self.notice_type}:{action_key}",
                             now=self.now, backfilled=self.backfilled)

    def enqueue(self, session: Session | Connection, *, case_id: int, tracking_no: str | None, number: str,
                action_key: str) -> None:
        enqueue_many(session, [self.values(case_id=case_id, tracking_no=tracking_no, number=number,
                                           action_key=action_key)], validate=False)  # checked when prepared


def applicant_notice(*, agency: Agency, cfg: AgencyConfig, row: Any, notice_type: str, notice: dict[str, Any],
                     now: datetime, doc_no: str | None = None,
                     agency_part: dict[str, Any] | None = None) -> PreparedNotice:
    """Build a notice to the applicant; ``row`` is a Disclosure or any object with its attributes; ``agency_part``:
    ``agency_snapshot(agency, cfg)`` when the caller has it."""
    channel, recipient = applicant_channel(row)
    case = case_snapshot(row, cfg.timezone)
    context: dict[str, Any] = {
        "agency": agency_part if agency_part is not None else agency_snapshot(agency, cfg), "case": case,
        "notice": notice,
        "issued_date": local_date(now, cfg.timezone).isoformat(), "doc_no": doc_no or "",
    }
    check_context(notice_type, {**context, "case": {**case, "tracking_no": case["tracking_no"] or "（待编号）"}})
    return PreparedNotice(row.agency_id, notice_type, channel, recipient, row.applicant_name, context, now)


def oral_application_form(agency: Agency, cfg: AgencyConfig, values: dict[str, Any], actor: Principal,
                          now: datetime, reply_due: date, provisional: bool = False) -> PreparedNotice:
    """条例第二十九条: an oral application is written down by the office; the 登记表 is printed for the applicant
    to read and sign (it is filed with the case)."""
    row = SimpleNamespace(id=0, **values)
    context: dict[str, Any] = {
        "agency": agency_snapshot(agency, cfg), "case": case_snapshot(row, cfg.timezone),
        "notice": {"registered_date": local_date(now, cfg.timezone).isoformat(), "registered_by": actor.label,
                   "due_date": reply_due.isoformat(), "provisional": provisional, "note": "口头申请，工作人员代为填写"},
        "issued_date": local_date(now, cfg.timezone).isoformat(), "doc_no": "",
    }
    check_context("disclosure.registration_form",
                  {**context, "case": {**context["case"], "tracking_no": context["case"]["tracking_no"] or "（待编号）"}})
    return PreparedNotice(row.agency_id, "disclosure.registration_form", "print", "", row.applicant_name, context, now)


def enqueue_applicant_notice(session: Session, *, agency: Agency, cfg: AgencyConfig, row: Any, notice_type: str,
                             notice: dict[str, Any], now: datetime, action_key: str, doc_no: str | None = None) -> None:
    """A notice to the applicant outside a case action (an action's go through ``notify_applicant``), enqueued in the
    caller's transaction."""
    prepared = applicant_notice(agency=agency, cfg=cfg, row=row, notice_type=notice_type, notice=notice, now=now,
                                doc_no=doc_no)
    prepared.enqueue(session, case_id=row.id, tracking_no=row.tracking_no,
                     number=row.tracking_no or row.submission_no or "", action_key=action_key)


def notify_party(ctx: Ctx, notice_type: str, notice: dict[str, Any], *, name: str, contact: str,
                 doc_no: str | None = None, key_suffix: str = "") -> None:
    """A notice to a third party or another agency: emailed when the contact is an address, else printed."""
    channel, recipient = ("email", contact) if "@" in contact else ("print", "")
    context = {
        "agency": ctx.agency_part(), "case": case_snapshot(ctx.row, ctx.tz), "notice": notice,
        "issued_date": ctx.today.isoformat(), "doc_no": doc_no or "",
    }
    ctx.enqueue(case_kind=KIND, notice_type=notice_type,
                channel=channel, recipient=recipient, recipient_name=name, context=context,
                dedupe_key=f"{KIND}:{ctx.case_id}:{notice_type}:{ctx.action_key}{key_suffix}")


def decision_view(category: str | None, reason: str | None) -> dict[str, Any] | None:
    if not category or not reason:
        return None
    r = lookup(category, reason)
    if r is None:
        return None
    return {"category": category, "category_label": CATEGORY_LABELS[Category(category)], "reason": reason,
            "reason_label": r.label, "article": r.article, "row": r.row,
            "reconsideration_first": r.reconsideration_first}
