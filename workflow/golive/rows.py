"""One row of the go-live import made into what a clerk would have entered: the registration (RegisterIn) and the
steps of the procedure with their dates, each with the payload of its action — or the row's problems, each at
its column, in plain Chinese. No DB: the assignee and the agency's rules are checked when the row is written
(workflow.golive.apply), by the same engine that checks a clerk's entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl.utils.datetime import from_excel
from pydantic import BaseModel, ValidationError

from states.decisions import DETAIL_LABELS, lookup
from workflow.disclosure.payloads import MODEL_ERROR_FIELDS, NEEDS_CONFIRMATION, RegisterIn, parse_payload
from workflow.golive.columns import BY_KEY, DECISIONS, Column
from workflow.golive.source import Cells, blank
from workflow.hotline.mapping import DEFAULT_FORMATS
from workflow.hotline.records import RowError

# The order of steps taken on one day (dates decide first).
STEP_ORDER = ("assign", "request_correction", "receive_correction", "start_consultation", "record_opinion",
              "lapse_consultation", "request_extension", "approve_extension", "send_fee_notice", "record_payment",
              "request_reasons", "record_reasons", "reply", "withdraw", "lapse_correction", "lapse_fee", "deliver")
# What the file calls each state a case can be left in (the check after the steps).
STATE_OF_STATUS = {"registered": "registered", "handling": "handling", "awaiting_correction": "awaiting_correction",
                   "consulting": "consulting", "awaiting_fee": "awaiting_fee"}
# Model-level errors of the registration (no field in their location) → the column they concern: the field the
# API and the pages name, but the file has no "oral" column and calls the consultation's interest its reason.
MODEL_ERROR_COLUMNS = {**MODEL_ERROR_FIELDS, "oral_in_person": "channel", "interest_required": "consultation_reason"}
# Payload fields of the steps → the column they come from.
PAYLOAD_COLUMNS = {"items": "correction_items", "period_days": "correction_period", "received_date": None,
                   "consultee_kind": "consultee_kind", "consultee_name": "consultee_name", "interest":
                   "consultation_reason", "sent_date": "consultation_sent", "opinion": "opinion",
                   "days": "extension_days", "reason": "extension_reason", "method": None, "quantity": "fee_quantity",
                   "notice_date": "fee_notice_date", "paid_date": "fee_paid_date", "receipt_no": "fee_receipt_no",
                   "delivered_date": "delivered_date", "tracking_no": "tracking_no", "withdrawn_date": "concluded_date",
                   "third_party_objection": "objection_outcome", "public_interest_reason": "public_interest_reason",
                   "facts": "reasons_facts", "reasons": "reasons_text", "assessment": "reasons_assessment"}
# … where one action names a field as another does (the period of a 说明理由告知书 is not the correction period)
ACTION_PAYLOAD_COLUMNS = {"request_reasons": {"period_days": "reasons_period"}}


@dataclass(frozen=True)
class Step:
    """One action of the procedure as the clerk would have taken it, on its day."""

    action: str
    payload: dict[str, Any]
    day: date
    column: str  # the column key blamed when the engine refuses this step


@dataclass
class RowPlan:
    """A good row: the registration and its steps in the order they happened."""

    row: int
    source_no: str
    registration: RegisterIn
    steps: list[Step]
    status: str  # concluded | registered | handling | awaiting_correction | consulting | awaiting_fee
    assignee: str  # username or display name, resolved when written ("" when none is needed)
    received: datetime  # when the case came in (the first step may not be dated earlier)
    report_row: str = ""  # the table-三 row the file states, checked against the decision's row when written


@dataclass
class _Row:
    """The cells of one row being read, and the problems found so far."""

    number: int
    cells: Cells
    written: dict[str, str]
    tz: ZoneInfo
    today: date
    errors: list[RowError] = field(default_factory=list)

    def fail(self, key: str, problem: str, code: str = "invalid") -> None:
        self.errors.append(RowError(self.number, self.written.get(key, BY_KEY[key].header), problem, code))

    def raw(self, key: str) -> Any:
        return self.cells.get(key)

    def text(self, key: str) -> str:
        v = self.raw(key)
        if blank(v):
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)  # numbers typed into Excel (case numbers, phones) lose their ".0"
        s = str(v).strip()
        col = BY_KEY[key]
        if col.max_length and len(s) > col.max_length:
            self.fail(key, f"{col.header}过长（{len(s)}字，最多{col.max_length}字）", "too_long")
        return s

    def choice(self, key: str) -> str:
        s = self.text(key)
        if not s:
            return ""
        col = BY_KEY[key]
        code = col.choices.get(s) or col.choices.get("".join(s.split()))
        if code is None:
            shown = [w for w, c in col.choices.items() if not w.isascii()]
            hint = "见代码表" if len(shown) > 12 else "可填：" + "、".join(dict.fromkeys(shown))
            self.fail(key, f"无法识别的{col.header}“{s}”（{hint}）", "unknown_value")
            return ""
        return code

    def when(self, key: str) -> datetime | None:
        """A date or a date and time, in the agency's zone; a date alone is the start of that day."""
        v = self.raw(key)
        if blank(v):
            return None
        try:
            dt = _to_datetime(v, self.tz)
        except (ValueError, TypeError, OverflowError):
            self.fail(key, f"无法识别的日期“{self.text(key)}”（应如 2025-03-03 或 2025/3/3 9:30）", "invalid_date")
            return None
        if dt.astimezone(self.tz).date() > self.today:
            self.fail(key, f"{BY_KEY[key].header}不能晚于今天", "in_future")
            return None
        return dt

    def day(self, key: str) -> date | None:
        dt = self.when(key)
        return None if dt is None else dt.astimezone(self.tz).date()

    def number_(self, key: str) -> int | None:
        s = self.text(key)
        if not s:
            return None
        try:
            return int(float(s))
        except (ValueError, OverflowError):  # OverflowError: inf, 1e400
            self.fail(key, f"{BY_KEY[key].header}应为整数", "invalid_number")
            return None

    def need(self, key: str, why: str) -> None:
        """The cell must be filled in (a wrong value in it is reported by the reader of that cell)."""
        if blank(self.raw(key)):
            self.fail(key, f"{why}，须填写{BY_KEY[key].header}", "required")


