"""Reply decisions (答复类型) and their one row in annual-report table 三 (rules.md §1.6, §3.3).

A decision is a category plus a reason. Each (category, reason) maps to exactly one row key of
table 三; the row keys and labels are those of the 2021 format (国办公开办函〔2021〕30号).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    DISCLOSE = "disclose"  # 予以公开
    PARTIAL = "partial"  # 部分公开
    REFUSE = "refuse"  # 不予公开
    UNAVAILABLE = "unavailable"  # 无法提供
    NOT_PROCESSED = "not_processed"  # 不予处理
    OTHER = "other"  # 其他处理


CATEGORY_LABELS: dict[Category, str] = {
    Category.DISCLOSE: "予以公开",
    Category.PARTIAL: "部分公开",
    Category.REFUSE: "不予公开",
    Category.UNAVAILABLE: "无法提供",
    Category.NOT_PROCESSED: "不予处理",
    Category.OTHER: "其他处理",
}


@dataclass(frozen=True)
class Reason:
    """One decision reason: its row in table 三, the article it rests on and what it needs."""

    category: Category
    code: str
    label: str
    article: str  # the article it rests on; "" for a category of practice that no article names
    row: str
    required: tuple[str, ...] = ()  # decision_detail keys the reply must carry
    reconsideration_first: bool = False  # 行政复议法第二十三条: refusal under 条例第十四、十五、十六条


REASONS: tuple[Reason, ...] = (
    # （一）予以公开 — 条例第三十六条第（二）项; （一）项 "already published" is commonly counted here too
    # (rules.md §3.3, UNCONFIRMED: the row for 36(1) is an agency setting, see row_for()).
    Reason(Category.DISCLOSE, "provided", "可以公开，予以提供", "条例第三十六条第（二）项", "3.1"),
    Reason(Category.DISCLOSE, "already_public", "已经主动公开，告知获取方式和途径", "条例第三十六条第（一）项", "3.1",
           ("published_where",)),
    # （二）部分公开 — 条例第三十七条
    Reason(Category.PARTIAL, "partial", "部分公开（区分处理）", "条例第三十七条", "3.2", ("withheld_reason",)),
    # （三）不予公开 — 条例第十四、十五、十六条; 第三十六条第（三）项
    Reason(Category.REFUSE, "state_secret", "属于国家秘密", "条例第十四条", "3.3.1", (), True),
    Reason(Category.REFUSE, "law_prohibits", "其他法律行政法规禁止公开", "条例第十四条", "3.3.2", ("legal_basis",), True),
    Reason(Category.REFUSE, "security_stability", "危及“三安全一稳定”", "条例第十四条", "3.3.3", (), True),
    Reason(Category.REFUSE, "third_party", "保护第三方合法权益", "条例第十五条、第三十二条", "3.3.4", (), True),
    Reason(Category.REFUSE, "internal_affairs", "属于三类内部事务信息", "条例第十六条第一款", "3.3.5", (), True),
    Reason(Category.REFUSE, "process_info", "属于四类过程性信息", "条例第十六条第二款", "3.3.6", (), True),
    Reason(Category.REFUSE, "enforcement_file", "属于行政执法案卷", "条例第十六条第二款", "3.3.7", (), True),
    Reason(Category.REFUSE, "special_access", "属于行政查询事项", "条例第三十六条第（七）项", "3.3.8",
           ("special_law",)),
    # （四）无法提供 — 条例第三十六条第（四）（五）项, 第三十八条, 第三十条
    Reason(Category.UNAVAILABLE, "not_held", "本机关不掌握相关政府信息（经检索没有）", "条例第三十六条第（四）项", "3.4.1"),
    Reason(Category.UNAVAILABLE, "not_responsible", "不属于本机关负责公开", "条例第三十六条第（五）项", "3.4.1",
           ("responsible_agency", "responsible_contact")),
    Reason(Category.UNAVAILABLE, "needs_creation", "没有现成信息需要另行制作", "条例第三十八条", "3.4.2"),
    Reason(Category.UNAVAILABLE, "still_unclear", "补正后申请内容仍不明确", "条例第三十条", "3.4.3"),
    # （五）不予处理 — 条例第三十九条、第三十六条第（六）项、第三十五条
    Reason(Category.NOT_PROCESSED, "petition", "信访举报投诉类申请", "条例第三十九条第一款", "3.5.1", ("channel_pointer",)),
    Reason(Category.NOT_PROCESSED, "repeat", "重复申请", "条例第三十六条第（六）项", "3.5.2"),
    Reason(Category.NOT_PROCESSED, "publication", "要求提供公开出版物", "条例第三十九条第二款", "3.5.3"),
    Reason(Category.NOT_PROCESSED, "excessive", "无正当理由大量反复申请", "条例第三十五条", "3.5.4"),
    Reason(Category.NOT_PROCESSED, "confirm_reissue", "要求行政机关确认或重新出具已获取信息", "", "3.5.5"),
    # （六）其他处理
    Reason(Category.OTHER, "correction_lapsed", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
           "条例第三十条", "3.6.1"),
    Reason(Category.OTHER, "fee_unpaid", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
           "国办函〔2020〕109号", "3.6.2"),
    Reason(Category.OTHER, "withdrawn", "申请人撤回申请", "", "3.6.3"),
    Reason(Category.OTHER, "other", "其他", "", "3.6.3", ("note",)),
)

# What each decision_detail key of a reply asks for (Reason.required), as the clerk reads it.
DETAIL_LABELS: dict[str, str] = {
    "published_where": "已主动公开的途径（网址、公报期号等）",
    "withheld_reason": "不予公开部分及理由",
    "legal_basis": "禁止公开的法律、行政法规依据",
    "special_law": "有特别规定的法律、行政法规名称",
    "responsible_agency": "负责公开该信息的机关",
    "responsible_contact": "该机关的联系方式",
    "channel_pointer": "告知的信访、投诉、举报渠道",
    "note": "说明",
}

REASON_BY_KEY: dict[tuple[Category, str], Reason] = {(r.category, r.code): r for r in REASONS}

# Reasons an officer may choose in a reply; the "other" closures come from lapses and withdrawal.
REPLY_CATEGORIES: tuple[Category, ...] = (
    Category.DISCLOSE, Category.PARTIAL, Category.REFUSE, Category.UNAVAILABLE, Category.NOT_PROCESSED,
)
SYSTEM_REASONS: frozenset[str] = frozenset({"correction_lapsed", "fee_unpaid", "withdrawn"})


def reasons_for(category: Category) -> tuple[Reason, ...]:
    return tuple(r for r in REASONS if r.category == category)


def lookup(category: str, reason: str) -> Reason | None:
    """The Reason for a (category, reason) pair, or None if the pair is unknown."""
    try:
        return REASON_BY_KEY.get((Category(category), reason))
    except ValueError:
        return None


def row_for(reason: Reason, overrides: dict[str, str] | None = None) -> str:
    """The table-三 row for a reason, honouring an agency's override (e.g. for already_public)."""
    if overrides:
        return overrides.get(f"{reason.category}.{reason.code}", reason.row)
    return reason.row
