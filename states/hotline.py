"""12345 work orders (12345政务服务便民热线工单): states, categories and the transition table (pure).

The model is the union in rules.md §5.3: the platform dispatches an order to the agency (received),
the agency signs for it, handles it, feeds the result back to the platform (replied), the platform's
callback is recorded, and the order is closed. Return (退单), extension (延期), termination (终止办理)
and re-handling (重办) are decisions of the hotline platform: staff *record* them (front desk or
leader), the agency only *requests* them. How an order ended is ``WorkOrderResolution``, not a state.

Guards read a ``WorkOrderFacts`` mapping the workflow builds from the row, its clocks and the time
limit profile (dates already computed; nothing here reads the clock).
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import TypedDict

from states.machine import SAME, Facts, GuardSpec, StateMachine, Transition
from states.roles import Role
from states.wording import EVENT_FIELDS as WORDING_EVENT_FIELDS
from states.wording import PRESS_STEPS


class WorkOrderState(StrEnum):
    RECEIVED = "received"  # 已接收，待签收 (dispatched to the agency by the platform)
    SIGNED_FOR = "signed_for"  # 已签收
    HANDLING = "handling"  # 办理中
    RETURN_REQUESTED = "return_requested"  # 已申请退回，待平台审核 (退单)
    TERMINATION_REQUESTED = "termination_requested"  # 已提请终止办理，待平台审核
    REPLIED = "replied"  # 已反馈办理结果，待回访
    CALLBACK_RECORDED = "callback_recorded"  # 已回访
    CLOSED = "closed"  # 已办结 / 已关闭 (see WorkOrderResolution)


class WorkOrderResolution(StrEnum):
    """How a closed order ended (kept apart from the state, STYLE.md §2)."""

    COMPLETED = "completed"  # 办结
    RETURNED = "returned"  # 退单获准，转出本单位
    TERMINATED = "terminated"  # 终止办理 (潍坊条例第二十一条)
    CONVERTED = "converted"  # 转依申请公开程序 (潍坊条例第十九条第一项)
    MERGED = "merged"  # 并单 (国办函〔2025〕66号 (五))


class Category(StrEnum):
    """Demand type (诉求类型); GB/T 39666-2020 codes are kept separately as ``category_code``."""

    CONSULT = "consult"
    HELP = "help"
    COMPLAINT = "complaint"
    REPORT = "report"
    SUGGESTION = "suggestion"


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class CallbackResult(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class TerminationGround(StrEnum):
    """Why the agency asks to stop handling (潍坊条例第二十一条, citing 第十九条第一款)."""

    OTHER_PROCEDURE = "other_procedure"  # 第十九条第一项：诉讼、仲裁、纪检监察、行政复议、政府信息公开等程序
    PETITION = "petition"  # 第二项：已经进入信访程序
    SECRET_OR_PRIVACY = "secret_or_privacy"  # 第三项：国家秘密、商业秘密、个人隐私、违反公序良俗
    ALREADY_HANDLED = "already_handled"  # 第四项：已依法作出处理，且有合法、合理结论
    OTHER = "other"  # 第五项：其他依法不予受理的情形
    UNCOOPERATIVE = "uncooperative"  # 第二十一条：服务对象拒不配合导致无法办理


S = WorkOrderState

STATE_LABELS: dict[str, str] = {
    S.RECEIVED: "待签收",
    S.SIGNED_FOR: "已签收",
    S.HANDLING: "办理中",
    S.RETURN_REQUESTED: "申请退回待审核",
    S.TERMINATION_REQUESTED: "提请终止待审核",
    S.REPLIED: "已反馈待回访",
    S.CALLBACK_RECORDED: "已回访",
    S.CLOSED: "已办结",
}

RESOLUTION_LABELS: dict[str, str] = {
    WorkOrderResolution.COMPLETED: "办结",
    WorkOrderResolution.RETURNED: "退单转出",
    WorkOrderResolution.TERMINATED: "终止办理",
    WorkOrderResolution.CONVERTED: "转依申请公开",
    WorkOrderResolution.MERGED: "并单",
}

CATEGORY_LABELS: dict[str, str] = {
    Category.CONSULT: "咨询",
    Category.HELP: "求助",
    Category.COMPLAINT: "投诉",
    Category.REPORT: "举报",
    Category.SUGGESTION: "意见建议",
}

URGENCY_LABELS: dict[str, str] = {Urgency.NORMAL: "一般", Urgency.URGENT: "紧急"}

CALLBACK_LABELS: dict[str, str] = {
    CallbackResult.SATISFIED: "满意",
    CallbackResult.BASICALLY_SATISFIED: "基本满意",
    CallbackResult.DISSATISFIED: "不满意",
}

TERMINATION_GROUND_LABELS: dict[str, str] = {
    TerminationGround.OTHER_PROCEDURE: "应通过诉讼、仲裁、纪检监察、行政复议、政府信息公开等程序解决",
    TerminationGround.PETITION: "已经进入信访程序",
    TerminationGround.SECRET_OR_PRIVACY: "涉及国家秘密、商业秘密、个人隐私或者违反公序良俗",
    TerminationGround.ALREADY_HANDLED: "已依法作出处理，且有合法、合理结论",
    TerminationGround.OTHER: "其他依法不予受理的情形",
    TerminationGround.UNCOOPERATIVE: "服务对象拒不配合导致无法办理",
}

ACTION_LABELS: dict[str, str] = {
    "sign_for": "签收",
    "assign": "指派承办人",
    "start_handling": "开始办理",
    "return_order": "申请退回（退单）",
    "accept_return": "平台同意退单",
    "reject_return": "平台驳回退单",
    "reassign": "平台改派",
    "request_extension": "申请延期",
    "approve_extension": "平台批准延期",
    "deny_extension": "平台不予延期",
    "interim_reply": "阶段性答复",
    "reply": "反馈办理结果",
    "record_callback": "登记回访结果",
    "rehandle": "退回重办",
    "close": "办结",
    **PRESS_STEPS,
    "request_termination": "提请终止办理",
    "approve_termination": "平台同意终止办理",
    "deny_termination": "平台不同意终止办理",
    "convert_to_disclosure": "转依申请公开",
    "merge": "并单",
}

# Triggers that close the order, and the resolution the workflow records for each.
RESOLUTION_BY_TRIGGER: dict[str, WorkOrderResolution] = {
    "close": WorkOrderResolution.COMPLETED,
    "accept_return": WorkOrderResolution.RETURNED,
    "approve_termination": WorkOrderResolution.TERMINATED,
    "convert_to_disclosure": WorkOrderResolution.CONVERTED,
    "merge": WorkOrderResolution.MERGED,
}

# Triggers after which the workflow opens a new cycle (cycle += 1, fresh clocks, WorkOrderCycle row).
NEW_CYCLE_TRIGGERS = frozenset({"rehandle", "reassign"})


class WorkOrderFacts(TypedDict, total=False):
    """What the guards read; the workflow computes every value (missing keys fail closed)."""

    designated: bool  # 经协调确定或者直接指定的承办单位 (潍坊条例第二十二条第二款)
    within_return_window: bool  # now ≤ the return window's end (profile ``return_window``)
    before_handling_due: bool  # now ≤ the effective handling due (platform's, else the profile's)
    extensions_used: int
    max_extensions: int  # from the resolved profile
    extension_pending: bool  # a request_extension awaits the platform's decision
    callback_result: str | None  # CallbackResult of the current cycle
    state_before_return: str | None  # where return_order was fired from
    escalations_due: Collection[str]  # ladder steps due and not yet fired this cycle: "urge", "supervise"
    return_window_ends: str | None  # the return window's end, as the agency's wall-clock time (for reasons)
    handling_due_ends: str | None  # the handling deadline, likewise


# --- guards ------------------------------------------------------------------------------------------

def _not_designated(f: Facts) -> bool:
    return f.get("designated") is False


def _within_return_window(f: Facts) -> bool:
    return f.get("within_return_window") is True


def _before_handling_due(f: Facts) -> bool:
    return f.get("before_handling_due") is True


def _extensions_left(f: Facts) -> bool:
    return int(f.get("extensions_used", 0)) < int(f.get("max_extensions", 0))


def _no_extension_pending(f: Facts) -> bool:
    return f.get("extension_pending") is False


def _extension_pending(f: Facts) -> bool:
    return f.get("extension_pending") is True


def _callback_dissatisfied(f: Facts) -> bool:
    return f.get("callback_result") == CallbackResult.DISSATISFIED


def _returned_from(state: str) -> GuardSpec:
    return GuardSpec(
        f"returned_from_{state}",
        lambda f: f.get("state_before_return") == state,
        f"退单前的状态不是“{STATE_LABELS[state]}”",
    )


def _escalation_due(step: str, label: str) -> GuardSpec:
    return GuardSpec(f"{step}_due", lambda f: step in f.get("escalations_due", ()), f"尚未到{label}时点")


# 潍坊条例第二十二条第二款：经研究确定或者直接指定的承办单位不得退回热线事项。
NOT_DESIGNATED = GuardSpec("not_designated", _not_designated, "该工单系协调后指定承办，不得退回")
# 山东省政务服务热线管理办法 (2020): 不属于职责范围的，2个工作日内说明理由回退 (profile ``return_window``).
WITHIN_RETURN_WINDOW = GuardSpec(
    "within_return_window", _within_return_window, "已超过申请退回的时限",
    lambda f: f"已超过申请退回的时限（退单时限已于{f['return_window_ends']}届满）" if f.get("return_window_ends")
    else None)
# Extension is requested before the deadline expires (rules.md §5.4(6), bureau rule).
BEFORE_HANDLING_DUE = GuardSpec(
    "before_handling_due", _before_handling_due, "办理时限已届满，须在期限届满前申请延期",
    lambda f: f"办理时限已于{f['handling_due_ends']}届满，须在期限届满前申请延期" if f.get("handling_due_ends")
    else None)
EXTENSIONS_LEFT = GuardSpec("extensions_left", _extensions_left, "延期次数已用完",
                            lambda f: f"延期次数已用完（每个办理周期最多{int(f.get('max_extensions', 0))}次）")
NO_EXTENSION_PENDING = GuardSpec("no_extension_pending", _no_extension_pending, "已有延期申请待平台审核")
EXTENSION_PENDING = GuardSpec("extension_pending", _extension_pending, "没有待平台审核的延期申请")
# 济南条例第二十七条第二款：来电人不满意的，可以退回承办单位再次办理。
CALLBACK_DISSATISFIED = GuardSpec("callback_dissatisfied", _callback_dissatisfied, "回访结果不是“不满意”，不能据此重办")
URGE_DUE = _escalation_due("urge", PRESS_STEPS["urge"])
SUPERVISE_DUE = _escalation_due("supervise", PRESS_STEPS["supervise"])

# --- the table ---------------------------------------------------------------------------------------

DESK = frozenset({Role.FRONT_DESK, Role.LEADER})  # the agency's 12345 liaison, or its head
HANDLER = frozenset({Role.OFFICER, Role.LEADER})  # the officer of the order (states.policy), or a leader
LEADER = frozenset({Role.LEADER})
NOBODY: frozenset[Role] = frozenset()  # a row only the scheduler fires
OPEN = (S.RECEIVED, S.SIGNED_FOR, S.HANDLING)
# 条例第二十九条: who applies (identity document, contact) and what is asked for (description, form, way).
CONVERT_PAYLOAD = ("reason", "applicant", "request")


def _t(trigger: str, sources: tuple[str, ...], dest: str, roles: frozenset[Role], *,
       guards: tuple[GuardSpec, ...] = (), system: bool = False,
       payload: tuple[str, ...] = ()) -> Transition:
    return Transition(trigger, sources, dest, roles, ACTION_LABELS[trigger], guards, system, payload)


TRANSITIONS: tuple[Transition, ...] = (
    # Receipt and sign-for (签收). The platform reminds units that have not signed (rules.md §5.3).
    _t("sign_for", (S.RECEIVED,), S.SIGNED_FOR, DESK, payload=("note",)),
    _t("assign", OPEN, SAME, DESK, payload=("assignee_id", "unit_id", "note")),
    _t("start_handling", (S.SIGNED_FOR,), S.HANDLING, HANDLER, payload=("note",)),
    # Return (退单 / 申请退回): 潍坊条例第二十二条; 北京条例第十二条第三款 (派单异议); 山东 2020 (2 WD, reason).
    _t("return_order", OPEN, S.RETURN_REQUESTED, DESK,
       guards=(NOT_DESIGNATED, WITHIN_RETURN_WINDOW), payload=("reason",)),
    _t("accept_return", (S.RETURN_REQUESTED,), S.CLOSED, DESK, payload=("note",)),
    _t("reject_return", (S.RETURN_REQUESTED,), S.RECEIVED, DESK, guards=(_returned_from(S.RECEIVED),),
       payload=("note",)),
    _t("reject_return", (S.RETURN_REQUESTED,), S.SIGNED_FOR, DESK, guards=(_returned_from(S.SIGNED_FOR),),
       payload=("note",)),
    _t("reject_return", (S.RETURN_REQUESTED,), S.HANDLING, DESK, guards=(_returned_from(S.HANDLING),),
       payload=("note",)),
    # 改派 (国办函〔2025〕66号 (五)): re-dispatched to this agency; a new cycle with fresh clocks.
    _t("reassign", (S.RETURN_REQUESTED,), S.RECEIVED, DESK, payload=("reason", "platform_due_at")),
    # Extension (延期): 北京条例第十五条第二项; 山东 2020 (≤10 WD); requested before expiry (bureau rule).
    _t("request_extension", (S.HANDLING,), SAME, HANDLER,
       guards=(BEFORE_HANDLING_DUE, EXTENSIONS_LEFT, NO_EXTENSION_PENDING), payload=("reason", "days")),
    _t("approve_extension", (S.HANDLING,), SAME, DESK, guards=(EXTENSION_PENDING,), payload=("days", "note")),
    _t("deny_extension", (S.HANDLING,), SAME, DESK, guards=(EXTENSION_PENDING,), payload=("note",)),
    # 阶段性答复 / 解释说明: 济南条例第二十四条第一款第二、三项; 潍坊条例第二十条第一款第三项.
    _t("interim_reply", (S.HANDLING,), SAME, HANDLER, payload=("text",)),
    # 答复来电人并反馈热线工作机构: 济南条例第二十四条; 潍坊条例第二十条.
    _t("reply", (S.SIGNED_FOR, S.HANDLING), S.REPLIED, HANDLER,
       payload=("result_text", "attachment_ids")),
    # 回访: 济南条例第二十七条; 潍坊条例第二十五条; 北京条例第二十三条.
    _t("record_callback", (S.REPLIED,), S.CALLBACK_RECORDED, DESK, payload=("result", "note")),
    # 重办: 济南条例第二十七条第二款 — after review (审核) finds the order not handled, or on dissatisfaction.
    _t("rehandle", (S.REPLIED,), S.HANDLING, DESK, payload=("reason",)),
    _t("rehandle", (S.CALLBACK_RECORDED,), S.HANDLING, DESK, guards=(CALLBACK_DISSATISFIED,), payload=("reason",)),
    # The platform closes; from ``replied`` when it closed without a callback (来电人要求不回复: 济南条例第二十四条).
    _t("close", (S.REPLIED, S.CALLBACK_RECORDED), S.CLOSED, DESK, payload=("note",)),
    # 催办 / 督办 when overdue: 济南条例第二十八条第一项; 潍坊条例第二十六条第一、二项; ladder in the profile.
    # By hand, a leader may press an open order at any time; the ladder's own steps are the scheduler's.
    _t("urge", OPEN, SAME, LEADER, payload=("note",)),
    _t("urge", OPEN, SAME, NOBODY, guards=(URGE_DUE,), system=True, payload=("note",)),
    _t("supervise", OPEN, SAME, LEADER, payload=("note",)),
    _t("supervise", OPEN, SAME, NOBODY, guards=(SUPERVISE_DUE,), system=True, payload=("note",)),
    # 终止办理: 潍坊条例第二十一条 — 书面提请热线工作机构审核后终止办理，并向服务对象作出解释.
    _t("request_termination", (S.SIGNED_FOR, S.HANDLING), S.TERMINATION_REQUESTED, HANDLER,
       payload=("reason", "ground")),
    _t("approve_termination", (S.TERMINATION_REQUESTED,), S.CLOSED, DESK, payload=("note",)),
    _t("deny_termination", (S.TERMINATION_REQUESTED,), S.HANDLING, DESK, payload=("note",)),
    # 转依申请公开: 潍坊条例第十九条第一项; 国办函〔2025〕66号 (二); rules.md §5.5 cross-conversion links.
    _t("convert_to_disclosure", (S.RECEIVED, S.SIGNED_FOR), S.CLOSED, DESK, payload=CONVERT_PAYLOAD),
    _t("convert_to_disclosure", (S.HANDLING,), S.CLOSED, HANDLER, payload=CONVERT_PAYLOAD),
    # 并单 (国办函〔2025〕66号 (五)): a repeat demand merged into another order by the platform.
    _t("merge", OPEN, S.CLOSED, DESK, payload=("into_order_no", "note")),
)

MACHINE = StateMachine("workorder", list(WorkOrderState), S.RECEIVED, TRANSITIONS)

# What an order's events record, as its timeline labels them (with the words both kinds share,
# states.wording.EVENT_FIELDS); the values of a few of them.
EVENT_FIELDS: dict[str, str] = {
    **WORDING_EVENT_FIELDS, "on_time": "按时", "order_no": "工单编号", "profile": "时限方案", "due_source": "时限来源",
    "sign_for_due_at": "签收时限", "handling_due_at": "办理时限", "return_window_due_at": "退单时限",
    "requested_days": "申请延期的工作日数", "old_due_at": "原办理时限", "new_due_at": "延期后的办理时限",
    "text": "阶段性答复", "result_text": "办理结果", "result_label": "回访结果", "ground_label": "终止办理情形",
    "cycle": "办理周期", "platform_due_at": "平台办理时限", "back_to": "退回至", "overdue_workdays": "逾期工作日数",
    "into_order_no": "并入工单", "tracking_no": "政府信息公开申请登记编号", "source": "来源", "row": "导入行号",
}
EVENT_VALUES: dict[str, dict[str, str]] = {
    "due_source": {"platform": "平台时限", "profile": "本机关时限方案"},
    "source": {"api": "登记或接口", "import": "批量导入"},
    "back_to": dict(STATE_LABELS),
}
# why a handling cycle began
CYCLE_REASONS = {"dispatch": "平台派单", "rehandle": "退回重办", "reassign": "平台改派"}

TERMINAL_STATES = frozenset({S.CLOSED})
OPEN_STATES: tuple[str, ...] = tuple(s.value for s in S if s not in TERMINAL_STATES)  # states in listing order
