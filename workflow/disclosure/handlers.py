"""What each disclosure action does beyond the state change: fields, clocks, ledger, notices.

Handlers run inside the action's transaction (workflow.cases.engine.fire) and never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import func, select

from db.loaded import new_row
from db.models import ApprovalRequest, Clock, Consultation, Disclosure, RemedyCase, User
from notifications.context import case_ref
from states.decisions import Category
from states.fees import quote_items, quote_pages
from states.formats import cn_month_day
from states.vocab import OPEN_CLOCK, ApprovalStatus, ClockStatus
from states.wording import DELIVERY_METHODS
from workflow.cases.assignment import validate_assignee
from workflow.cases.clocks import add_adjustment, pause_clock, resume_clock, start_clock, stop_clock
from workflow.cases.pressing import press
from workflow.cases.unwritten import SEES_UNWRITTEN, unwritten
from workflow.disclosure import payloads as P
from workflow.disclosure.context import (
    KIND,
    Ctx,
    applicant_channel,
    correction_sent_online,
    notify_applicant,
    notify_party,
)
from workflow.disclosure.receipt import rest_day_rule
from workflow.disclosure.reply import h_reply
from workflow.disclosure.steps import (
    conclude,
    iso,
    latest_clock,
    next_doc_no,
    not_before,
    not_future,
    record_move,
    stop_open,
)
from workflow.errors import DomainValidation
from workflow.portal.handlers import h_confirm_submission, h_discard_submission, h_request_completion

Handler = Callable[[Ctx, Any], None]


# ------------------------------------------------------------------ handlers


def h_assign(ctx: Ctx, p: P.AssignIn) -> None:

    user = validate_assignee(ctx.session, ctx.row.agency_id, p.assignee_id)
    _set_assignee(ctx, user)


def _set_assignee(ctx: Ctx, user: User) -> None:
    old = ctx.row.assignee_id
    ctx.row.assignee_id = user.id
    ctx.row.unit_id = user.unit_id
    for c in ctx.clocks().values():
        c.assignee_id = user.id
    ctx.event.update({"assignee": user.display_name, "previous_assignee_id": old})
    reply = latest_clock(ctx, "reply")
    ctx.notify_user(user, case_kind=KIND, notice_type="internal.assigned",
                    agency=ctx.agency_part(),
                    case=case_ref(KIND, ctx.row.tracking_no or "", ctx.row.description[:60]),
                    notice={"assigned_by": ctx.actor.label, "clock_label": "答复期限",
                            "due_date": iso(reply.due_date if reply else None) or "",
                            "provisional": bool(reply and reply.provisional)},
                    dedupe_key=f"{KIND}:{ctx.case_id}:assigned:{ctx.action_key}")


def h_reassign(ctx: Ctx, p: P.ReassignIn) -> None:

    user = validate_assignee(ctx.session, ctx.row.agency_id, p.assignee_id)
    _set_assignee(ctx, user)


def h_request_correction(ctx: Ctx, p: P.CorrectionIn) -> None:
    """条例第三十条: one notice listing everything; the reply clock waits for the corrected application."""
    period = p.period_days or ctx.cfg.correction_period_wd
    ctx.row.correction_requested = True
    notice_clock = latest_clock(ctx, "correction_notice")
    if notice_clock is not None:
        stop_clock(notice_clock, status=ClockStatus.MET, now=ctx.now)
    corr = start_clock(ctx.session, agency_id=ctx.row.agency_id, case_kind=KIND, case_id=ctx.case_id,
                       kind="correction_period", base=ctx.today, amount=period, cal=ctx.cal, now=ctx.now, tz=ctx.tz,
                       assignee_id=ctx.row.assignee_id, base_reason="发出补正告知之日")
    reply = latest_clock(ctx, "reply")
    if reply is not None:
        reply.status = ClockStatus.PAUSED  # restarted from the corrected application (not a pause in the ledger)
    doc_no = next_doc_no(ctx, "notice")
    ctx.event.update({"correction_due": iso(corr.due_date), "doc_no": doc_no})
    notify_applicant(ctx, "disclosure.correction_notice",
                     {"corrections": p.items, "period_days": period, "last_date": iso(corr.due_date),
                      "guidance": p.guidance, "provisional": corr.provisional}, doc_no=doc_no)


def h_receive_correction(ctx: Ctx, p: P.ReceiveCorrectionIn) -> None:
    received = not_future(ctx, p.received_date, "received_date")
    corr = latest_clock(ctx, "correction_period")
    not_before(received, corr.start_date if corr else None, "received_date", "补正告知日")
    late_reason = p.late_reason.strip()
    if corr is not None and corr.due_date is not None and received > corr.due_date:
        online = correction_sent_online(ctx)
        if online is not None and online <= corr.due_date:  # sent through the portal in time, recorded later
            ctx.event["sent_online"] = online.isoformat()
        elif not late_reason:  # 条例第三十条: 无正当理由逾期不补正的，视为放弃申请
            raise DomainValidation.one(
                "late_reason", "late_correction",
                f"补正期限已于{cn_month_day(corr.due_date)}届满：逾期收到的补正，须写明申请人逾期的正当理由"
                "（条例第三十条）；没有正当理由的，视为放弃申请，不再处理")
        else:
            ctx.event["late_reason"] = late_reason
    if corr is not None:
        stop_clock(corr, status=ClockStatus.MET, now=ctx.now)
    reply = latest_clock(ctx, "reply")
    assert reply is not None
    reply.status = ClockStatus.RUNNING
    # A corrected application received on a rest day counts from the next working day, as the application itself
    # does (rules.md §1.2 practice note; the agency's setting).
    start, rolled_from = rest_day_rule(ctx.cfg, ctx.cal, received)
    why = f"收到补正申请之日（{received.isoformat()}" + ("为休息日，顺延至下一工作日" if rolled_from else "") + "）"
    old, new = add_adjustment(ctx.session, reply, kind="restart", start=start, cal=ctx.cal, now=ctx.now,
                              tz=ctx.tz, reason=why, actor_id=ctx.actor.id)
    ctx.row.base_date = start
    record_move(ctx, "reply", old, new)
    ctx.event["received_date"] = received.isoformat()


def _close_lapsed(ctx: Ctx, clock_kind: str, reason: str,
                  notice: Callable[[Clock | None], dict[str, Any]]) -> None:
    """The applicant let the period ``clock_kind`` run out: its clock lapses, every other stops, the case is
    concluded as 其他处理 for ``reason`` and the closure notice (with ``notice(clock)``) goes to the applicant."""
    clock = latest_clock(ctx, clock_kind)
    if clock is not None:
        stop_clock(clock, status=ClockStatus.LAPSED, now=ctx.now)
    stop_open(ctx)
    conclude(ctx, Category.OTHER, reason)
    notify_applicant(ctx, "disclosure.closure_notice", {"reason": reason, **notice(clock)},
                     doc_no=next_doc_no(ctx, "notice"))


def h_lapse_correction(ctx: Ctx, p: P.Empty) -> None:
    """条例第三十条: no correction in time → deemed abandoned (table 三（六）1)."""
    _close_lapsed(ctx, "correction_period", "correction_lapsed", lambda corr: {
        "correction_last_date": iso(corr.due_date if corr else None),
        "correction_notice_date": iso(corr.start_date if corr else None)})


def h_start_consultation(ctx: Ctx, p: P.ConsultationIn) -> None:
    """条例第三十二条、第三十四条: 15 working days; the time is not counted (第三十三条第三款)."""
    sent = not_future(ctx, p.sent_date, "sent_date")
    got = p.consultee_received_date or sent
    not_before(got, sent, "consultee_received_date", "发出日期")
    n = len(ctx.consultations()) + 1
    clock = start_clock(ctx.session, agency_id=ctx.row.agency_id, case_kind=KIND, case_id=ctx.case_id,
                        kind="consultation", base=got, amount=ctx.cfg.consultation_wd, cal=ctx.cal, now=ctx.now,
                        tz=ctx.tz, assignee_id=ctx.row.assignee_id, cycle=n, base_reason="被征求意见方收到征求意见书之日")
    consultation = new_row(Consultation, disclosure_id=ctx.case_id, consultee_kind=p.consultee_kind,
                           consultee_name=p.consultee_name, consultee_contact=p.consultee_contact,
                           sent_date=sent, due_date=clock.due_date)
    ctx.session.add(consultation)
    ctx.consulted(consultation)
    reply = latest_clock(ctx, "reply")
    assert reply is not None
    pause_start = sent if ctx.cfg.consultation_pause_starts == "dispatch" else got
    label = "征求第三方意见" if p.consultee_kind == "third_party" else "征求其他机关意见"
    old = reply.due_date
    # 第三十三条第三款 leaves the consultation's time out of the reply period; a consultation begun after that period
    # ran out (the application already overdue) does not revive it — consulted all the same (第三十二条), not paused.
    paused = old is None or pause_start <= old
    if paused:
        pause_clock(ctx.session, reply, start=pause_start, expected_end=clock.due_date, reason=label,
                    actor_id=ctx.actor.id, cal=ctx.cal, now=ctx.now, tz=ctx.tz)
        record_move(ctx, "reply", old, reply.due_date)
    else:
        ctx.event["reply_not_paused"] = f"答复期限已于{iso(old)}届满，征求意见的时间不再从中扣除"
    doc_no = next_doc_no(ctx, "notice")
    ctx.event.update({"consultation_due": iso(clock.due_date), "doc_no": doc_no})
    letter = "disclosure.consultation_third_party" if p.consultee_kind == "third_party" else "disclosure.consultation_agency"
    info = p.info_description or ctx.row.description
    # The period runs from the consultee's receipt (条例第三十二条、第三十四条); when that day is not known yet the
    # date is counted from dispatch, and the letter says so.
    received = {"received_date": got.isoformat()} if p.consultee_received_date else {}
    if p.consultee_kind == "third_party":
        letter_ctx: dict[str, Any] = {"third_party": {"name": p.consultee_name}, "info_description": info,
                                      "interest": p.interest, "last_date": iso(clock.due_date),
                                      "provisional": clock.provisional, "sent_date": sent.isoformat(), **received}
    else:
        letter_ctx = {"consulted_agency": p.consultee_name, "info_description": info,
                      "last_date": iso(clock.due_date), "provisional": clock.provisional,
                      "sent_date": sent.isoformat(), **received}
    notify_party(ctx, letter, letter_ctx, name=p.consultee_name, contact=p.consultee_contact, doc_no=doc_no)
    notify_applicant(ctx, "disclosure.consultation_applicant_notice",
                     {"sent_date": sent.isoformat(), "consultee_kind": p.consultee_kind,
                      "consultee_label": "第三方" if p.consultee_kind == "third_party" else "有关行政机关",
                      "expected_date": iso(reply.due_date) if paused else None, "provisional": reply.provisional,
                      "reply_paused": paused},
                     key_suffix=":applicant")  # the reply clock, paused (unless it had run out)


def _current_consultation(ctx: Ctx) -> Consultation | None:
    """The latest consultation still waiting for its opinion."""
    return next((c for c in reversed(ctx.consultations()) if c.received_date is None), None)


def _end_consultation(ctx: Ctx, end: date, opinion: str, text: str, deemed: bool) -> None:
    cons = _current_consultation(ctx)
    if cons is not None:
        cons.received_date, cons.opinion, cons.opinion_text, cons.deemed = end, opinion, text, deemed
        ctx.session.add(cons)
    clock = latest_clock(ctx, "consultation")
    if clock is not None:
        stop_clock(clock, status=ClockStatus.LAPSED if deemed else ClockStatus.MET, now=ctx.now)
    reply = latest_clock(ctx, "reply")
    assert reply is not None
    old = reply.due_date
    resume_clock(ctx.session, reply, end=end, cal=ctx.cal, now=ctx.now, tz=ctx.tz)
    record_move(ctx, "reply", old, reply.due_date)
    ctx.event.update({"opinion": opinion, "deemed": deemed, "resumed_on": end.isoformat()})


def h_record_opinion(ctx: Ctx, p: P.OpinionIn) -> None:
    received = not_future(ctx, p.received_date, "received_date")
    cons = _current_consultation(ctx)
    not_before(received, cons.sent_date if cons else None, "received_date", "征求意见书发出日期")
    _end_consultation(ctx, received, p.opinion, p.opinion_text, deemed=False)


def h_lapse_consultation(ctx: Ctx, p: P.Empty) -> None:
    """Silence after 15 working days: decide under the Regulation; an agency's silence is consent (第三十四条)."""
    clock = latest_clock(ctx, "consultation")
    assert clock is not None and clock.due_date is not None
    cons = _current_consultation(ctx)
    opinion = "agree" if cons is not None and cons.consultee_kind == "agency" else "none"
    # The pause ends when the consultation period ended, not when the sweep noticed it.
    _end_consultation(ctx, clock.due_date, opinion, "逾期未提出意见", deemed=True)


