"""Realistic fixture contexts for every notice type (start-up check, tests, previews, the benchmark).

They carry hostile applicant input (``张三 & <李四> "引号"``) and a CJK Extension-B character (𠮷,
U+20BB7) in fields every notice prints; ``MARKERS`` says which strings each rendered notice must show.
"""

from __future__ import annotations

import copy
from typing import Any

from states.decisions import REASONS, Category

HOSTILE = '张三 & <李四> "引号"'
HOSTILE_CORE = "张三 & <李四>"
EXT_B = "\U00020bb7"  # 𠮷
ISSUED = "2026-11-25"

AGENCY: dict[str, Any] = {
    "id": 1, "code": "demo", "name": "某县自然资源局", "short_name": "县自然资源局",
    "office_name": "某县自然资源局办公室", "seal_text": "某县自然资源局",
    "address": f"某县{EXT_B}祥路1号（东楼 & <西楼>）", "postal_code": "675000", "phone": "0878-3121234",
    "email": "gongkai@zrzy.example.gov.cn", "website": "https://zrzy.example.gov.cn",
    "lookup_url": "https://zrzy.example.gov.cn/ysqgk/query", "reconsideration_organ": "某县人民政府",
    "litigation_court": "某县人民法院",
}

CASE: dict[str, Any] = {
    "kind": "disclosure", "kind_label": "政府信息公开申请", "id": 1, "number": "依申〔2026〕0001号",
    "tracking_no": "依申〔2026〕0001号", "submission_no": "WS20261101-0007", "state": "registered",
    "applicant": {
        "type": "natural", "type_label": "公民", "category": "natural", "category_label": "自然人",
        "name": HOSTILE, "id_type": "resident_id", "id_type_label": "居民身份证",
        "id_number": "530102199001011234", "id_number_masked": "5301**********1234",
        "phone": "13812345678", "email": "zhangsan@example.com",
        "address": f"某县{EXT_B}祥镇{EXT_B}祥村三组18号", "postal_code": "675001", "contact_person": "",
    },
    "description": f"{EXT_B}祥村2025年度集体土地征收补偿安置方案及补偿费用发放明细",
    "document_ref": "某自然资发〔2025〕18号", "purpose": "核对本户补偿款",
    "form_wanted": "electronic", "form_wanted_label": "电子文档",
    "obtain_way": "email", "obtain_way_label": "电子邮件",
    "channel": "internet", "channel_label": "互联网",
    "received_at": "2026-11-01T21:14+08:00", "confirmed_date": "2026-11-02",
    "receipt_date": "2026-11-02", "base_date": "2026-11-02", "oral": False, "assisted": False,
}


def _base(notice: dict[str, Any], **extra: Any) -> dict[str, Any]:
    ctx = {"agency": copy.deepcopy(AGENCY), "case": copy.deepcopy(CASE), "notice": notice,
           "issued_date": ISSUED, "doc_no": ""}
    ctx.update(extra)
    return ctx