def _to_datetime(v: Any, tz: ZoneInfo) -> datetime:
    if isinstance(v, int | float) and not isinstance(v, bool):
        v = from_excel(v)
    if isinstance(v, datetime):
        dt = v
    elif isinstance(v, date):
        dt = datetime.combine(v, time())
    else:
        text = str(v).strip()
        # ISO 8601 (2025-03-03, 2025-03-03 09:30) first: read as the formats below read it, without trying them in
        # turn (a date alone failed seven of them first: ~150 µs against ~0.1 µs).
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            for fmt in DEFAULT_FORMATS:
                try:
                    dt = datetime.strptime(text, fmt)  # noqa: DTZ007 (naive on purpose: the agency's zone is applied)
                    break
                except ValueError:
                    continue
            else:
                raise
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt


def parse_row(number: int, cells: Cells, written: dict[str, str], *, tz: str, now: datetime,
              source_no_seen: dict[str, int]) -> RowPlan | list[RowError]:
    """The row as a registration and its steps, or every problem found in it."""
    zone = ZoneInfo(tz)
    r = _Row(number, cells, written, zone, now.astimezone(zone).date())
    source_no = r.text("source_no")
    if not source_no:
        r.fail("source_no", "缺少原编号", "required")
    elif source_no in source_no_seen:
        r.fail("source_no", f"原编号与第{source_no_seen[source_no]}行重复", "duplicate")
    else:
        source_no_seen[source_no] = number
    registration = _registration(r, source_no)
    status = r.choice("status")
    if not status and not r.text("status"):
        r.fail("status", "缺少办理状态", "required")
    received = registration.confirmed_at or registration.received_at if registration is not None else None
    steps = _steps(r, status, received) if status and received is not None else []
    assignee = r.text("assignee")
    if any(s.action == "assign" for s in steps):
        r.need("assignee", "已分办的申请")
    if r.errors or registration is None or received is None:
        return r.errors
    return RowPlan(number, source_no, registration, steps, status, assignee, received,
                   r.text("report_row").removeprefix("表三").strip())