def h_request_extension(ctx: Ctx, p: P.ExtensionIn) -> None:
    if p.days > ctx.cfg.max_extension_wd:
        raise DomainValidation.one("days", "too_long", f"延长期限不得超过{ctx.cfg.max_extension_wd}个工作日")
    req = new_row(ApprovalRequest, agency_id=ctx.row.agency_id, case_kind=KIND, case_id=ctx.case_id,
                  kind="extension", payload={"days": p.days, "reason": p.reason}, requested_by=ctx.actor.id,
                  requested_at=ctx.now)
    ctx.session.add(req)
    ctx.requested_extension(req)


def h_approve_extension(ctx: Ctx, p: P.ApproveExtensionIn) -> None:
    """条例第三十三条第二款: approved by the head of the disclosure office; the applicant is told."""
    req = ctx.extension_request()
    assert req is not None
    requested = int(req.payload.get("days", 0))
    days = p.days or requested
    if days > requested or days > ctx.cfg.max_extension_wd:
        raise DomainValidation.one("days", "too_long", f"批准的延长期限不得超过申请的{requested}个工作日")
    req.status, req.decided_by, req.decided_at, req.decision_note = ApprovalStatus.APPROVED, ctx.actor.id, ctx.now, p.note
    reply = latest_clock(ctx, "reply")
    assert reply is not None
    was_provisional = reply.provisional
    old, new = add_adjustment(ctx.session, reply, kind="extension", workdays=days, cal=ctx.cal, now=ctx.now,
                              tz=ctx.tz, reason=str(req.payload.get("reason", "")), actor_id=req.requested_by,
                              approver_id=ctx.actor.id)
    ctx.row.extended, ctx.row.extension_days = True, days
    record_move(ctx, "reply", old, new)
    doc_no = next_doc_no(ctx, "notice")
    ctx.event.update({"days": days, "doc_no": doc_no})
    notify_applicant(ctx, "disclosure.extension_notice",
                     {"extension_days": days, "reason": req.payload.get("reason", ""), "original_due_date": iso(old),
                      "new_due_date": iso(new), "original_provisional": was_provisional,
                      "provisional": reply.provisional}, doc_no=doc_no)