REPLY_DETAILS: dict[str, dict[str, Any]] = {
    "already_public": {"published_where": "本局门户网站“政府信息公开—重点领域—征地信息”栏目"
                                          "（https://zrzy.example.gov.cn/zdxx/zd/）"},
    "partial": {"withheld": "补偿费用发放明细中其他被征收户的姓名、身份证号码和银行账号",
                "withheld_reason": "该部分内容属于第三方个人隐私，公开会对第三方合法权益造成损害，"
                                   "依照《中华人民共和国政府信息公开条例》第十五条的规定不予公开。"},
    "law_prohibits": {"legal_basis": "《中华人民共和国档案法》"},
    "third_party": {"interest": "第三方的个人隐私"},
    "special_access": {"special_law": "《不动产登记暂行条例》和《不动产登记资料查询暂行办法》",
                       "where": f"某县不动产登记中心（某县{EXT_B}祥路8号）"},
    "not_held": {"search_note": "本机关检索了2024年至2026年的收文、发文及业务档案"},
    "not_responsible": {"responsible_agency": f"某县{EXT_B}祥镇人民政府",
                        "responsible_contact": "0878-3125678，某县吉祥镇政府路2号",
                        "explanation": "补偿费用由镇人民政府负责发放，相关明细由其制作和保存"},
    "still_unclear": {"correction_notice_date": "2026-11-05", "correction_received_date": "2026-11-12"},
    "petition": {"channel_pointer": "12345政务服务便民热线，或者向某县信访局（某县人民路10号）"},
    "repeat": {"prior_reply_date": "2026-09-20", "prior_doc_no": "某自然资公复〔2026〕8号"},
    "publication": {"publication": "《某县人民政府公报》2025年第3期", "where": "某县图书馆或者公报发行单位"},
    "excessive": {"reasons_notice_date": "2026-11-06", "reasons_last_date": "2026-11-20",
                  "reasons_received_date": "2026-11-16", "reasons_summary": "需要了解全县各村征地情况"},
    "confirm_reissue": {"note": "如需复制件，可持原件到本机关档案室查阅、复制。"},
    "other": {"note": f"申请人{HOSTILE}于2026年11月20日来电表示已通过其他途径获取所需信息，本机关对该申请终止办理。"},
}
_CLOSURE: dict[str, dict[str, Any]] = {
    "correction_lapsed": {"correction_notice_date": "2026-11-05", "correction_last_date": "2026-11-19"},
    "fee_unpaid": {"fee_notice_date": "2026-10-12", "fee_last_date": "2026-11-09"},
    "withdrawn": {"withdrawal_date": "2026-11-20"},
}
_PROVIDED = {"method_label": "电子邮件", "documents": [
    f"《{EXT_B}祥村2025年度集体土地征收补偿安置方案》（某自然资发〔2025〕18号）",
    "《补偿费用发放汇总表》（2025年12月）"], "note": "上述信息已于同日发送至您提供的电子邮箱。"}


def reply_context(category: str, reason: str) -> dict[str, Any]:
    """A reply (答复书) fixture for one decision (category, reason) of states.decisions.REASONS."""
    notice: dict[str, Any] = {"decision": {"category": category, "reason": reason},
                              "detail": copy.deepcopy(REPLY_DETAILS.get(reason, {}))}
    if category in (Category.DISCLOSE, Category.PARTIAL) and reason != "already_public":
        notice["provided"] = copy.deepcopy(_PROVIDED)
    notice.update(copy.deepcopy(_CLOSURE.get(reason, {})))
    if reason == "third_party":  # consulted under 条例第三十二条, the third party objected with reason
        notice["objection_withheld"] = True
    return _base(notice, doc_no="某自然资公复〔2026〕12号")


def all_reply_contexts() -> list[tuple[str, str, dict[str, Any]]]:
    """(category, reason, context) for every decision reason."""
    return [(str(r.category), r.code, reply_context(str(r.category), r.code)) for r in REASONS]


def _fee() -> dict[str, Any]:
    return {
        "method": "page", "basis_fact": "您申请获取的政府信息共计250页，需以纸质复制件形式提供。",
        "lines": [
            {"band": "30页以下（含30页）", "quantity": 30, "rate": 0, "amount": 0},
            {"band": "31—100页", "quantity": 70, "rate": 10, "amount": 700},
            {"band": "101—200页", "quantity": 100, "rate": 20, "amount": 2000},
            {"band": "200页以上", "quantity": 50, "rate": 40, "amount": 2000},
        ],
        "amount": 4700,
        "payment": {"how": "请通过非税收入缴款系统缴纳，或者持本通知书到本机关财务室缴纳。",
                    "payee": "某县财政局非税收入汇缴结算户", "account": "2510 0123 4567 8901",
                    "bank": "某县农村信用合作联社营业部"},
        "period_days": 20, "last_date": "2026-12-23",
    }


def _digest_rows() -> dict[str, Any]:
    def row(unit: str, officer: str, no: str, summary: str, clock: str, due: str, days: int) -> dict[str, Any]:
        return {"unit": unit, "officer": officer, "kind_label": "政府信息公开申请", "number": no,
                "summary": summary, "clock_label": clock, "due_date": due, "days": days}
    return {
        "overdue": [row("耕地保护科", f"{EXT_B}明", "依申〔2026〕0003号", f"{HOSTILE}申请征地批复",
                        "答复期限", "2026-11-20", 3)],
        "due_today": [row("办公室", "王五", "依申〔2026〕0005号", "采矿权出让信息", "答复期限", ISSUED, 0),
                      row("耕地保护科", f"{EXT_B}明", "依申〔2026〕0006号", "补正告知", "补正告知期限",
                          ISSUED, 0)],
        "due_soon": [row("办公室", "王五", "依申〔2026〕0009号", "规划许可证", "答复期限", "2026-11-27", 2)],
        "by_kind": [{"kind": "disclosure", "label": "政府信息公开申请", "overdue": 1, "due_today": 2, "due_soon": 1}],
    }