def _registration(r: _Row, source_no: str) -> RegisterIn | None:
    """RegisterIn from the row, its model errors put at their columns."""
    errors_before = len(r.errors)
    applicant_type = r.choice("applicant_type")
    if not r.text("applicant_type"):
        r.fail("applicant_type", "缺少申请人类型", "required")
    category = r.choice("applicant_category") or ("natural" if applicant_type == "natural" else "")
    id_type = r.choice("id_type") or {"natural": "resident_id", "organization": "uscc"}.get(applicant_type, "")
    received_at, confirmed_at = r.when("received_at"), r.when("confirmed_at")
    if received_at is None and not r.text("received_at"):
        r.fail("received_at", "缺少收到时间", "required")
    channel = r.choice("channel")
    if not r.text("channel"):
        r.fail("channel", "缺少提交方式", "required")
    if channel and channel not in NEEDS_CONFIRMATION:
        confirmed_at = None  # received in law on the day it came in (条例第三十一条第一项、第二项前段)
    data = {
        "applicant_type": applicant_type or None, "applicant_category": category or None,
        "applicant_name": r.text("applicant_name"), "id_type": id_type or None, "id_number": r.text("id_number"),
        "contact_person": r.text("contact_person"), "phone": r.text("phone"), "email": r.text("email"),
        "address": r.text("address"), "postal_code": r.text("postal_code"), "description": r.text("description"),
        "document_ref": r.text("document_ref"), "purpose": r.text("purpose"),
        "form_wanted": r.choice("form_wanted") or "paper", "obtain_way": r.choice("obtain_way") or "collect",
        "channel": channel or None, "received_at": received_at, "confirmed_at": confirmed_at,
        "note": f"上线导入：原编号 {source_no}" + (f"；{r.text('note')}" if r.text("note") else ""),
        "backfill_reason": f"上线导入：据本机关台账补录（原编号 {source_no}）",
    }
    if len(r.errors) > errors_before:  # the cells themselves are wrong: the model would only repeat it
        return None
    try:
        return RegisterIn.model_validate(data)
    except ValidationError as exc:
        _model_errors(r, exc, {"received_at": "received_at", "confirmed_at": "confirmed_at"})
        return None


def _model_errors(r: _Row, exc: ValidationError, fields: dict[str, str | None], default: str = "") -> None:
    for e in exc.errors():
        loc = str(e["loc"][0]) if e["loc"] else ""
        key = fields.get(loc, loc) if loc else MODEL_ERROR_COLUMNS.get(e["type"], default)
        if key not in BY_KEY:
            key = default or "description"
        message = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "missing":
            message = f"缺少{BY_KEY[key].header}"
        elif e["type"] in ("string_too_short",):
            message = f"{BY_KEY[key].header}不能为空"
        elif not any("\u4e00" <= ch <= "\u9fff" for ch in message):
            message = f"{BY_KEY[key].header}无效"
        r.fail(key, message, str(e["type"]))


def _payload(r: _Row, action: str, data: dict[str, Any], column: str) -> BaseModel | None:
    try:
        return parse_payload(action, data)
    except ValidationError as exc:
        fields = {**PAYLOAD_COLUMNS, **ACTION_PAYLOAD_COLUMNS.get(action, {})}
        _model_errors(r, exc, {k: v or column for k, v in fields.items()}, column)
        return None


def _step(r: _Row, steps: list[Step], action: str, data: dict[str, Any], day: date, column: str) -> None:
    if _payload(r, action, data, column) is not None:
        steps.append(Step(action, data, day, column))


def _steps(r: _Row, status: str, received: datetime) -> list[Step]:
    """The steps the row's dates describe, in the order they happened."""
    receipt = received.astimezone(r.tz).date()
    steps: list[Step] = []
    concluded = status == "concluded"
    decision = r.choice("decision")
    concluded_on = r.day("concluded_date")
    if concluded:
        r.need("concluded_date", "已办结的申请")
        r.need("decision", "已办结的申请")
    else:
        for key in ("concluded_date", "decision"):
            if r.text(key):
                r.fail(key, f"办理状态为“{r.text('status')}”的申请不应填写{BY_KEY[key].header}", "inconsistent")
    withdrawn_early = decision == "other.withdrawn" and not r.text("assignee") and not r.text("assigned_date")
    if status != "registered" and not withdrawn_early:
        assigned = r.day("assigned_date") or receipt
        steps.append(Step("assign", {"assignee_id": None}, assigned, "assigned_date"))
    elif r.text("assignee") and status == "registered":
        r.fail("assignee", "待分办的申请不应填写承办人", "inconsistent")
    _correction(r, steps, status, decision)
    _consultation(r, steps, status, concluded_on)
    _extension(r, steps)
    _fee(r, steps, status, decision)
    _reasons(r, steps, decision)
    if concluded and decision and concluded_on is not None:
        _conclusion(r, steps, decision, concluded_on)
    elif not concluded and r.text("delivered_date"):
        r.fail("delivered_date", "尚未办结的申请不应填写送达日期", "inconsistent")
    early = {s.column for s in steps if s.day < receipt}  # said plainly, before the engine finds the state wrong
    for column in sorted(early):
        r.fail(column, f"{BY_KEY[column].header}早于收到时间（{receipt.isoformat()}），请核对", "too_early")
    steps.sort(key=lambda s: (s.day, STEP_ORDER.index(s.action)))
    return steps