def h_deny_extension(ctx: Ctx, p: P.NoteIn) -> None:
    req = ctx.extension_request()
    assert req is not None
    req.status, req.decided_by, req.decided_at, req.decision_note = ApprovalStatus.DENIED, ctx.actor.id, ctx.now, p.note


def h_request_reasons(ctx: Ctx, p: P.ReasonsIn) -> None:
    """条例第三十五条: the applicant is asked to state reasons within a period (the ``reasons_period`` clock, from the
    notice). A new request governs from then on: reasons recorded for an earlier one are set aside (its event keeps
    them)."""
    clock = start_clock(ctx.session, agency_id=ctx.row.agency_id, case_kind=KIND, case_id=ctx.case_id,
                        kind="reasons_period", base=ctx.today, amount=p.period_days, cal=ctx.cal, now=ctx.now,
                        tz=ctx.tz, assignee_id=ctx.row.assignee_id, base_reason="发出说明理由告知书之日")
    ctx.row.reasons_received_date, ctx.row.reasons_text, ctx.row.reasons_assessment = None, "", None
    doc_no = next_doc_no(ctx, "notice")
    ctx.event.update({"reasons_due": iso(clock.due_date), "doc_no": doc_no})
    notify_applicant(ctx, "disclosure.reasons_notice",
                     {"facts": p.facts, "period_days": p.period_days, "last_date": iso(clock.due_date),
                      "provisional": clock.provisional}, doc_no=doc_no)