def _internal_case() -> dict[str, Any]:
    return {"kind": "disclosure", "kind_label": "政府信息公开申请", "number": "依申〔2026〕0001号",
            "summary": f"{HOSTILE}申请{EXT_B}祥村征地补偿明细", "url": "https://banli.example.gov.cn/d/1"}


_WORKORDER_CASE: dict[str, Any] = {
    "kind": "workorder", "kind_label": "12345工单", "order_no": "GD2026112500123", "number": "GD2026112500123",
    "caller": {"name": f"{EXT_B}振华", "phone": "13987654321"}, "category_label": "投诉—城乡建设—违章建筑",
    "content": f"{HOSTILE}反映：{EXT_B}祥路与人民路交叉口东北角有人搭建彩钢房，占用人行道，影响通行，请求处理。",
    "received_date": "2026-11-18",
}


def fixture_context(code: str) -> dict[str, Any]:
    """A complete, realistic context for notice type ``code``."""
    builders: dict[str, Any] = {
        "disclosure.receipt": lambda: _base({"query_code": "K7Q4-9XM2", "due_date": "2026-11-30"}),
        "disclosure.registration_form": lambda: _base(
            {"registered_date": "2026-11-02", "registered_by": "王五", "unit": "耕地保护科",
             "assignee": f"{EXT_B}明", "due_date": "2026-11-30", "note": "网上申请，已于当日电话确认"}),
        "disclosure.application_form": lambda: {"agency": copy.deepcopy(AGENCY), "issued_date": ISSUED},
        "disclosure.correction_notice": lambda: _base(
            {"corrections": ["请明确所需补偿费用发放明细的时间范围（年度或者批次）",
                             f"请说明所指“{EXT_B}祥村”具体为哪一个村民小组或者地块编号",
                             "请补充提供申请人身份证件复印件"],
             "guidance": "征地补偿信息一般按征收批次制作，您可以参考本局门户网站公布的征收公告确定批次。",
             "how": "书面形式（当面提交、邮寄或者发送电子邮件）", "period_days": 10, "last_date": "2026-11-23"}),
        "disclosure.reasons_notice": lambda: _base(
            {"facts": "2026年10月1日至11月2日，您以相同或者类似内容向本机关提出政府信息公开申请共计42件。",
             "period_days": 10, "last_date": "2026-11-23"}),
        "disclosure.delay_notice": lambda: _base(
            {"reasons_received_date": "2026-11-16", "reason": "您申请的信息涉及2015年以来的42个征收批次，需逐批调档查阅",
             "new_due_date": "2027-01-29"}),
        "disclosure.extension_notice": lambda: _base(
            {"reason": "您申请的信息涉及多个征收批次的档案，需要调档、核对", "extension_days": 20,
             "original_due_date": "2026-11-30", "new_due_date": "2026-12-28"}),
        "disclosure.consultation_third_party": lambda: _base(
            {"third_party": {"name": HOSTILE, "address": f"某县{EXT_B}祥镇"},
             "info_description": f"{EXT_B}祥村2025年度补偿费用发放明细中涉及您的补偿金额",
             "interest": "您的个人信息（姓名、补偿金额）", "period_days": 15, "last_date": "2026-11-26"}),
        "disclosure.consultation_applicant_notice": lambda: _base(
            {"consultee_kind": "third_party", "consultee_label": "第三方", "sent_date": "2026-11-05",
             "expected_date": "2026-12-28"}),
        "disclosure.disclose_despite_objection": lambda: _base(
            {"third_party": {"name": HOSTILE}, "consultation_date": "2026-11-05", "objection_date": "2026-11-12",
             "content": f"{EXT_B}祥村2025年度补偿费用发放汇总金额及各户补偿标准",
             "reasons": "征地补偿标准和补偿费用发放情况关系被征地农民的切身利益，公开有利于保障群众知情权和监督权。",
             "disclose_date": "2026-12-10"}),
        "disclosure.consultation_agency": lambda: _base(
            {"consulted_agency": f"某县{EXT_B}祥镇人民政府",
             "info_description": f"关于{HOSTILE}等户征地补偿安置的联合批复", "period_days": 15,
             "last_date": "2026-11-26", "contact_person": "王五"}),
        "disclosure.fee_notice": lambda: _base(_fee()),
        "disclosure.reply": lambda: reply_context("disclose", "provided"),
        "disclosure.closure_notice": lambda: _base({"reason": "correction_lapsed", **_CLOSURE["correction_lapsed"]}),
        "disclosure.delivery_record": lambda: _base(
            {"document_title": "政府信息公开申请答复书", "document_no": "某自然资公复〔2026〕12号",
             "method": "post", "method_label": "邮寄（EMS）", "ems_no": "1151234567890", "delivered_date": "2026-11-27",
             "signer": f"{EXT_B}振华（代收）", "signed_date": "2026-11-27", "deliverer": "王五"}),
        "disclosure.submission_ack": lambda: _base(
            {"submission_no": "WS20261101-0007", "query_code": "K7Q4-9XM2", "submitted_at": "2026-11-01T21:14+08:00"}),
        "disclosure.online_receipt": lambda: _base({"due_date": "2026-11-30", "confirmed_date": "2026-11-02"}),
        "disclosure.completion_request": lambda: _base(
            {"submission_no": "WS20261101-0007", "submitted_at": "2026-11-01T21:14+08:00",
             "message": f"请上传身份证件的扫描件；“{EXT_B}祥村”请写明所属乡镇。"}),
        "disclosure.submission_closed": lambda: _base(
            {"submission_no": "WS20261101-0007", "submitted_at": "2026-11-01T21:14+08:00",
             "closed_date": "2026-11-03", "by_applicant": False, "reason": "与同日提交的WS20261101-0006重复"}),
        "workorder.reply_sheet": lambda: {
            "agency": copy.deepcopy(AGENCY), "case": copy.deepcopy(_WORKORDER_CASE), "issued_date": ISSUED,
            "notice": {"result_label": "已解决", "handler": "王五", "unit": "执法监察大队", "handler_phone": "0878-3129999",
                       "reply_text": "经现场核查，该彩钢房系临时堆放建材所搭建，已责令当事人于11月22日自行拆除，现场已恢复通行。",
                       "reply_date": "2026-11-24", "reviewer": "赵六"}},
        "workorder.caller_text": lambda: {
            "agency": copy.deepcopy(AGENCY), "case": copy.deepcopy(_WORKORDER_CASE), "issued_date": ISSUED,
            "notice": {"result_label": "已解决",
                       "reply_text": "经现场核查，彩钢房已于11月22日拆除，现场已恢复通行。"}},
        "internal.assigned": lambda: {
            "agency": copy.deepcopy(AGENCY), "recipient": {"name": f"{EXT_B}明"}, "case": _internal_case(),
            "issued_date": ISSUED,
            "notice": {"assigned_by": "王五", "clock_label": "答复期限", "due_date": "2026-11-30"}},
        "internal.reminder": lambda: {
            "agency": copy.deepcopy(AGENCY), "recipient": {"name": f"{EXT_B}明"}, "case": _internal_case(),
            "issued_date": ISSUED,
            "notice": {"clock_label": "答复期限", "due_date": "2026-11-30", "working_days_left": 3}},
        "internal.overdue": lambda: {
            "agency": copy.deepcopy(AGENCY), "recipient": {"name": "赵六"}, "case": _internal_case(),
            "issued_date": ISSUED,
            "notice": {"level": 2, "clock_label": "答复期限", "due_date": "2026-11-20", "days_overdue": 3,
                       "officer": f"{EXT_B}明", "unit": "耕地保护科", "report_by": "2026-11-26"}},
        "internal.digest": lambda: {
            "agency": copy.deepcopy(AGENCY), "recipient": {"name": "赵六"}, "issued_date": ISSUED,
            "notice": {"digest_date": ISSUED, **_digest_rows()}},
    }
    return builders[code]()  # type: ignore[no-any-return]


MARKERS: dict[str, tuple[str, ...]] = {
    "disclosure.application_form": ("东楼 & <西楼>", EXT_B),
    # The caller is told back what they reported without the platform's "某某反映：" lead-in (the hostile name
    # stands there in the fixture), and their own name masked.
    "workorder.caller_text": (f"{EXT_B}**您好", f"“{EXT_B}祥路与人民路交叉口"),
}
"""Strings a rendered notice must contain literally; default ``(HOSTILE_CORE, EXT_B)``."""


def markers(code: str) -> tuple[str, ...]:
    return MARKERS.get(code, (HOSTILE_CORE, EXT_B))
