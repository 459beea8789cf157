"""A world for the page-wording test: disclosure applications in every state, 12345 orders in every state, an
online submission, a supervisor, a failed import, dead letters and a failed sweep run with English technical text —
so every page of every role has something to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from db.engine import write_session
from db.models import Outbox, SweepStatus
from notifications.fixtures import fixture_context
from tests.helpers import resident_id
from tests.hotline_helpers import CONVERT, order_input
from tests.web.conftest import Web, register_case
from tests.web.portal_helpers import application
from workflow.accounts.users import create_user
from workflow.disclosure import actions as dwf
from workflow.hotline import actions as hwf
from workflow.portal.submissions import OnlineSubmissionIn, submit_online
from workflow.sweeps.run import run_all
from workflow.timesource import local_dt

PDF = b"%PDF-1.4\n% wording test\n"


@dataclass
class World:
    disclosures: dict[str, int] = field(default_factory=dict)  # state (or situation) → case id
    orders: dict[str, int] = field(default_factory=dict)
    query_codes: dict[int, tuple[str, str]] = field(default_factory=dict)  # case id → (number, query code)
    data: frozenset[str] = frozenset()  # ASCII the fixtures typed (login names, agency codes)


def _d(web: Web, case_id: int, action: str, payload: dict[str, Any], who: str = "officer") -> None:
    dwf.act(web.db.engine, case_id, action, payload, getattr(web.staff, who), web.clock.now())


def _o(web: Web, oid: int, action: str, who: str = "front", **payload: Any) -> None:
    hwf.act(web.db.engine, oid, action, payload, getattr(web.staff, who), web.clock.now())


def _order(web: Web, **over: Any) -> int:
    return hwf.intake(web.db.engine, hwf.record_from_input(order_input(**over)), web.staff.front,
                      web.clock.now()).id


def _submitted(web: Web, **over: Any) -> Any:
    return submit_online(web.db.engine, OnlineSubmissionIn.model_validate(application(**over)),
                         [("身份证.pdf", PDF)], agency_code="default", ip="198.51.100.1", now=web.clock.now(),
                         settings=web.db.settings)


def _disclosures(web: Web, w: World) -> None:
    def reg(label: str, **over: Any) -> int:
        r = register_case(web, applicant_name=f"申请人{len(w.disclosures) + 1}", **over)
        w.disclosures[label] = r.id
        w.query_codes[r.id] = (r.tracking_no, r.query_code)
        return int(r.id)

    reg("registered", assignee_id=None)
    reg("handling")
    c = reg("awaiting_correction")
    _d(web, c, "request_correction", {"items": ["请写明所需文件的名称或文号"]})
    c = reg("consulting")
    _d(web, c, "start_consultation", {"consultee_kind": "third_party", "consultee_name": "某建设有限公司",
                                     "consultee_contact": "tp@example.com",
                                     "interest": "招标文件中含有该公司的投标报价等商业信息"})
    c = reg("awaiting_fee")
    _d(web, c, "send_fee_notice", {"method": "page", "quantity": 250})
    c = reg("extension_pending")
    _d(web, c, "request_extension", {"days": 10, "reason": "需要调取档案"})
    c = reg("extended")
    _d(web, c, "request_extension", {"days": 10, "reason": "需要调取档案"})
    _d(web, c, "approve_extension", {"days": 10, "note": "同意"}, who="leader")
    c = reg("delayed")  # 条例第三十五条: a delayed reply period (its own explanation), once reasons were found reasonable
    _d(web, c, "request_reasons", {"facts": "本月已提出申请45件"})
    _d(web, c, "record_reasons", {"reasons": "课题研究需要", "assessment": "reasonable"})
    _d(web, c, "set_delay", {"days": 30, "reason": "申请数量较大"})
    c = reg("reasons_asked")  # 条例第三十五条: the applicant's period to state reasons is running
    _d(web, c, "request_reasons", {"facts": "本月已提出申请45件"})
    c = reg("corrected")  # the period restarted from the corrected application
    _d(web, c, "request_correction", {"items": ["请写明所需文件的名称或文号"]})
    _d(web, c, "receive_correction", {"note": "已补正"}, who="front")
    c = reg("replied")
    _d(web, c, "reply", {"category": "disclose", "reason": "provided"})
    c = reg("refused")
    _d(web, c, "reply", {"category": "unavailable", "reason": "not_held"})
    c = reg("delivered")
    _d(web, c, "reply", {"category": "disclose", "reason": "provided"})
    _d(web, c, "deliver", {"method": "post", "tracking_no": "EA123456789CN", "signer": "张三"})
    c = reg("archived")
    _d(web, c, "reply", {"category": "disclose", "reason": "provided"})
    _d(web, c, "deliver", {"method": "in_person", "signer": "张三"})
    _d(web, c, "archive", {})
    _d(web, c, "record_remedy", {"kind": "reconsideration", "filed_date": "2026-03-02"}, who="leader")
    c = reg("closed")
    _d(web, c, "withdraw", {"reason": "申请人书面撤回"}, who="front")
    sub = _submitted(web)
    w.disclosures["submitted"] = sub.id
    w.query_codes[sub.id] = (sub.submission_no, sub.query_code)
    gone = _submitted(web, applicant_name="王五")
    dwf.act(web.db.engine, gone.id, "discard_submission", {"reason": "重复提交"}, web.staff.front, web.clock.now())
    w.disclosures["discarded"] = gone.id


def _orders(web: Web, w: World) -> None:
    w.orders["received"] = _order(web)
    w.orders["urgent"] = _order(web, urgency="紧急", category="求助", title="停水求助")
    o = w.orders["signed_for"] = _order(web)
    _o(web, o, "sign_for")
    _o(web, o, "assign", assignee_id=web.staff.officer.id)
    o = w.orders["handling"] = _order(web)
    _o(web, o, "sign_for")
    _o(web, o, "assign", assignee_id=web.staff.officer.id)
    _o(web, o, "start_handling", who="officer")
    _o(web, o, "interim_reply", who="officer", text="已联系施工单位核实")
    _o(web, o, "request_extension", who="officer", reason="需会同住建部门现场核查", days=5)
    o = w.orders["return_requested"] = _order(web)
    _o(web, o, "return_order", reason="不属于本单位职责")
    o = w.orders["termination_requested"] = _order(web)
    _o(web, o, "sign_for")
    _o(web, o, "assign", assignee_id=web.staff.officer.id)
    _o(web, o, "request_termination", who="officer", reason="已进入信访程序", ground="已经进入信访程序")
    for state in ("replied", "callback_recorded", "closed"):
        o = w.orders[state] = _order(web)
        _o(web, o, "sign_for")
        _o(web, o, "assign", assignee_id=web.staff.officer.id)
        _o(web, o, "reply", who="officer", result_text="经核查，施工单位已停止夜间作业。\n已告知来电人。")
        if state != "replied":
            _o(web, o, "record_callback", result="满意")
        if state == "closed":
            _o(web, o, "close")
    w.orders["platform_due"] = _order(web, platform_due_at="2026-03-10 18:00:00")  # the platform's own deadline
    o = w.orders["rehandled"] = _order(web)
    _o(web, o, "sign_for")
    _o(web, o, "assign", assignee_id=web.staff.officer.id)
    _o(web, o, "reply", who="officer", result_text="已处理")
    _o(web, o, "record_callback", result="不满意", note="仍有噪音")
    _o(web, o, "rehandle", reason="来电人不满意，退回重办")
    _o(web, o, "urge", who="leader", note="请尽快办结")  # a leader's 催办 by hand
    o = w.orders["converted"] = _order(web)
    _o(web, o, "convert_to_disclosure", **CONVERT)


def build(web: Web) -> World:
    """Every state of both kinds, at the fixture clock (Monday 2 March 2026); a supervisor of the agency and an
    instance administrator ("platform")."""
    w = World()
    _disclosures(web, w)
    _orders(web, w)
    create_user(web.db.engine, agency_code="default", username="default-sup", password="password123",
                roles=["supervisor"], display_name="信息中心督查", now=web.clock.now())
    create_user(web.db.engine, agency_code="default", username="default-platform", password="password123",
                roles=["instance_admin", "admin"], display_name="平台管理员", now=web.clock.now())
    data = {f"default-{who}" for who in ("front", "officer", "officer2", "leader", "admin", "sup", "platform")}
    w.data = frozenset({*data, "admin", "default", "12345", resident_id()})
    web.clock.set(local_dt(2026, 3, 13, 10, 0))  # windows passed, deadlines near or past
    run_all(web.db.engine, web.clock.now(), settings=web.db.settings)  # reminders, 催办, the system page's figures
    failures(web)
    return w


# What the mail server or the program said, in English (kept on the row for the instance administrator).
DEAD_LETTERS = (
    "SMTPConnectError: Error connecting to smtp.example.gov.cn on port 25: [Errno 111] Connection refused",
    "recipient refused: {'zhang@example.invalid': (550, '5.1.1 Mailbox does not exist')}",
    "unbuildable: UndefinedError: 'dict object' has no attribute 'reply_due'",
    "not an email address: 'zhangsan'",
    "SMTP authentication failed: (535, '5.7.8 Authentication credentials invalid')",
    "RuntimeError: something nobody foresaw",
)
SWEEP_ERROR = "OperationalError: (sqlite3.OperationalError) database is locked"


def failures(web: Web) -> None:
    """Dead letters with the mail server's English words, and a sweep whose last run failed: the system-status page
    must explain each in Chinese to the agency's administrator."""
    now = web.clock.now()
    with write_session(web.db.engine) as s:
        for i, error in enumerate(DEAD_LETTERS):
            s.add(Outbox(agency_id=web.staff.agency_id, notice_type="internal.reminder", channel="email",
                         recipient="zhang@example.invalid", recipient_name="张三",
                         context=fixture_context("internal.reminder"), dedupe_key=f"wording-dead-{i}", status="dead",
                         attempts=8, next_attempt_at=now, last_error=error, created_at=now))
        row = s.get(SweepStatus, "digest")
        assert row is not None
        row.last_error = SWEEP_ERROR
        s.add(row)
        s.commit()