def h_record_reasons(ctx: Ctx, p: P.RecordReasonsIn) -> None:
    """条例第三十五条: the reasons the applicant stated and what the agency finds of them — unreasonable: it tells the
    applicant it will not process the application (reply 不予处理, 无正当理由大量反复申请); reasonable: the application is
    handled, with a delayed reply period (``set_delay``) if it cannot be answered within 条例第三十三条's period."""
    received = not_future(ctx, p.received_date, "received_date")
    clock = latest_clock(ctx, "reasons_period")
    not_before(received, clock.start_date if clock else None, "received_date", "说明理由告知书发出之日")
    if clock is not None and clock.status in OPEN_CLOCK:
        stop_clock(clock, status=ClockStatus.MET, now=ctx.now)
    ctx.row.reasons_received_date, ctx.row.reasons_text, ctx.row.reasons_assessment = received, p.reasons, p.assessment
    ctx.event["received_date"] = received.isoformat()


def h_set_delay(ctx: Ctx, p: P.DelayIn) -> None:
    """条例第三十五条: a reasonable delayed reply period replaces the ordinary deadline."""
    if p.days > ctx.cfg.art35_max_delay_wd:
        raise DomainValidation.one("days", "too_long", f"延迟答复期限不得超过本机关设定的{ctx.cfg.art35_max_delay_wd}个工作日")
    reply = latest_clock(ctx, "reply")
    assert reply is not None
    old, new = add_adjustment(ctx.session, reply, kind="delay", start=ctx.today, workdays=p.days, cal=ctx.cal,
                              now=ctx.now, tz=ctx.tz, reason=p.reason, actor_id=ctx.actor.id)
    ctx.row.delayed = True
    record_move(ctx, "reply", old, new)
    reasons = latest_clock(ctx, "reasons_period")  # the guard (states.disclosure) saw reasons found reasonable
    notify_applicant(ctx, "disclosure.delay_notice",
                     {"days": p.days, "reason": p.reason, "new_due_date": iso(new), "provisional": reply.provisional,
                      "reasons_notice_date": iso(reasons.start_date if reasons else None),
                      "reasons_received_date": iso(ctx.row.reasons_received_date)},
                     doc_no=next_doc_no(ctx, "notice"))


