"""Disclosure application (依申请公开) states and actions as data (rules.md §1.7, 条例第二十九—四十五条).

How an application ended (the decision and its table-三 row) is a resolution field on the row, not
more states. Guards read a Facts mapping the workflow builds from the row and its stored clocks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum

from states.formats import cn_month_day
from states.machine import SAME, Facts, GuardSpec, StateMachine, Transition
from states.roles import Role
from states.wording import EVENT_FIELDS as WORDING_EVENT_FIELDS
from states.wording import PRESS_STEPS


class DState(StrEnum):
    SUBMITTED = "submitted"  # 网上提交，待确认 (not yet received in law: 条例第三十一条第三项)
    REGISTERED = "registered"  # 已登记，待分办
    HANDLING = "handling"  # 办理中
    AWAITING_CORRECTION = "awaiting_correction"  # 待补正 (条例第三十条)
    CONSULTING = "consulting"  # 征求意见中 (条例第三十二条、第三十四条) — reply clock paused
    AWAITING_FEE = "awaiting_fee"  # 待缴费 (国办函〔2020〕109号) — reply clock paused (configurable)
    REPLIED = "replied"  # 已答复
    DELIVERED = "delivered"  # 已送达
    CLOSED = "closed"  # 已终止：视为放弃 / 逾期未缴费 / 撤回
    ARCHIVED = "archived"  # 已归档 (条例第四十五条)
    DISCARDED = "discarded"  # 网上提交未受理（撤回或作废）


STATE_LABELS: dict[str, str] = {
    DState.SUBMITTED: "网上提交待确认",
    DState.REGISTERED: "已登记待分办",
    DState.HANDLING: "办理中",
    DState.AWAITING_CORRECTION: "待申请人补正",
    DState.CONSULTING: "征求意见中",
    DState.AWAITING_FEE: "待缴纳信息处理费",
    DState.REPLIED: "已答复",
    DState.DELIVERED: "已送达",
    DState.CLOSED: "已终止",
    DState.ARCHIVED: "已归档",
    DState.DISCARDED: "未受理",
}

OPEN_STATES = frozenset({DState.REGISTERED, DState.HANDLING, DState.AWAITING_CORRECTION, DState.CONSULTING,
                         DState.AWAITING_FEE})
PRE_REPLY = tuple(sorted(OPEN_STATES))
POST_REPLY = (DState.REPLIED, DState.DELIVERED, DState.CLOSED, DState.ARCHIVED)

FD, OF, LD = Role.FRONT_DESK, Role.OFFICER, Role.LEADER


def _r(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


# ----------------------------------------------------------------- guards (pure predicates on facts)
# Facts keys (built by workflow.disclosure.context.build_facts): today, receipt_date, correction_notice_due,
# correction_requested, correction_due, correction_notice_date, correction_received_date, correction_sent_online
# (the day correction material first came through the portal, while the application awaits it), reply_due, extended,
# extension_pending, consultation_due, fee_due, delayed, reasons_notice_date, reasons_due, reasons_received_date,
# reasons_assessment ("reasonable" | "unreasonable": what the agency found of the reasons received).

def _le(a: object, b: object) -> bool:
    return a is not None and b is not None and a <= b  # type: ignore[operator]


def _md(d: object) -> str:
    """A date as a clerk reads it in a sentence: 11月11日."""
    return cn_month_day(d) if isinstance(d, date) else ""


def _ended(key: str, lead: str, what: str = "") -> Callable[[Facts], str | None]:
    """``lead``, and the day the period in ``key`` ended (when the facts know it)."""
    return lambda f: f"{lead}，{what}已于{_md(f[key])}届满" if isinstance(f.get(key), date) else None


def _until(key: str, lead: str) -> Callable[[Facts], str | None]:
    """``lead``, and the last day of the period in ``key`` (when the facts know it)."""
    return lambda f: f"{lead}（至{_md(f[key])}）" if isinstance(f.get(key), date) else None


def _lapsed(name: str, key: str, message: str, lead: str = "") -> GuardSpec:
    """A system step that may run only once the period whose last day is ``key`` is over (today is after it);
    until then ``message``, with the last day after ``lead`` (default: the message) when it is known."""
    return GuardSpec(name, lambda f: f.get(key) is not None and f["today"] > f[key], message,
                     _until(key, lead or message))


def _extension_reason(f: Facts) -> str:
    if f.get("extension_pending"):
        return "已申请延期答复，待负责人审批"
    return "已延期答复一次，延期只能一次（条例第三十三条第二款）"


G_CORRECTION_WINDOW = GuardSpec(
    "within_correction_window",
    lambda f: _le(f.get("today"), f.get("correction_notice_due")),
    "补正告知须在收到申请之日起7个工作日内作出（条例第三十条），已超过期限",
    _ended("correction_notice_due", "补正告知须在收到申请之日起7个工作日内发出（条例第三十条）"),
)
G_CORRECTION_ONCE = GuardSpec(
    "correction_not_yet_requested",
    lambda f: not f.get("correction_requested"),
    "补正告知应一次性作出（条例第三十条），本申请已发出过补正告知",
)
G_CORRECTION_LAPSED = _lapsed("correction_period_lapsed", "correction_due", "补正期限尚未届满",
                              "申请人的补正期限尚未届满")


def _sent_online_in_time(f: Facts) -> bool:
    return _le(f.get("correction_sent_online"), f.get("correction_due"))


# 条例第三十条: only an applicant who does not correct in time is deemed to abandon the application — material sent
# through the portal within the period is a correction in time, though a clerk has not recorded it yet.
G_NOT_SENT_ONLINE_IN_TIME = GuardSpec(
    "no_correction_sent_online_in_time",
    lambda f: not _sent_online_in_time(f),
    "申请人已在补正期限内通过网上提交补正材料，请登记收到补正，不能视为放弃申请",
    lambda f: (f"申请人已于{_md(f['correction_sent_online'])}（补正期限内）通过网上提交补正材料，请登记收到补正，"
               "不能视为放弃申请") if isinstance(f.get("correction_sent_online"), date) else None,
)
G_NOT_EXTENDED = GuardSpec(
    "not_extended",
    lambda f: not f.get("extended") and not f.get("extension_pending"),
    "延期答复只能申请一次（条例第三十三条第二款）",
    _extension_reason,
)
G_EXTENSION_PENDING = GuardSpec(
    "extension_pending", lambda f: bool(f.get("extension_pending")), "没有待审批的延期申请"
)
def _before_reply_due(name: str, lead: str) -> GuardSpec:
    """A step the law ties to the reply period: allowed up to its last day (today ≤ reply_due), then refused with
    ``lead`` and the day the period ended — whatever day the step is recorded (its effective day is ``today``)."""
    return GuardSpec(name, lambda f: _le(f.get("today"), f.get("reply_due")), f"{lead}，答复期限已过",
                     _ended("reply_due", lead, "答复期限"))


G_BEFORE_REPLY_DUE = _before_reply_due("before_reply_due", "延期须在答复期限届满前决定并告知申请人（条例第三十三条第二款）")
# 国办函〔2020〕109号 (rules.md §2): the fee notice is sent within the application-handling period — sent later it
# would pause (and push back) a reply period that had already run out.
G_FEE_BEFORE_REPLY_DUE = _before_reply_due("fee_before_reply_due", "收费通知应当在答复期限内发出（国办函〔2020〕109号）")
# 条例第三十五条: a delayed reply period is set because 第三十三条's period cannot be kept — before it has run out; set
# afterwards it would turn an overdue application back into a running one.
G_DELAY_BEFORE_REPLY_DUE = _before_reply_due("delay_before_reply_due",
                                             "延迟答复期限应当在答复期限届满前确定（条例第三十五条）")
G_CONSULTATION_LAPSED = _lapsed("consultation_period_lapsed", "consultation_due", "征求意见期限尚未届满")
G_FEE_LAPSED = _lapsed("fee_period_lapsed", "fee_due", "缴费期限尚未届满")
G_NOT_DELAYED = GuardSpec(
    "not_delayed", lambda f: not f.get("delayed"), "已确定过延迟答复期限（条例第三十五条）"
)


# 条例第三十五条: the agency may ask the applicant to state reasons; reasons it finds unreasonable → 不予处理, reasons it
# finds reasonable → it may set a delayed reply period. Both rest on reasons asked for, and received (or not received
# within the period the notice gave).
def _reasons_awaited(f: Facts) -> bool:
    return f.get("reasons_notice_date") is not None and f.get("reasons_received_date") is None


def _reasons_received_reason(f: Facts) -> str | None:
    if f.get("reasons_notice_date") is None:
        return "尚未要求申请人说明理由（条例第三十五条）"
    if f.get("reasons_received_date") is not None:
        return (f"已于{_md(f['reasons_received_date'])}记录申请人说明的理由；需要申请人重新说明的，"
                "请再次要求申请人说明理由")
    return None


def _reasons_lapsed(f: Facts) -> bool:
    """The period to state reasons is over (today is after its last day) and no reasons came."""
    return _reasons_awaited(f) and f.get("reasons_due") is not None and f["today"] > f["reasons_due"]


def _excessive_reason(f: Facts) -> str | None:
    what = "不能以“无正当理由大量反复申请”不予处理"
    if f.get("reasons_notice_date") is None:
        return f"本申请未要求申请人说明理由，{what}：应先要求申请人说明理由（条例第三十五条）"
    if f.get("reasons_assessment") == "reasonable":
        return f"申请人于{_md(f.get('reasons_received_date'))}说明的理由已认定为合理，{what}（条例第三十五条）"
    if isinstance(f.get("reasons_due"), date):
        return (f"申请人说明理由的期限尚未届满（至{_md(f['reasons_due'])}），{what}；期限届满未说明理由，"
                "或者说明的理由经审查不合理的，方可告知不予处理（条例第三十五条）")
    return None


def _delay_reason(f: Facts) -> str | None:
    if f.get("reasons_notice_date") is None:
        return "确定延迟答复期限须先要求申请人说明理由，并认为申请理由合理（条例第三十五条）"
    if f.get("reasons_received_date") is None:
        return (f"尚未收到申请人说明的理由（{_md(f['reasons_notice_date'])}要求说明），认为申请理由合理的，"
                "方可确定延迟答复期限（条例第三十五条）")
    if f.get("reasons_assessment") != "reasonable":
        return "申请人说明的理由已认定为不合理，应告知不予处理，不能确定延迟答复期限（条例第三十五条）"
    return None


G_REASONS_AWAITED = GuardSpec(
    "reasons_awaited", _reasons_awaited, "尚未要求申请人说明理由，或者已记录申请人说明的理由",
    _reasons_received_reason,
)
G_REASONS_REASONABLE = GuardSpec(
    "reasons_reasonable", lambda f: f.get("reasons_assessment") == "reasonable",
    "确定延迟答复期限须先收到申请人说明的理由，并认为申请理由合理（条例第三十五条）", _delay_reason,
)
# Replies whose reason rests on an earlier step of the case: the reply is refused with that reason unless the facts
# show the step (the guards of the ``reply`` row hold for every reason; these for one reason each).
G_CORRECTION_RECEIVED = GuardSpec(
    "correction_received", lambda f: f.get("correction_received_date") is not None,
    "“补正后申请内容仍不明确”须在告知申请人补正、收到补正后的申请之后答复（条例第三十条）",
    lambda f: ("本申请未告知申请人补正，不能以“补正后申请内容仍不明确”答复：申请内容不明确的，应先告知申请人作出补正"
               "（条例第三十条）") if f.get("correction_notice_date") is None else None,
)
G_REASONS_UNREASONABLE = GuardSpec(
    "reasons_unreasonable_or_lapsed",
    lambda f: f.get("reasons_assessment") == "unreasonable" or _reasons_lapsed(f),
    "“无正当理由大量反复申请”须在要求申请人说明理由后，申请人逾期未说明理由或者说明的理由不合理时作出（条例第三十五条）",
    _excessive_reason,
)
REPLY_GUARDS: dict[str, tuple[GuardSpec, ...]] = {
    "unavailable.still_unclear": (G_CORRECTION_RECEIVED,),
    "not_processed.excessive": (G_REASONS_UNREASONABLE,),
}


def reply_refusal(category: str, reason: str, facts: Facts) -> str | None:
    """Why a reply with this decision may not be given now (the reasons of its failing guards), or None."""
    failed = [g for g in REPLY_GUARDS.get(f"{category}.{reason}", ()) if not g.check(facts)]
    return "；".join(dict.fromkeys(g.reason(facts) for g in failed)) or None


def unavailable_replies(facts: Facts) -> dict[str, str]:
    """Decision (``category.reason``) → why a reply with it may not be given now: what the reply form says of them."""
    out: dict[str, str] = {}
    for decision in REPLY_GUARDS:
        category, reason = decision.split(".", 1)
        why = reply_refusal(category, reason, facts)
        if why is not None:
            out[decision] = why
    return out

# ----------------------------------------------------------------- the table

TRANSITIONS: tuple[Transition, ...] = (
    # Online submissions (条例第三十一条第三项: received on the date both sides confirm)
    Transition("confirm_submission", (DState.SUBMITTED,), DState.REGISTERED, _r(FD), "确认受理网上申请",
               payload=("note",)),
    Transition("request_completion", (DState.SUBMITTED,), SAME, _r(FD), "请申请人完善网上申请",
               payload=("message",)),
    Transition("discard_submission", (DState.SUBMITTED,), DState.DISCARDED, _r(FD, LD), "作废网上申请",
               system=True, payload=("reason",)),
    # Assignment
    Transition("assign", (DState.REGISTERED,), DState.HANDLING, _r(FD, LD), "分办", payload=("assignee_id",)),
    Transition("reassign", (DState.HANDLING, DState.AWAITING_CORRECTION, DState.CONSULTING, DState.AWAITING_FEE),
               SAME, _r(LD), "改派承办人", payload=("assignee_id", "reason")),
    # Correction (条例第三十条)
    Transition("request_correction", (DState.HANDLING,), DState.AWAITING_CORRECTION, _r(OF), "发出补正告知",
               guards=(G_CORRECTION_WINDOW, G_CORRECTION_ONCE), payload=("items", "period_days")),
    Transition("receive_correction", (DState.AWAITING_CORRECTION,), DState.HANDLING, _r(OF, FD), "收到补正材料",
               payload=("received_date", "note", "late_reason")),
    Transition("lapse_correction", (DState.AWAITING_CORRECTION,), DState.CLOSED, _r(OF, LD),
               "逾期未补正，视为放弃申请", guards=(G_CORRECTION_LAPSED, G_NOT_SENT_ONLINE_IN_TIME), system=True),
    # Consultation (条例第三十二条、第三十四条; 第三十三条第三款: not counted)
    Transition("start_consultation", (DState.HANDLING,), DState.CONSULTING, _r(OF), "征求第三方或其他机关意见",
               payload=("consultee_kind", "consultee_name", "consultee_contact", "sent_date", "consultee_received_date")),
    Transition("record_opinion", (DState.CONSULTING,), DState.HANDLING, _r(OF), "收到意见，恢复计时",
               payload=("opinion", "received_date", "opinion_text")),
    Transition("lapse_consultation", (DState.CONSULTING,), DState.HANDLING, _r(OF, LD),
               "征求意见期满未答复，恢复计时", guards=(G_CONSULTATION_LAPSED,), system=True),
    # Extension (条例第三十三条第二款): requested by the officer, approved by the office head
    Transition("request_extension", (DState.HANDLING, DState.CONSULTING, DState.AWAITING_FEE), SAME, _r(OF),
               "申请延期答复", guards=(G_NOT_EXTENDED, G_BEFORE_REPLY_DUE),
               payload=("days", "reason")),
    Transition("approve_extension", (DState.HANDLING, DState.CONSULTING, DState.AWAITING_FEE), SAME, _r(LD),
               "批准延期答复", guards=(G_EXTENSION_PENDING, G_BEFORE_REPLY_DUE), payload=("days", "note")),
    Transition("deny_extension", (DState.HANDLING, DState.CONSULTING, DState.AWAITING_FEE), SAME, _r(LD),
               "不批准延期", guards=(G_EXTENSION_PENDING,), payload=("note",)),
    # Art. 35
    Transition("request_reasons", (DState.HANDLING,), SAME, _r(OF), "要求申请人说明理由（条例第三十五条）",
               payload=("facts", "period_days")),
    Transition("record_reasons", (DState.HANDLING,), SAME, _r(OF), "收到申请人说明的理由（条例第三十五条）",
               guards=(G_REASONS_AWAITED,), payload=("received_date", "reasons", "assessment")),
    Transition("set_delay", (DState.HANDLING,), SAME, _r(OF, LD), "确定延迟答复期限（条例第三十五条）",
               guards=(G_NOT_DELAYED, G_REASONS_REASONABLE, G_DELAY_BEFORE_REPLY_DUE), payload=("days", "reason")),
    # Fees (国办函〔2020〕109号)
    Transition("send_fee_notice", (DState.HANDLING,), DState.AWAITING_FEE, _r(OF), "发出收费通知",
               guards=(G_FEE_BEFORE_REPLY_DUE,), payload=("method", "quantity", "notice_date")),
    Transition("record_payment", (DState.AWAITING_FEE,), DState.HANDLING, _r(OF, FD), "已缴费，恢复计时",
               payload=("paid_date", "receipt_no")),
    Transition("lapse_fee", (DState.AWAITING_FEE,), DState.CLOSED, _r(OF, LD), "逾期未缴费，不再处理",
               guards=(G_FEE_LAPSED,), system=True),
    # Reply (条例第三十六—三十九条) and delivery
    Transition("reply", (DState.HANDLING,), DState.REPLIED, _r(OF), "作出答复",
               payload=("category", "reason", "detail", "text", "third_party_objection", "public_interest_reason",
                        "objected_content")),
    Transition("deliver", (DState.REPLIED,), DState.DELIVERED, _r(OF, FD), "登记送达",
               payload=("method", "delivered_date", "tracking_no", "signer")),
    Transition("archive", (DState.DELIVERED, DState.CLOSED), DState.ARCHIVED, _r(OF, FD, LD), "归档"),
    # Withdrawal (撤回) until the reply; the applicant withdraws through the portal (system actor)
    Transition("withdraw", PRE_REPLY, DState.CLOSED, _r(FD, OF, LD), "申请人撤回申请", system=True,
               payload=("reason", "withdrawn_date")),
    # 催办 / 督办 by hand: the office head presses the officer (条例第三十三条: the reply is the agency's duty in time);
    # the automatic ladder is the scheduler's (workflow.sweeps.escalation) and writes its own events.
    Transition("urge", PRE_REPLY, SAME, _r(LD), PRESS_STEPS["urge"], payload=("note",)),
    Transition("supervise", PRE_REPLY, SAME, _r(LD), PRESS_STEPS["supervise"], payload=("note",)),
    # Remedies (for annual-report table 四)
    Transition("record_remedy", POST_REPLY, SAME, _r(OF, LD), "登记行政复议/诉讼情况",
               payload=("kind", "filed_date", "outcome", "decided_date", "note", "remedy_id")),
)

# What the applicant may do through the portal (withdraw before the reply; withdraw an unconfirmed online
# submission). The machine sees the applicant as the system actor, so these rows are marked ``system``;
# the workflow refuses every other action to an applicant principal.
APPLICANT_ACTIONS = frozenset({"withdraw", "discard_submission"})

MACHINE = StateMachine("disclosure", [s.value for s in DState], DState.REGISTERED, TRANSITIONS)

ACTION_LABELS: dict[str, str] = {t.trigger: t.label for t in TRANSITIONS}

# What an application's events record, as its timeline labels them (with the forms' field labels and the words both
# kinds share, states.wording.EVENT_FIELDS).
EVENT_FIELDS: dict[str, str] = {
    **WORDING_EVENT_FIELDS, "on_time": "按期", "report_row": "年度报告行", "correction_due": "申请人补正期限", "reply_due": "答复期限",
    "reconsideration_until": "复议期限至", "litigation_until": "诉讼期限至", "date": "日期", "submission_no": "提交编号",
    "ip": "提交时的网络地址", "duplicate_of": "疑似重复的申请（内部编号）", "confirmed_date": "确认日期",
    "by_applicant": "申请人自行撤回", "reasons_due": "申请人说明理由期限", "reasons": "申请人说明的理由",
    "sent_online": "申请人网上提交补正材料的日期", "late_reason": "逾期补正的正当理由", "reply_not_paused": "答复计时",
}