def _correction(r: _Row, steps: list[Step], status: str, decision: str) -> None:
    sent, got = r.day("correction_date"), r.day("correction_received")
    lapsed = decision == "other.correction_lapsed"
    if status == "awaiting_correction" or lapsed:
        r.need("correction_date", "待补正或逾期未补正的申请")
    if decision == "unavailable.still_unclear":  # 条例第三十条: only after a correction asked for and received
        r.need("correction_date", "处理结果为补正后申请内容仍不明确的（须先告知补正，条例第三十条）")
    if sent is None:
        if got is not None:
            r.fail("correction_received", "填写补正收到日期时，须填写补正告知日期", "inconsistent")
        return
    items = [i.strip() for i in r.text("correction_items").replace(";", "；").split("；") if i.strip()]
    period = r.number_("correction_period")
    _step(r, steps, "request_correction", {"items": items or ["请补正申请内容"], "period_days": period}, sent,
          "correction_date")
    if got is not None:
        if status == "awaiting_correction" or lapsed:
            r.fail("correction_received", "已收到补正的申请不是待补正或逾期未补正", "inconsistent")
        _step(r, steps, "receive_correction", {"received_date": got}, got, "correction_received")
    elif status not in ("awaiting_correction", "") and not lapsed:
        r.fail("correction_received", "发出补正告知后，须填写补正收到日期（未补正的，状态为待补正或处理结果为逾期未补正）",
               "required")


def _consultation(r: _Row, steps: list[Step], status: str, concluded_on: date | None) -> None:
    sent = r.day("consultation_sent")
    if status == "consulting":
        r.need("consultation_sent", "征求意见中的申请")
    if sent is None:
        return
    kind = r.choice("consultee_kind")
    r.need("consultee_kind", "征求过意见的申请")
    data = {"consultee_kind": kind or "third_party", "consultee_name": r.text("consultee_name"),
            "sent_date": sent, "interest": r.text("consultation_reason")}
    _step(r, steps, "start_consultation", data, sent, "consultation_sent")
    opinion, got = r.choice("opinion"), r.day("opinion_date")
    if status == "consulting":
        if opinion or got:
            r.fail("opinion", "征求意见中的申请不应填写意见或意见收到日期", "inconsistent")
        return
    if not opinion:
        r.need("opinion", "征求过意见且已不在征求意见中的申请")
        return
    if opinion == "lapsed":  # 条例第三十二条、第三十四条: the period ran out; recorded on the day it is decided
        if got is not None:
            r.fail("opinion_date", "期满未答复的不填写意见收到日期", "inconsistent")
        on = concluded_on or r.today
        steps.append(Step("lapse_consultation", {}, on, "opinion"))
        return
    r.need("opinion_date", "已收到意见的")
    if got is not None:
        _step(r, steps, "record_opinion", {"opinion": opinion, "received_date": got}, got, "opinion_date")


def _extension(r: _Row, steps: list[Step]) -> None:
    on = r.day("extension_date")
    if on is None:
        return
    days, reason = r.number_("extension_days"), r.text("extension_reason")
    r.need("extension_days", "延期答复的")
    r.need("extension_reason", "延期答复的")
    if days is None or not reason:
        return
    _step(r, steps, "request_extension", {"days": days, "reason": reason}, on, "extension_date")
    _step(r, steps, "approve_extension", {"days": days}, on, "extension_date")