# The applicant's applications received in a span of days before a given one (built once, bound per fee notice).
_PRIOR = select(func.count()).select_from(Disclosure).where(
    Disclosure.agency_id == bindparam("agency"), Disclosure.applicant_key == bindparam("key"),  # type: ignore[arg-type]
    Disclosure.receipt_date >= bindparam("first"), Disclosure.receipt_date <= bindparam("rd"),  # type: ignore[operator]
    Disclosure.id < bindparam("case_id"))  # type: ignore[operator]


def prior_items(ctx: Ctx) -> int:
    """Applications by the same applicant received earlier in the same calendar month (109号第四条)."""
    rd = ctx.row.receipt_date or ctx.today
    first = rd.replace(day=1)
    agency, key, case_id = ctx.row.agency_id, ctx.row.applicant_key, ctx.case_id
    stored = int(ctx.session.exec(_PRIOR.execution_options(**SEES_UNWRITTEN), params={
        "agency": agency, "key": key, "first": first, "rd": rd, "case_id": case_id}).one())
    return stored + sum(1 for v in unwritten(ctx.session, "disclosure")  # an import's applications not yet written
                        if v["agency_id"] == agency and v["applicant_key"] == key
                        and v["receipt_date"] is not None and first <= v["receipt_date"] <= rd and v["id"] < case_id)


