"""The reply (条例第三十六—三十九条) and what travels with it: the third party's objection (第三十二条), the
files provided (第四十条), the 送达回证 of a reply handed over or posted."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from states.decisions import Category, lookup
from states.disclosure import MACHINE, reply_refusal
from states.machine import Facts
from states.vocab import ClockStatus
from states.wording import DELIVERY_METHODS, OBTAIN_WAYS
from workflow.cases.clocks import stop_clock
from workflow.disclosure import payloads as P
from workflow.disclosure.context import (
    Ctx,
    applicant_channel,
    build_facts,
    decision_view,
    notify_applicant,
    notify_party,
    objecting_third_parties,
)
from workflow.disclosure.download_links import download_token, link_path
from workflow.disclosure.steps import conclude, iso, latest_clock, next_doc_no, stop_open
from workflow.errors import DomainValidation, InvalidTransition
from workflow.hotline.links import link_petition
from workflow.portal.urls import public_base


def h_reply(ctx: Ctx, p: P.ReplyIn) -> None:
    """条例第三十六—三十九条: the decision maps to exactly one row of table 三."""
    r = lookup(p.category, p.reason)
    if r is None or (p.category == Category.OTHER and p.reason in ("correction_lapsed", "fee_unpaid", "withdrawn")):
        raise DomainValidation.one("reason", "unknown_decision", "答复类型与理由不匹配或不可用于答复")
    facts = build_facts(ctx)
    refusal = reply_refusal(p.category, p.reason, facts)
    if refusal is not None:  # the reason rests on a step the case has not taken (条例第三十条、第三十五条)
        raise InvalidTransition(refusal, MACHINE.allowed(ctx.row.state, facts, ctx.actor.actor, ctx.is_assignee,
                                                         ctx.party), "guard_failed")
    missing = [k for k in r.required if not p.detail.get(k, "").strip()]
    if missing:
        raise DomainValidation([{"field": f"detail.{k}", "code": "required", "message": "此项为必填项"} for k in missing])
    detail = {**p.detail, **case_detail(ctx, f"{p.category}.{p.reason}", facts)}
    objections = objecting_third_parties(ctx)
    discloses = p.category in (Category.DISCLOSE, Category.PARTIAL)
    over_objection = _objection_outcome(p, bool(objections))
    reply = latest_clock(ctx, "reply")
    on_time = None
    if reply is not None:
        on_time = bool(reply.due_at and ctx.now <= reply.due_at)
        stop_clock(reply, status=ClockStatus.MET, now=ctx.now)
    stop_open(ctx)
    conclude(ctx, p.category, p.reason)
    ctx.row.decision_detail = {**detail, "text": p.text, "third_party_objection": p.third_party_objection,
                               "public_interest_reason": p.public_interest_reason}
    if p.category == Category.NOT_PROCESSED and p.reason == "petition" and p.detail.get("workorder_no", "").strip():
        # 信访举报投诉类 (条例第三十九条第一款): point to the 12345 order carrying the matter

        link_petition(ctx, p.detail["workorder_no"].strip())
    ctx.row.replied_at = ctx.now
    doc_no = next_doc_no(ctx, "reply")
    ctx.row.reply_doc_no = doc_no
    ctx.event.update({"doc_no": doc_no, "on_time": on_time})
    ctx.result["doc_no"] = doc_no
    notice: dict[str, Any] = {"decision": decision_view(p.category, p.reason), "detail": detail}
    if p.text:
        notice["text"] = p.text
    if objections and not over_objection:
        notice["objection_withheld"] = True  # the reply says the third party's objection was upheld
    if discloses and p.reason != "already_public":
        notice["provided"] = provided(ctx, p.documents)
    notify_applicant(ctx, "disclosure.reply", notice, doc_no=doc_no)
    _delivery_slip(ctx, doc_no)
    if over_objection:
        content = p.objected_content or "；".join(p.documents) or ctx.row.description[:200]
        for c in objections:  # 条例第三十二条: tell the third party what is disclosed over its objection, and why
            notify_party(ctx, "disclosure.disclose_despite_objection",
                         {"third_party": {"name": c.consultee_name}, "consultation_date": c.sent_date.isoformat(),
                          "objection_date": iso(c.received_date), "reasons": p.public_interest_reason,
                          "content": content, "disclose_date": ctx.today.isoformat()},
                         name=c.consultee_name, contact=c.consultee_contact, key_suffix=f":tp{c.id}")
    ctx.event["over_objection"] = over_objection


def case_detail(ctx: Ctx, decision: str, facts: Facts) -> dict[str, str | None]:
    """The reply's detail from the case for ``decision`` (``category.reason``): 条例第三十条 — the day of the correction
    notice and of the corrected application; 第三十五条 — the day of the 说明理由告知书 and the last day it gave, and,
    when the applicant stated reasons found unreasonable, the day they came and what they said (else the period
    passed without them). Keys the case has no value for are None (a typed value never stands in for the record)."""
    if decision == "unavailable.still_unclear":
        return {"correction_notice_date": iso(facts["correction_notice_date"]),
                "correction_received_date": iso(facts["correction_received_date"])}
    if decision == "not_processed.excessive":
        out: dict[str, str | None] = {"reasons_notice_date": iso(facts["reasons_notice_date"]),
                                      "reasons_last_date": iso(facts["reasons_due"]), "reasons_received_date": None}
        if facts["reasons_assessment"] == "unreasonable":
            out["reasons_received_date"] = iso(facts["reasons_received_date"])
            if ctx.row.reasons_text:
                out["reasons_summary"] = ctx.row.reasons_text
        return out
    return {}


def _delivery_slip(ctx: Ctx, doc_no: str) -> None:
    """A 送达回证 to go with a reply handed over or posted (the recipient signs it; the post's record is
    attached); an emailed reply has its sending record instead."""
    if applicant_channel(ctx.row)[0] == "email" and ctx.row.obtain_way not in ("collect", "post"):
        return
    method = "post" if ctx.row.obtain_way == "post" else "in_person"
    notify_party(ctx, "disclosure.delivery_record",
                 {"document_title": "政府信息公开申请答复书", "document_no": doc_no,
                  "method_label": DELIVERY_METHODS[method], "address": ctx.row.address},
                 name="（存档）", contact="", key_suffix=":slip")


ELECTRONIC_WAYS = ("email", "online")  # the information reaches the applicant as files: by e-mail, or from the look-up


def provided(ctx: Ctx, documents: list[str]) -> dict[str, Any]:
    """What the reply says of the information provided (条例第三十六条第（二）项: the information, or the way, channel
    and time of obtaining it): the documents, the way the applicant asked for, and the files travelling with an
    e-mailed reply — or, to be collected, where and when. A reply saying the information comes by e-mail or for
    download must carry it: refused without a file marked 答复提供的政府信息, unless the step is history (补录, the
    go-live import: it went out on the day, outside the system)."""
    way = ctx.row.obtain_way
    files = provided_files(ctx)
    out: dict[str, Any] = {"method_label": OBTAIN_WAYS.get(way, way), "way": way,
                           "documents": documents or [ctx.row.description[:200]], **files}
    if way in ELECTRONIC_WAYS and not ctx.reply_files() and not (ctx.hold_notices or ctx.history):
        raise DomainValidation.one(
            "", "no_files_provided",
            f"申请人要求通过{OBTAIN_WAYS[way]}获取政府信息，答复书写明由此提供：请先上传“答复提供的政府信息”文件，再作出答复")
    if way == "collect":  # the place and telephone are the agency part's (the office, its address)
        out["collect"] = {"hours": ctx.cfg.office_hours or "工作日办公时间"}
    return out


def provided_files(ctx: Ctx) -> dict[str, Any]:
    """The files marked for the applicant (答复提供的政府信息) and how they travel with an emailed reply:
    attached up to the agency's size limit, else a download link valid for a stated period."""
    files = ctx.reply_files()
    if not files or applicant_channel(ctx.row)[0] != "email":
        return {}
    listed = [{"id": f.id, "filename": f.filename, "sha256": f.sha256, "size": f.size,
               "content_type": f.content_type} for f in files]
    total = sum(f.size for f in files)
    if total <= ctx.cfg.mail_files_limit_mb * 1024 * 1024:
        return {"files": listed}
    until = ctx.cal.add_calendar_period(ctx.today, days=ctx.cfg.download_link_days).due
    # the link is served by this server (web.pages.portal): its public address; else the host of the agency's
    # look-up address (a portal proxied under the agency's site)
    parts = urlsplit(ctx.cfg.lookup_url)
    base = public_base() or (f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "")
    url = base + link_path(ctx.agency.code, ctx.case_id, until, download_token(ctx.case_id, until))
    return {"link": {"files": [f["filename"] for f in listed], "size_mb": round(total / 1024 / 1024, 1),
                     "until": until.isoformat(), "url": url, "limit_mb": ctx.cfg.mail_files_limit_mb}}


