"""A scripted year (2025) of disclosure applications recorded after the fact, with its annual report computed by
hand: cases received in 2024 and concluded in 2025, every row of table 三, a lapsed correction, an unpaid fee,
withdrawals, a paid fee, and cases still open on 31 December 2025. The same cases are written as API steps (for
back-filling through ``POST /api/disclosures/{id}/actions/{action}``) and as rows of a go-live import file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.helpers import resident_id, uscc

REASON = "上线前纸质办理，据台账补录"
N, B, R, P, L, O = "natural", "business", "research", "public_welfare", "legal_service", "other"  # noqa: E741
CATEGORY_WORDS = {N: "自然人", B: "商业企业", R: "科研机构", P: "社会公益组织", L: "法律服务机构", O: "其他"}
Step = tuple[str, str, dict[str, Any]]  # (day, action, payload)


@dataclass
class Case:
    no: str  # the agency's own number (原编号)
    category: str
    received: str  # YYYY-MM-DD (09:30 that day)
    steps: list[Step] = field(default_factory=list)
    status: str = "已办结"  # as the import file says it


def _reply(day: str, category: str, reason: str, **detail: str) -> Step:
    return (day, "reply", {"category": category, "reason": reason, "detail": detail})


def _handled(day: str, *rest: Step) -> list[Step]:
    return [(day, "assign", {}), *rest]


CASES: list[Case] = [
    # received in 2024, concluded in 2025 (上年结转)
    Case("2024-101", N, "2024-12-16", _handled("2024-12-16", _reply("2025-01-08", "disclose", "provided"))),
    Case("2024-102", B, "2024-12-23", _handled("2024-12-24", _reply("2025-01-14", "refuse", "third_party"))),
    Case("2024-103", R, "2024-12-26", [("2025-01-06", "withdraw", {"withdrawn_date": "2025-01-06"})]),
    # received and concluded in 2024: not in the 2025 report
    Case("2024-090", N, "2024-11-04", _handled("2024-11-04", _reply("2024-11-20", "disclose", "provided"))),
    # received in 2024, still open now (上年结转, 结转下年度)
    Case("2024-104", O, "2024-12-30", _handled("2024-12-31"), "办理中"),
    # received in 2025: every row of table 三
    Case("2025-001", N, "2025-02-10", _handled("2025-02-10", _reply("2025-02-24", "disclose", "provided"),
                                                ("2025-02-26", "deliver", {"method": "in_person",
                                                                          "delivered_date": "2025-02-26"}))),
    Case("2025-002", B, "2025-02-11", _handled("2025-02-11", _reply("2025-02-25", "disclose", "already_public",
                                                                     published_where="本局门户网站"))),
    Case("2025-003", N, "2025-03-03", _handled(
        "2025-03-03", ("2025-03-05", "request_correction", {"items": ["请写明文件的文号"]}),
        ("2025-03-12", "receive_correction", {"received_date": "2025-03-12"}),
        _reply("2025-04-02", "partial", "partial", withheld_reason="涉及个人隐私的部分不予公开"))),
    Case("2025-004", L, "2025-03-04", _handled(
        "2025-03-04", ("2025-03-25", "request_extension", {"days": 15, "reason": "需调取档案"}),
        ("2025-03-25", "approve_extension", {"days": 15}), _reply("2025-04-15", "refuse", "state_secret"))),
    Case("2025-005", B, "2025-03-10", _handled("2025-03-10", _reply("2025-03-28", "refuse", "law_prohibits",
                                                                     legal_basis="《中华人民共和国统计法》第三十九条"))),
    Case("2025-006", R, "2025-03-11", _handled("2025-03-11", _reply("2025-03-31", "refuse", "security_stability"))),
    Case("2025-007", P, "2025-04-08", _handled(
        "2025-04-08", ("2025-04-10", "start_consultation", {"consultee_kind": "third_party", "consultee_name": "某公司",
                                                            "interest": "涉及该公司的商业秘密", "sent_date": "2025-04-10"}),
        ("2025-04-18", "record_opinion", {"opinion": "object", "received_date": "2025-04-18"}),
        _reply("2025-05-12", "refuse", "third_party"))),
    Case("2025-008", L, "2025-04-09", _handled("2025-04-09", _reply("2025-04-25", "refuse", "internal_affairs"))),
    Case("2025-009", O, "2025-04-14", _handled("2025-04-14", _reply("2025-04-29", "refuse", "process_info"))),
    Case("2025-010", N, "2025-05-12", _handled("2025-05-12", _reply("2025-05-26", "refuse", "enforcement_file"))),
    Case("2025-011", N, "2025-05-13", _handled("2025-05-13", _reply("2025-05-27", "refuse", "special_access",
                                                                     special_law="《不动产登记暂行条例》"))),
    Case("2025-012", N, "2025-06-09", _handled("2025-06-09", _reply("2025-06-20", "unavailable", "not_held"))),
    Case("2025-013", B, "2025-06-10", _handled("2025-06-10", _reply("2025-06-24", "unavailable", "not_responsible",
                                                                     responsible_agency="某县自然资源局",
                                                                     responsible_contact="0871-1234567"))),
    Case("2025-014", R, "2025-06-11", _handled("2025-06-11", _reply("2025-06-25", "unavailable", "needs_creation"))),
    Case("2025-015", N, "2025-06-16", _handled(  # 条例第三十条: still unclear once corrected
        "2025-06-16", ("2025-06-18", "request_correction", {"items": ["请写明所需信息的名称"]}),
        ("2025-06-23", "receive_correction", {"received_date": "2025-06-23"}),
        _reply("2025-07-08", "unavailable", "still_unclear"))),
    Case("2025-016", N, "2025-07-07", _handled("2025-07-07", _reply("2025-07-15", "not_processed", "petition",
                                                                     channel_pointer="12345热线"))),
    Case("2025-017", N, "2025-07-08", _handled("2025-07-08", _reply("2025-07-16", "not_processed", "repeat"))),
    Case("2025-018", P, "2025-07-09", _handled("2025-07-09", _reply("2025-07-17", "not_processed", "publication"))),
    Case("2025-019", N, "2025-07-14", _handled(  # 条例第三十五条: the reasons asked for were found unreasonable
        "2025-07-14", ("2025-07-15", "request_reasons", {"facts": "本月已提出申请60件"}),
        ("2025-07-22", "record_reasons", {"received_date": "2025-07-22", "reasons": "了解情况",
                                          "assessment": "unreasonable"}),
        _reply("2025-07-28", "not_processed", "excessive"))),
    Case("2025-020", L, "2025-07-15", _handled("2025-07-15", _reply("2025-07-29", "not_processed",
                                                                     "confirm_reissue"))),
    # 条例第三十条: correction not supplied in time (15 working days from 2025-08-05 end on 2025-08-26)
    Case("2025-021", N, "2025-08-04", _handled(
        "2025-08-04", ("2025-08-05", "request_correction", {"items": ["请明确所需信息的名称"]}),
        ("2025-09-10", "lapse_correction", {}))),
    # 国办函〔2020〕109号: fee not paid in time (20 working days from 2025-08-06 end on 2025-09-03)
    Case("2025-022", B, "2025-08-05", _handled(
        "2025-08-05", ("2025-08-06", "send_fee_notice", {"method": "page", "quantity": 500, "notice_date": "2025-08-06"}),
        ("2025-09-24", "lapse_fee", {}))),
    Case("2025-023", N, "2025-09-01", _handled("2025-09-01", ("2025-09-03", "withdraw",
                                                              {"withdrawn_date": "2025-09-03"}))),
    Case("2025-024", O, "2025-09-02", [("2025-09-04", "withdraw", {"withdrawn_date": "2025-09-04"})]),
    # a fee paid: 50 pages = 30 free + 20 × 10 元 = 200 元 (国办函〔2020〕109号第五条)
    Case("2025-025", B, "2025-04-21", _handled(
        "2025-04-21", ("2025-04-22", "send_fee_notice", {"method": "page", "quantity": 50, "notice_date": "2025-04-22"}),
        ("2025-04-28", "record_payment", {"paid_date": "2025-04-28"}), _reply("2025-05-15", "disclose", "provided"))),
    # received in 2025, open on 31 December 2025
    Case("2025-026", N, "2025-12-15", _handled("2025-12-15", _reply("2026-01-12", "disclose", "provided"))),
    Case("2025-027", L, "2025-12-22", _handled("2025-12-22"), "办理中"),
    Case("2025-028", N, "2025-12-29", _handled(
        "2025-12-29", ("2025-12-30", "start_consultation", {"consultee_kind": "agency", "consultee_name": "某县财政局",
                                                            "sent_date": "2025-12-30"})), "征求意见中"),
]

#                         自然人 商业 科研 公益 法律 其他 总计
EXPECTED_2025: dict[str, list[int]] = {
    "1":     [13, 5, 2, 2, 4, 2, 28],
    "2":     [1, 1, 1, 0, 0, 1, 4],
    "3.1":   [2, 2, 0, 0, 0, 0, 4],
    "3.2":   [1, 0, 0, 0, 0, 0, 1],
    "3.3.1": [0, 0, 0, 0, 1, 0, 1],
    "3.3.2": [0, 1, 0, 0, 0, 0, 1],
    "3.3.3": [0, 0, 1, 0, 0, 0, 1],
    "3.3.4": [0, 1, 0, 1, 0, 0, 2],
    "3.3.5": [0, 0, 0, 0, 1, 0, 1],
    "3.3.6": [0, 0, 0, 0, 0, 1, 1],
    "3.3.7": [1, 0, 0, 0, 0, 0, 1],
    "3.3.8": [1, 0, 0, 0, 0, 0, 1],
    "3.4.1": [1, 1, 0, 0, 0, 0, 2],
    "3.4.2": [0, 0, 1, 0, 0, 0, 1],
    "3.4.3": [1, 0, 0, 0, 0, 0, 1],
    "3.5.1": [1, 0, 0, 0, 0, 0, 1],
    "3.5.2": [1, 0, 0, 0, 0, 0, 1],
    "3.5.3": [0, 0, 0, 1, 0, 0, 1],
    "3.5.4": [1, 0, 0, 0, 0, 0, 1],
    "3.5.5": [0, 0, 0, 0, 1, 0, 1],
    "3.6.1": [1, 0, 0, 0, 0, 0, 1],
    "3.6.2": [0, 1, 0, 0, 0, 0, 1],
    "3.6.3": [1, 0, 1, 0, 0, 1, 3],
    "3.7":   [12, 6, 3, 2, 3, 2, 28],
    "4":     [2, 0, 0, 0, 1, 1, 4],
}
FEES_2025 = 200  # case 2025-025 (table 二: 信息处理费)


def applicant(case: Case, i: int) -> dict[str, Any]:
    """The applicant fields of a registration (an organisation names its category and its credit code)."""
    if case.category == N:
        return {"applicant_type": "natural", "applicant_category": "natural", "applicant_name": f"申请人{i}",
                "id_type": "resident_id", "id_number": resident_id(f"11010519800101{i:03d}")}
    return {"applicant_type": "organization", "applicant_category": case.category, "applicant_name": f"某单位{i}",
            "id_type": "uscc", "id_number": uscc(f"91350100M{i:07d}Y"[:17]), "contact_person": "王五"}


# ---------------------------------------------------------------- the same cases as rows of the import file

_DECISION_OF = {"withdraw": "撤回", "lapse_correction": "逾期未补正", "lapse_fee": "逾期未缴费"}


def import_rows(officer_username: str) -> list[dict[str, str]]:
    """The scripted year as a go-live import file (column keys of workflow.golive.columns)."""
    out = []
    for i, case in enumerate(CASES):
        a = applicant(case, i)
        row: dict[str, str] = {
            "source_no": case.no, "received_at": f"{case.received} 09:30", "channel": "当面提交",
            "applicant_type": "自然人" if case.category == N else "法人或其他组织",
            "applicant_category": CATEGORY_WORDS[case.category], "applicant_name": a["applicant_name"],
            "id_number": a["id_number"], "contact_person": a.get("contact_person", ""), "phone": "13800138000",
            "email": "a@example.com", "address": "某县人民路1号", "form_wanted": "电子", "obtain_way": "电子邮件",
            "description": f"{case.no}：所需政府信息", "status": case.status}
        for day, action, p in case.steps:
            _column(row, day, action, p, officer_username)
        out.append(row)
    return out


def _column(row: dict[str, str], day: str, action: str, p: dict[str, Any], officer: str) -> None:
    if action == "assign":
        row.update(assignee=officer, assigned_date=day)
    elif action == "request_correction":
        row.update(correction_date=day, correction_items="；".join(p["items"]))
    elif action == "receive_correction":
        row["correction_received"] = day
    elif action == "start_consultation":
        row.update(consultation_sent=day, consultee_kind="第三方" if p["consultee_kind"] == "third_party" else "其他机关",
                   consultee_name=p["consultee_name"], consultation_reason=p.get("interest", ""))
    elif action == "record_opinion":
        row.update(opinion={"object": "不同意", "agree": "同意", "none": "未提出意见"}[p["opinion"]], opinion_date=day)
    elif action == "request_extension":
        row.update(extension_date=day, extension_days=str(p["days"]), extension_reason=p["reason"])
    elif action == "send_fee_notice":
        row.update(fee_notice_date=day, fee_method="按页", fee_quantity=str(p["quantity"]))
    elif action == "record_payment":
        row["fee_paid_date"] = day
    elif action == "request_reasons":
        row.update(reasons_date=day, reasons_facts=p["facts"])
    elif action == "record_reasons":
        row.update(reasons_received=day, reasons_text=p["reasons"],
                   reasons_assessment={"unreasonable": "不合理", "reasonable": "合理"}[p["assessment"]])
    elif action == "reply":
        detail = "；".join(p["detail"].values())
        row.update(concluded_date=day, decision=f"{p['category']}.{p['reason']}", decision_detail=detail)
    elif action in _DECISION_OF:
        row.update(concluded_date=day, decision=_DECISION_OF[action])
    elif action == "deliver":
        row.update(delivered_date=day, delivery_method="当面")