def h_send_fee_notice(ctx: Ctx, p: P.FeeNoticeIn) -> None:
    """国办函〔2020〕109号: one method; the applicant pays within 20 working days from the day after."""
    notice_date = not_future(ctx, p.notice_date, "notice_date")
    quote = quote_items(prior_items(ctx), p.quantity) if p.method == "item" else quote_pages(p.quantity)
    if quote.amount <= 0:
        raise DomainValidation.one("quantity", "no_fee", "按该数量计算不应收费（未超过免费额度），无需发出收费通知")
    fee = start_clock(ctx.session, agency_id=ctx.row.agency_id, case_kind=KIND, case_id=ctx.case_id,
                      kind="fee_payment", base=notice_date, amount=ctx.cfg.fee_payment_wd, cal=ctx.cal, now=ctx.now,
                      tz=ctx.tz, assignee_id=ctx.row.assignee_id, base_reason="收费通知之日")
    ctx.row.fee_method, ctx.row.fee_amount = p.method, quote.amount
    ctx.row.fee_detail, ctx.row.fee_notice_date = quote.to_dict(), notice_date
    if ctx.cfg.fee_pauses_reply_clock:  # UNCONFIRMED (rules.md §2): configurable
        reply = latest_clock(ctx, "reply")
        assert reply is not None
        old = reply.due_date
        pause_clock(ctx.session, reply, start=notice_date, expected_end=fee.due_date, reason="缴纳信息处理费",
                    actor_id=ctx.actor.id, cal=ctx.cal, now=ctx.now, tz=ctx.tz)
        record_move(ctx, "reply", old, reply.due_date)
    doc_no = next_doc_no(ctx, "notice")
    ctx.event.update({"amount": quote.amount, "fee_due": iso(fee.due_date), "doc_no": doc_no})
    ctx.result["fee"] = quote.to_dict()
    basis = (f"您本自然月内累计申请第{quote.prior + 1}件起，本次按{quote.quantity}件计。"
             if p.method == "item" else f"本次申请提供的信息共{quote.quantity}页。")
    payment = {"how": ctx.cfg.fee_payment_how, "payee": ctx.cfg.fee_payee, "account": ctx.cfg.fee_account,
               "bank": ctx.cfg.fee_bank}
    notify_applicant(ctx, "disclosure.fee_notice",
                     {"method": p.method, "basis_fact": basis, "amount": quote.amount, "payment": payment,
                      "lines": [{"band": ln.band, "quantity": ln.quantity, "rate": ln.rate, "amount": ln.subtotal}
                                for ln in quote.lines],
                      "last_date": iso(fee.due_date), "provisional": fee.provisional, "days": ctx.cfg.fee_payment_wd,
                      "pauses_reply_clock": ctx.cfg.fee_pauses_reply_clock}, doc_no=doc_no)


def h_record_payment(ctx: Ctx, p: P.PaymentIn) -> None:
    paid = not_future(ctx, p.paid_date, "paid_date")
    not_before(paid, ctx.row.fee_notice_date, "paid_date", "收费通知日")
    fee = latest_clock(ctx, "fee_payment")
    if fee is not None:
        stop_clock(fee, status=ClockStatus.MET, now=ctx.now)
    ctx.row.fee_paid_date = paid
    reply = latest_clock(ctx, "reply")
    assert reply is not None
    if reply.status == ClockStatus.PAUSED:
        old = reply.due_date
        resume_clock(ctx.session, reply, end=paid, cal=ctx.cal, now=ctx.now, tz=ctx.tz)
        record_move(ctx, "reply", old, reply.due_date)
    ctx.event.update({"receipt_no": p.receipt_no, "paid_date": paid.isoformat()})


def h_lapse_fee(ctx: Ctx, p: P.Empty) -> None:
    _close_lapsed(ctx, "fee_payment", "fee_unpaid", lambda fee: {
        "fee_last_date": iso(fee.due_date if fee else None), "fee_notice_date": iso(ctx.row.fee_notice_date),
        "amount": ctx.row.fee_amount})


def h_deliver(ctx: Ctx, p: P.DeliverIn) -> None:
    delivered = not_future(ctx, p.delivered_date, "delivered_date")
    replied = ctx.row.replied_at.date() if ctx.row.replied_at else None
    not_before(delivered, replied and ctx.row.concluded_date, "delivered_date", "答复日期")
    # 行政复议法第二十条 (60 days), 行政诉讼法第四十六条 (6 months); last day rolls past rest days (民法典第二百零三条)
    recon = ctx.cal.add_calendar_period(delivered, days=60)
    litig = ctx.cal.add_calendar_period(delivered, months=6)
    ctx.row.delivered_date = delivered
    ctx.row.delivery = {"method": p.method, "date": delivered.isoformat(), "tracking_no": p.tracking_no,
                        "signer": p.signer, "reconsideration_until": iso(recon.due),
                        "litigation_until": iso(litig.due)}
    ctx.event.update(ctx.row.delivery)
    # 签收日期: a posted document is delivered on the day it is signed for (the slip's own note: 邮寄送达的…以签收
    # 日期为送达日期), and a recorded signer signed on the delivery day; otherwise the line stays for the pen.
    signed = delivered.isoformat() if p.method == "post" or p.signer else ""
    notify_party(ctx, "disclosure.delivery_record",
                 {"document_title": "政府信息公开申请答复书", "document_no": ctx.row.reply_doc_no or "",
                  "method_label": DELIVERY_METHODS[p.method], "address": ctx.row.address, "ems_no": p.tracking_no,
                  "delivered_date": delivered.isoformat(), "signer": p.signer, "signed_date": signed,
                  "deliverer": ctx.actor.label},
                 name="（存档）", contact="")