def _objection_outcome(p: P.ReplyIn, objected: bool) -> bool:
    """条例第三十二条: True when information a third party objected to is disclosed over the objection.

    Withheld because of the objection → no reason and no notice to the third party; disclosed over it
    (only for 予以公开 / 部分公开) → the public-interest reason is required and the third party is told.
    """
    outcome, reason = p.third_party_objection, p.public_interest_reason
    discloses = p.category in (Category.DISCLOSE, Category.PARTIAL)
    if not objected:
        if outcome or reason:
            raise DomainValidation.one("third_party_objection" if outcome else "public_interest_reason",
                                       "no_objection", "本申请没有第三方提出不同意公开的意见，此项无需填写")
        return False
    if not discloses:
        if outcome == "disclosed" or reason:
            raise DomainValidation.one("public_interest_reason" if reason else "third_party_objection",
                                       "nothing_disclosed", "本答复不公开任何信息，无需填写决定公开的理由")
        return False
    if p.category == Category.DISCLOSE:
        if outcome == "withheld":
            raise DomainValidation.one("third_party_objection", "contradiction",
                                       "第三方不同意公开的信息不予公开的，答复类型应为“部分公开”")
        outcome = "disclosed"  # 全部公开 includes what the third party objected to
    if not outcome:
        raise DomainValidation.one("third_party_objection", "required",
                                   "第三方不同意公开：请选择该部分信息不予公开，或者决定予以公开（条例第三十二条）")
    if outcome == "withheld":
        if reason:
            raise DomainValidation.one("public_interest_reason", "not_disclosed",
                                       "第三方不同意公开的信息不予公开的，无需填写决定公开的理由")
        return False
    if not reason:
        raise DomainValidation.one("public_interest_reason", "required",
                                   "第三方不同意公开而决定公开的，须说明不公开可能对公共利益造成重大影响的理由（条例第三十二条）")
    return True
