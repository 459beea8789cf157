"""The applicant's look-up: tracking (or submission) number + query code → state, key dates, their documents.

A wrong number and a wrong code give the same answer (None); the code is compared in constant
time against its stored hash. Only documents addressed to the applicant are listed, with what the
agency asked of them (correction items, completion message) and what they sent through the portal.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from db.engine import read_session
from db.models import Agency, Clock, Disclosure, Event, StoredFile
from states.disclosure import OPEN_STATES, DState
from states.vocab import OPEN_CLOCK, ClockStatus
from workflow.agencies.config import agency_config
from workflow.cases.clocks import case_clocks
from workflow.cases.files import FileRef
from workflow.disclosure.context import KIND, decision_view
from workflow.disclosure.receipt import check_query_code, hash_query_code
from workflow.runtime import Engine
from workflow.timesource import local_date

# Plain-language states for applicants (not the internal labels).
PUBLIC_STATE_TEXT: dict[str, str] = {
    DState.SUBMITTED: "您的网上申请已提交，正在等待工作人员确认受理。确认之日为收到申请之日。",
    DState.REGISTERED: "您的申请已登记受理，正在分派承办人。",
    DState.HANDLING: "您的申请正在办理中。",
    DState.AWAITING_CORRECTION: "您的申请内容需要补正，请按补正告知书的要求在期限内补正。",
    DState.CONSULTING: "正在征求有关方面意见，征求意见所需时间不计入答复期限。",
    DState.AWAITING_FEE: "已向您发出信息处理费收费通知，请在期限内缴纳。",
    DState.REPLIED: "已作出答复，请查收答复书。",
    DState.DELIVERED: "答复书已送达。",
    DState.CLOSED: "本申请已终止办理。",
    DState.ARCHIVED: "本申请已办结归档。",
    DState.DISCARDED: "本网上申请未予受理。",
}

# The one answer to a wrong number, a wrong code and another agency's number (the pages and the API).
NOT_FOUND = "未找到该申请：请核对受理编号和查询码"

_DUMMY = hash_query_code("not-a-code", "0000000000000000")


def find_case(session: Session, number: str, query_code: str, agency_id: int | None = None, *,
              for_update: bool = False) -> Disclosure | None:
    """The application with this tracking or submission number whose query code matches, or None.

    Numbers are unique per agency only, so every candidate is checked (each against its own hash).
    """
    number = number.strip()
    q = select(Disclosure).where((col(Disclosure.tracking_no) == number) | (col(Disclosure.submission_no) == number))
    if agency_id is not None:
        q = q.where(Disclosure.agency_id == agency_id)
    if for_update:
        q = q.with_for_update()
    rows = session.exec(q.limit(20)).all()
    if not rows:
        check_query_code(_DUMMY, query_code)  # same work either way
    found = None
    for row in rows:
        if check_query_code(row.query_code_hash, query_code):
            found = row
    return found


def lookup(session: Session, tracking_no: str, query_code: str, agency_id: int | None = None) -> dict[str, Any] | None:
    """The public view of one application, or None (same answer for a wrong number or code)."""
    row = find_case(session, tracking_no, query_code, agency_id)
    return None if row is None else public_view(session, row)


def public_status(engine: Engine, tracking_no: str, query_code: str,
                  agency_id: int | None = None) -> dict[str, Any] | None:
    """``lookup`` in one read session (the look-up page and the public API)."""
    with read_session(engine) as s:
        return lookup(s, tracking_no, query_code, agency_id)


def public_view(session: Session, row: Disclosure) -> dict[str, Any]:
    agency = session.get(Agency, row.agency_id)
    tz = agency_config(agency).timezone if agency else "Asia/Shanghai"
    clocks = {c.kind: c for c in case_clocks(session, KIND, row.id or 0)}
    reply = clocks.get("reply")
    files = session.exec(select(StoredFile).where(StoredFile.case_kind == KIND, StoredFile.case_id == row.id,
                                                  col(StoredFile.for_applicant).is_(True))
                         .order_by(col(StoredFile.id))).all()
    category, _, reason = (row.decision or "").partition(".")
    decision = decision_view(category, reason)
    return {
        "agency": agency.name if agency else "", "agency_code": agency.code if agency else "",
        "tracking_no": row.tracking_no, "submission_no": row.submission_no, "state": row.state,
        "state_text": _state_text(row),
        "submitted_at": row.received_at_raw.isoformat() if row.channel == "internet" else None,
        "receipt_date": row.receipt_date.isoformat() if row.receipt_date else None,
        "reply_due": _reply_due(row, reply),
        "reply_due_provisional": bool(reply and reply.provisional),
        "reply_clock_paused": bool(reply and reply.status == ClockStatus.PAUSED),
        "reply_clock_note": _reply_clock_note(row, clocks),
        "extended": row.extended, "extension_days": row.extension_days,
        "correction_due": _due(clocks.get("correction_period")),
        "fee_due": _due(clocks.get("fee_payment")), "fee_amount": row.fee_amount,
        "replied_on": local_date(row.replied_at, tz).isoformat() if row.replied_at else None,
        "decision": decision["category_label"] if decision else None,
        "documents": [{"id": f.id, "filename": f.filename, "notice_type": f.notice_type, "size": f.size,
                       "created_at": f.created_at.isoformat()} for f in files],
        "can_withdraw": row.state == DState.SUBMITTED or row.state in OPEN_STATES,
        "upload": _UPLOADS.get(row.state),
        **_applicant_events(session, row),
    }


def _reply_due(row: Disclosure, reply: Clock | None) -> str | None:
    """The reply deadline shown to the applicant; none while a correction is awaited (条例第三十条: the
    period then runs afresh from the corrected application, so the old date means nothing)."""
    if reply is None or reply.due_date is None or reply.status == ClockStatus.CANCELLED:
        return None
    if row.state == DState.AWAITING_CORRECTION:
        return None
    return reply.due_date.isoformat()


def _reply_clock_note(row: Disclosure, clocks: dict[str, Clock]) -> str | None:
    """Why the reply deadline is not simply running, in the applicant's words (each from its own rule)."""
    reply = clocks.get("reply")
    if row.state == DState.AWAITING_CORRECTION:
        return "待您补正：答复期限自本机关收到补正后的申请之日起重新计算（条例第三十条）"
    if reply is None or reply.status != ClockStatus.PAUSED:
        return None
    if row.state == DState.CONSULTING:
        return "正在征求意见：征求第三方或者其他机关意见所需时间不计算在答复期限内（条例第三十三条第三款），上述日期为按征求意见期限届满计算的答复期限"
    if row.state == DState.AWAITING_FEE:
        return "等待缴纳信息处理费：缴费期间不计算在答复期限内，上述日期为按缴费期限届满计算的答复期限"
    return None