def _press(step: str) -> Handler:
    def handler(ctx: Ctx, p: P.NoteIn) -> None:
        """催办 / 督办 by the office head: recorded, and the officer (or the desk) told at once."""
        press(ctx, kind=KIND, step=step, note=p.note, number=ctx.row.tracking_no or "",
              summary=ctx.row.description[:60], clocks=list(ctx.clocks().values()),
              agency=ctx.agency_part())
    return handler


def h_archive(ctx: Ctx, p: P.Empty) -> None:
    ctx.event["archived_on"] = ctx.today.isoformat()


def h_withdraw(ctx: Ctx, p: P.WithdrawIn) -> None:
    """撤回申请 before the reply: closed, table 三（六）3 其他 (if the application had been registered)."""
    when = not_future(ctx, p.withdrawn_date, "withdrawn_date")
    stop_open(ctx)
    ctx.row.withdrawn_at = ctx.now
    conclude(ctx, Category.OTHER, "withdrawn")
    ctx.row.concluded_date = max(when, ctx.row.receipt_date or when)
    # numbered in the 告知书 series as the same letter is when a period lapsed (one letter, one way of filing it)
    notify_applicant(ctx, "disclosure.closure_notice", {"reason": "withdrawn", "withdrawal_date": when.isoformat(),
                                                        "note": p.reason}, doc_no=next_doc_no(ctx, "notice"))
    ctx.result["notice_channel"] = applicant_channel(ctx.row)[0]


def h_record_remedy(ctx: Ctx, p: P.RemedyIn) -> None:
    if p.decided_date and p.decided_date < p.filed_date:
        raise DomainValidation.one("decided_date", "too_early", "审结日期不能早于立案日期")
    if p.remedy_id is not None:
        rc = ctx.session.get(RemedyCase, p.remedy_id)
        if rc is None or rc.disclosure_id != ctx.case_id:
            raise DomainValidation.one("remedy_id", "not_found", "复议/诉讼记录不存在")
    else:
        rc = RemedyCase(agency_id=ctx.row.agency_id, disclosure_id=ctx.case_id, kind=p.kind, filed_date=p.filed_date,
                        created_at=ctx.now)
    rc.kind, rc.filed_date, rc.outcome, rc.decided_date, rc.note = p.kind, p.filed_date, p.outcome, p.decided_date, p.note
    ctx.session.add(rc)


HANDLERS: dict[str, Handler] = {
    "confirm_submission": h_confirm_submission,  # online submissions: workflow.portal.handlers
    "request_completion": h_request_completion,
    "discard_submission": h_discard_submission,
    "assign": h_assign,
    "reassign": h_reassign,
    "request_correction": h_request_correction,
    "receive_correction": h_receive_correction,
    "lapse_correction": h_lapse_correction,
    "start_consultation": h_start_consultation,
    "record_opinion": h_record_opinion,
    "lapse_consultation": h_lapse_consultation,
    "request_extension": h_request_extension,
    "approve_extension": h_approve_extension,
    "deny_extension": h_deny_extension,
    "request_reasons": h_request_reasons,
    "record_reasons": h_record_reasons,
    "set_delay": h_set_delay,
    "send_fee_notice": h_send_fee_notice,
    "record_payment": h_record_payment,
    "lapse_fee": h_lapse_fee,
    "reply": h_reply,
    "deliver": h_deliver,
    "archive": h_archive,
    "withdraw": h_withdraw,
    "record_remedy": h_record_remedy,
    "urge": _press("urge"),
    "supervise": _press("supervise"),
}
