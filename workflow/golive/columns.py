"""The column mapping of the go-live import of disclosure applications (上线导入): which header feeds which field,
which words a clerk may write in each column, and what each column means (the template and docs/going-live.md
are generated from this table, so the three never disagree).

Headers are matched without spaces and without a trailing ``*``; the first header of a column is the one the
template writes, the others are accepted aliases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from states.decisions import CATEGORY_LABELS as DECISION_CATEGORY_LABELS
from states.decisions import REASONS, Category
from states.identity import ID_TYPE_WORDS
from states.wording import (
    APPLICANT_CATEGORIES,
    APPLICANT_TYPES,
    CHANNELS,
    DELIVERY_METHODS,
    FORMS_WANTED,
    OBTAIN_WAYS,
    REASONS_ASSESSMENTS,
)


@dataclass(frozen=True)
class Column:
    """One column of the import file."""

    key: str
    headers: tuple[str, ...]  # the template's header first, then accepted aliases
    kind: str  # text | date | datetime | int | choice
    required: str  # "是", "否", or when it is needed
    meaning: str  # what to write (plain Chinese, shown in the template's 填写说明 and the docs)
    example: str = ""
    choices: dict[str, str] = field(default_factory=dict)  # word written → code
    max_length: int = 0

    @property
    def header(self) -> str:
        return self.headers[0]


def _words(labels: dict[str, str], **aliases: str) -> dict[str, str]:
    """Accepted words → code: every label, every code itself, and the aliases."""
    out = {label: code for code, label in labels.items()}
    out.update({code: code for code in labels})
    out.update({word: code for word, code in aliases.items()})
    return out


CHANNEL_WORDS = _words(CHANNELS, 当面="in_person", 现场="in_person", 现场提交="in_person", 邮寄="post_signed",
                  挂号信="post_signed", 信函="letter", 平信="letter", 互联网="internet", 网上="internet",
                  网站="internet", 网上申请="internet", 在线="internet", 邮件="email", 电邮="email")
APPLICANT_TYPE_WORDS = _words(APPLICANT_TYPES, 自然人="natural", 法人或其他组织="organization", 法人="organization",
                              其他组织="organization", 组织="organization", 单位="organization")
APPLICANT_CATEGORY_WORDS = _words(APPLICANT_CATEGORIES, 企业="business", 公益组织="public_welfare", 律师事务所="legal_service")
FORMS = _words(FORMS_WANTED, 纸质文本="paper", 电子="electronic", 电子数据="electronic", 查阅="inspection",
               当场查阅="inspection")
OBTAIN_WAY_WORDS = _words(OBTAIN_WAYS, 自行领取="collect", 现场领取="collect", 自取="collect", 邮件="email",
                     网上="online")
STATUS_LABELS = {"concluded": "已办结", "registered": "待分办", "handling": "办理中",
                 "awaiting_correction": "待补正", "consulting": "征求意见中", "awaiting_fee": "待缴费"}
STATUSES = _words(STATUS_LABELS, 办结="concluded", 已答复="concluded", 已送达="concluded", 已终止="concluded",
                  已归档="concluded", 已登记="registered", 已登记待分办="registered")
OPINIONS = {"同意": "agree", "同意公开": "agree", "不同意": "object", "不同意公开": "object", "反对": "object",
            "未提出意见": "none", "无意见": "none", "期满未答复": "lapsed", "逾期未答复": "lapsed",
            "agree": "agree", "object": "object", "none": "none", "lapsed": "lapsed"}
CONSULTEE_KINDS = {"第三方": "third_party", "其他机关": "agency", "有关机关": "agency", "行政机关": "agency",
                   "third_party": "third_party", "agency": "agency"}
FEE_METHODS = {"按件": "item", "按件计收": "item", "按量": "page", "按页": "page", "按量计收": "page",
               "item": "item", "page": "page"}
OBJECTION_OUTCOMES = {"不予公开": "withheld", "决定公开": "disclosed", "予以公开": "disclosed", "公开": "disclosed",
                      "withheld": "withheld", "disclosed": "disclosed"}
ASSESSMENT_WORDS = _words(REASONS_ASSESSMENTS, 不合理="unreasonable", 理由不合理="unreasonable", 合理="reasonable",
                          理由合理="reasonable")
DELIVERY_WORDS = _words(DELIVERY_METHODS, 邮寄="post", 电子邮件="email", 邮件="email", 当面="in_person",
                        直接送达="in_person", 自取="in_person", 当面领取="in_person", 网上="online", 传真="fax")

# Decisions: the label of each reason (states.decisions), its code "category.reason", and the closures that are
# not replies (撤回, 逾期未补正, 逾期未缴费) by their short names.
DECISIONS: dict[str, str] = {}
for _r in REASONS:
    if _r.category == Category.OTHER and _r.code == "other":
        continue  # （六）3 其他: no step of the procedure produces it; such a case is entered by hand
    DECISIONS[_r.label] = f"{_r.category}.{_r.code}"
    DECISIONS[f"{_r.category}.{_r.code}"] = f"{_r.category}.{_r.code}"
    DECISIONS[f"{DECISION_CATEGORY_LABELS[_r.category]}：{_r.label}"] = f"{_r.category}.{_r.code}"
DECISIONS.update({"撤回": "other.withdrawn", "申请人撤回": "other.withdrawn", "逾期未补正": "other.correction_lapsed",
                  "逾期不补正": "other.correction_lapsed", "逾期未缴费": "other.fee_unpaid"})

COLUMNS: tuple[Column, ...] = (
    Column("source_no", ("原编号", "本机关编号", "申请编号", "登记编号"), "text", "是",
           "本机关台账上的申请编号；同一编号只导入一次（再次导入同一文件不会重复登记）", "2025-依申-017", max_length=64),
    Column("received_at", ("收到时间", "收到日期", "申请时间", "收件日期"), "datetime", "是",
           "收到申请的日期或时间（可写到分钟）", "2025-03-03 09:30"),
    Column("channel", ("提交方式", "申请方式", "收件方式"), "choice", "是",
           "申请的提交渠道（决定收到申请之日，条例第三十一条）", "当面提交", CHANNEL_WORDS),
    Column("confirmed_at", ("确认时间", "确认日期", "双方确认日期"), "datetime", "平常信函、互联网、传真、电子邮件提交时必填",
           "与申请人确认收到申请的日期（条例第三十一条第二项、第三项）", ""),
    Column("applicant_type", ("申请人类型",), "choice", "是", "公民（也可写自然人），或法人或者其他组织", "公民", APPLICANT_TYPE_WORDS),
    Column("applicant_category", ("申请人类别", "申请主体类别"), "choice", "法人或者其他组织必填",
           "年度报告表三的申请人类别；公民可不填", "", APPLICANT_CATEGORY_WORDS),
    Column("applicant_name", ("申请人", "申请人姓名或名称", "申请人姓名", "申请人名称"), "text", "是", "姓名或单位名称",
           "张三", max_length=200),
    Column("id_type", ("证件类型",), "choice", "否", "不填时：公民为居民身份证，法人或者其他组织为统一社会信用代码",
           "居民身份证", ID_TYPE_WORDS),
    Column("id_number", ("证件号码", "身份证号码", "统一社会信用代码"), "text", "是", "按证件类型校验（身份证号码、统一社会信用代码的校验码）",
           "11010519491231002X", max_length=64),
    Column("contact_person", ("联系人",), "text", "否", "法人或者其他组织的联系人", "", max_length=100),
    Column("phone", ("联系电话", "电话"), "text", "电话、电子邮箱、通信地址至少填一项", "申请人的联系电话", "13800138000",
           max_length=40),
    Column("email", ("电子邮箱", "邮箱"), "text", "以电子邮件获取信息时必填", "申请人的电子邮箱", max_length=254),
    Column("address", ("通信地址", "地址"), "text", "邮寄获取信息时必填", "申请人的通信地址", "某县人民路1号",
           max_length=300),
    Column("postal_code", ("邮政编码", "邮编"), "text", "否", "6位数字", "", max_length=10),
    Column("description", ("申请内容", "所需信息", "申请公开的政府信息"), "text", "是", "所需政府信息的名称、文号或便于查询的特征描述",
           "2024年本县农村道路建设项目的招标文件", max_length=4000),
    Column("document_ref", ("文件名称文号", "文号"), "text", "否", "所需信息的文件名称、文号", "", max_length=200),
    Column("purpose", ("用途",), "text", "否", "申请人说明的用途", "", max_length=1000),
    Column("form_wanted", ("获取信息的形式", "提供形式"), "choice", "否", "不填时为纸质", "纸质", FORMS),
    Column("obtain_way", ("获取信息的方式", "获取方式"), "choice", "否", "不填时为当面领取", "当面领取", OBTAIN_WAY_WORDS),
    Column("status", ("办理状态", "状态", "当前环节"), "choice", "是",
           "已办结，或尚未办结时所处的环节：待分办、办理中、待补正、征求意见中、待缴费", "已办结", STATUSES),
    Column("assignee", ("承办人",), "text", "待分办以外必填（撤回的可不填）", "本机关承办人的用户名或姓名（须已建账户）", "lisi"),
    Column("assigned_date", ("分办日期",), "date", "否", "不填时为收到申请之日", ""),
    Column("correction_date", ("补正告知日期",), "date", "发出过补正告知时必填", "补正告知须在收到申请之日起7个工作日内（条例第三十条）", ""),
    Column("correction_items", ("补正事项",), "text", "否", "不填时为“请补正申请内容”；多项用“；”分隔", "", max_length=2000),
    Column("correction_period", ("补正期限",), "int", "否", "补正期限（工作日），不填时按本机关设置", ""),
    Column("correction_received", ("补正收到日期", "收到补正日期"), "date", "已补正时必填", "答复期限自收到补正之日起重新计算", ""),
    Column("consultee_name", ("征求意见对象",), "text", "征求过意见时必填", "第三方或有关机关的名称", "", max_length=200),
    Column("consultee_kind", ("征求意见对象类型",), "choice", "征求过意见时必填", "第三方，或其他机关", "", CONSULTEE_KINDS),
    Column("consultation_reason", ("征求意见事由",), "text", "征求第三方意见时必填",
           "公开可能损害第三方合法权益的情形（条例第三十二条）", "", max_length=2000),
    Column("consultation_sent", ("征求意见发出日期",), "date", "征求过意见时必填", "答复期限自此日起暂停计算（条例第三十三条第三款）", ""),
    Column("opinion", ("意见",), "choice", "已收到意见或期满时必填", "同意、不同意、未提出意见，或期满未答复", "", OPINIONS),
    Column("opinion_date", ("意见收到日期",), "date", "收到意见时必填", "期满未答复的不填", ""),
    Column("extension_date", ("延期日期", "延期批准日期"), "date", "延期答复时必填", "须在答复期限届满前（条例第三十三条第二款）", ""),
    Column("extension_days", ("延期天数", "延长工作日"), "int", "延期答复时必填", "不超过20个工作日", ""),
    Column("extension_reason", ("延期理由",), "text", "延期答复时必填", "告知申请人的延期理由", "", max_length=500),
    Column("fee_notice_date", ("收费通知日期",), "date", "发出过收费通知时必填", "缴费期限自通知次日起计算", ""),
    Column("fee_method", ("收费方式", "计费方式"), "choice", "发出过收费通知时必填", "按件或按量（页）", "", FEE_METHODS),
    Column("fee_quantity", ("计费数量",), "int", "发出过收费通知时必填", "件数或页数", ""),
    Column("fee_paid_date", ("缴费日期",), "date", "已缴费时必填", "计入该日所在年度的信息处理费", ""),
    Column("fee_receipt_no", ("收据号", "缴费凭证号"), "text", "否", "财政票据号码", "", max_length=100),
    # 条例第三十五条: reasons asked for, and received (with the agency's finding) or not within the period
    Column("reasons_date", ("说明理由告知日期",), "date", "要求申请人说明理由时必填（处理结果为无正当理由大量反复申请的必填）",
           "申请数量、频次明显超过合理范围，要求申请人说明理由的告知日期（条例第三十五条）", ""),
    Column("reasons_facts", ("说明理由事由",), "text", "填写说明理由告知日期时必填",
           "告知书所述申请数量、频次明显超过合理范围的情况", "", max_length=2000),
    Column("reasons_period", ("说明理由期限",), "int", "否", "说明理由的期限（工作日），不填时为10个工作日", ""),
    Column("reasons_received", ("理由收到日期",), "date", "申请人说明理由时必填",
           "申请人未说明理由的不填：处理结果为无正当理由大量反复申请的，办结日期须在说明理由期限届满之后", ""),
    Column("reasons_assessment", ("理由审查意见",), "choice", "填写理由收到日期时必填",
           "不合理（告知不予处理），或合理（继续办理）", "", ASSESSMENT_WORDS),
    Column("reasons_text", ("申请人说明的理由",), "text", "否", "申请人说明的理由（摘要），理由不合理的，答复书引述", "",
           max_length=2000),
    Column("concluded_date", ("办结日期", "答复日期"), "date", "已办结时必填",
           "答复、撤回或终止的日期（计入该日所在年度的年度报告）", "2025-03-20"),
    Column("decision", ("处理结果", "答复类型"), "choice", "已办结时必填",
           "见“代码表”：答复理由（如“可以公开，予以提供”）、其代码，或撤回、逾期未补正、逾期未缴费", "可以公开，予以提供", DECISIONS),
    Column("report_row", ("表三栏目", "年报栏目"), "text", "否",
           "年度报告表三的栏目（如 3.1、3.4.1）；填写时与处理结果核对", "3.1", max_length=16),
    Column("decision_detail", ("答复说明",), "text", "部分处理结果必填（见代码表）",
           "处理结果所需的说明：公开途径、不予公开部分的理由、法律依据、负责机关等", "", max_length=2000),
    Column("objection_outcome", ("异议信息处理",), "choice", "第三方不同意公开而答复部分公开时必填",
           "第三方不同意公开的信息：不予公开，或决定公开（条例第三十二条）", "", OBJECTION_OUTCOMES),
    Column("public_interest_reason", ("决定公开的理由",), "text", "第三方不同意公开而决定公开时必填",
           "不公开可能对公共利益造成重大影响的理由（条例第三十二条）", "", max_length=2000),
    Column("delivered_date", ("送达日期",), "date", "否", "答复书送达申请人的日期", ""),
    Column("delivery_method", ("送达方式",), "choice", "填写送达日期时必填", "邮寄、电子邮件、当面、网上或传真", "", DELIVERY_WORDS),
    Column("tracking_no", ("邮件号码", "快递单号"), "text", "邮寄送达时必填", "EMS等邮件的单号", "", max_length=64),
    Column("note", ("备注",), "text", "否", "记入登记备注", "", max_length=1000),
)

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c.key for c in COLUMNS if c.required == "是")


def norm_header(h: object) -> str:
    """A header as compared: no spaces, no trailing required mark."""
    return "".join(str(h).split()).rstrip("*＊") if h is not None else ""


def locate(headers: tuple[object, ...]) -> tuple[dict[str, int], list[str]]:
    """(column key → index, the required columns that are missing, by their template header)."""
    at = {norm_header(h): i for i, h in reversed(list(enumerate(headers))) if h is not None}
    found: dict[str, int] = {}
    for c in COLUMNS:
        hit = next((at[h] for h in c.headers if h in at), None)
        if hit is not None:
            found[c.key] = hit
    missing = [BY_KEY[k].header for k in REQUIRED if k not in found]
    return found, missing