_UPLOADS: dict[str, str] = {DState.SUBMITTED: "supplement", DState.AWAITING_CORRECTION: "correction"}


def _state_text(row: Disclosure) -> str:
    if row.withdrawn_at is not None:
        return "您已撤回本申请，本机关不再办理。"
    return PUBLIC_STATE_TEXT.get(row.state, row.state)


def _applicant_events(session: Session, row: Disclosure) -> dict[str, Any]:
    """What the agency asked the applicant (correction items, completion message) and what they sent."""
    events = session.exec(select(Event).where(
        Event.case_kind == KIND, Event.case_id == row.id,
        col(Event.action).in_(("request_correction", "request_completion", "applicant_upload")))
        .order_by(col(Event.id))).all()
    out: dict[str, Any] = {"correction_items": [], "correction_guidance": "", "completion_message": "",
                           "uploads": []}
    for e in events:
        if e.action == "request_correction":
            out["correction_items"] = list(e.payload.get("items") or [])
            out["correction_guidance"] = str(e.payload.get("guidance") or "")
        elif e.action == "request_completion" and row.state == DState.SUBMITTED:
            out["completion_message"] = str(e.payload.get("message") or "")
        elif e.action == "applicant_upload":
            out["uploads"].append({"at": e.created_at.isoformat(), "note": str(e.payload.get("note") or ""),
                                   "files": [str(f.get("filename", "")) for f in e.payload.get("files", [])]})
    return out


def _due(c: Any) -> str | None:
    return c.due_date.isoformat() if c is not None and c.due_date and c.status in OPEN_CLOCK else None


def can_download(session: Session, tracking_no: str, query_code: str, file_id: int,
                 agency_id: int | None = None) -> StoredFile | None:
    """The file if it belongs to this application and is addressed to the applicant."""
    row = find_case(session, tracking_no, query_code, agency_id)
    if row is None:
        return None
    f = session.get(StoredFile, file_id)
    if f is None or f.case_kind != KIND or f.case_id != row.id or not f.for_applicant:
        return None
    return f


def applicant_document(engine: Engine, tracking_no: str, query_code: str, file_id: int,
                       agency_id: int | None = None) -> FileRef | None:
    """``can_download`` in one read session: the file's name, type and content hash, or None (same answer for a
    wrong number, a wrong code and a file not addressed to the applicant)."""
    with read_session(engine) as s:
        f = can_download(s, tracking_no, query_code, file_id, agency_id)
        return None if f is None else FileRef.of(f)