def _fee(r: _Row, steps: list[Step], status: str, decision: str) -> None:
    sent, paid = r.day("fee_notice_date"), r.day("fee_paid_date")
    unpaid = decision == "other.fee_unpaid"
    if status == "awaiting_fee" or unpaid:
        r.need("fee_notice_date", "待缴费或逾期未缴费的申请")
    if sent is None:
        if paid is not None:
            r.fail("fee_paid_date", "填写缴费日期时，须填写收费通知日期", "inconsistent")
        return
    method, quantity = r.choice("fee_method"), r.number_("fee_quantity")
    r.need("fee_method", "发出过收费通知的")
    r.need("fee_quantity", "发出过收费通知的")
    if method and quantity is not None:
        _step(r, steps, "send_fee_notice", {"method": method, "quantity": quantity, "notice_date": sent}, sent,
              "fee_notice_date")
    if paid is not None:
        if status == "awaiting_fee" or unpaid:
            r.fail("fee_paid_date", "已缴费的申请不是待缴费或逾期未缴费", "inconsistent")
        _step(r, steps, "record_payment", {"paid_date": paid, "receipt_no": r.text("fee_receipt_no")}, paid,
              "fee_paid_date")
    elif status not in ("awaiting_fee", "") and not unpaid:
        r.fail("fee_paid_date", "发出收费通知后，须填写缴费日期（未缴费的，状态为待缴费或处理结果为逾期未缴费）", "required")


def _reasons(r: _Row, steps: list[Step], decision: str) -> None:
    """条例第三十五条: the reasons asked for (说明理由告知书) and, when the applicant stated them, the day they came and
    what the agency found of them. 无正当理由大量反复申请 rests on them: on reasons found unreasonable, or on a period
    that had passed without reasons when the reply was made (the engine checks the dates)."""
    sent, got = r.day("reasons_date"), r.day("reasons_received")
    if decision == "not_processed.excessive":
        r.need("reasons_date", "处理结果为无正当理由大量反复申请的（须先要求申请人说明理由，条例第三十五条）")
    if sent is None:
        for key in ("reasons_received", "reasons_assessment"):
            if r.text(key):
                r.fail(key, f"填写{BY_KEY[key].header}时，须填写说明理由告知日期", "inconsistent")
        return
    r.need("reasons_facts", "要求申请人说明理由的")
    period = r.number_("reasons_period")
    if r.text("reasons_facts"):
        data: dict[str, Any] = {"facts": r.text("reasons_facts")}
        if period is not None:
            data["period_days"] = period
        _step(r, steps, "request_reasons", data, sent, "reasons_date")
    assessment = r.choice("reasons_assessment")
    if got is None:
        if r.text("reasons_assessment"):
            r.fail("reasons_assessment", "申请人未说明理由（未填写理由收到日期）的，不应填写理由审查意见", "inconsistent")
        return
    r.need("reasons_assessment", "申请人说明了理由的")
    if assessment:
        _step(r, steps, "record_reasons", {"received_date": got, "reasons": r.text("reasons_text"),
                                           "assessment": assessment}, got, "reasons_received")


def _conclusion(r: _Row, steps: list[Step], decision: str, on: date) -> None:
    category, _, reason = decision.partition(".")
    found = lookup(category, reason)
    assert found is not None  # DECISIONS holds known codes only
    if decision == "other.withdrawn":
        _step(r, steps, "withdraw", {"withdrawn_date": on, "reason": "申请人撤回申请"}, on, "concluded_date")
        return
    if decision == "other.correction_lapsed":
        steps.append(Step("lapse_correction", {}, on, "concluded_date"))
        return
    if decision == "other.fee_unpaid":
        steps.append(Step("lapse_fee", {}, on, "concluded_date"))
        return
    text = r.text("decision_detail")
    if found.required and not text:
        wanted = "、".join(DETAIL_LABELS.get(k, k) for k in found.required)
        r.fail("decision_detail", f"处理结果“{found.label}”须填写答复说明（{wanted}）", "required")
        return
    detail = {k: text for k in found.required}
    reply: dict[str, Any] = {"category": category, "reason": reason, "detail": detail}
    if r.text("objection_outcome") or r.text("public_interest_reason"):  # 条例第三十二条
        reply.update(third_party_objection=r.choice("objection_outcome"),
                     public_interest_reason=r.text("public_interest_reason"))
    _step(r, steps, "reply", reply, on, "concluded_date")
    delivered = r.day("delivered_date")
    if delivered is not None and delivered < on:
        r.fail("delivered_date", "送达日期不能早于办结日期", "too_early")
    elif delivered is not None:
        method = r.choice("delivery_method")
        r.need("delivery_method", "填写了送达日期的")
        if method:
            _step(r, steps, "deliver", {"method": method, "delivered_date": delivered,
                                        "tracking_no": r.text("tracking_no")}, delivered, "delivered_date")


__all__ = ["DECISIONS", "STATE_OF_STATUS", "Column", "RowPlan", "Step", "parse_row"]
