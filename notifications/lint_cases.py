"""Every document the catalog can produce, for the linter: each notice type × each decision or reason ×
both request kinds (disclosure applications and 12345 work orders), from realistic fixtures.

``punctuated`` gives the same documents with every free-text value ending in "。" — officers and
applicants type sentence marks, and the templates must not double them ("。”。", "完成。，").
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from notifications.catalog import CATALOG
from notifications.fixtures import all_reply_contexts, fixture_context, reply_context

Case = tuple[str, str, dict[str, Any]]  # (name, notice type, context)

# The notices that print a deadline counted by the working calendar, each with the flag ``provisional`` (the extension
# notice also ``original_provisional``, for the deadline it replaces): the date is followed by the provisional note.
PROVISIONAL_DATES = (
    "disclosure.receipt", "disclosure.online_receipt", "disclosure.registration_form", "disclosure.correction_notice",
    "disclosure.reasons_notice", "disclosure.delay_notice", "disclosure.extension_notice",
    "disclosure.consultation_third_party", "disclosure.consultation_agency", "disclosure.consultation_applicant_notice",
    "disclosure.fee_notice", "internal.assigned", "internal.reminder", "internal.overdue",
)


def _with(code: str, **notice: Any) -> dict[str, Any]:
    ctx = fixture_context(code)
    ctx["notice"].update(notice)
    return ctx


def _in_person(ctx: dict[str, Any]) -> dict[str, Any]:
    """The same notice for an organisation that applied at the counter and has no email."""
    ctx = copy.deepcopy(ctx)
    ctx["case"].update(channel="in_person", channel_label="当面提交", confirmed_date=None, obtain_way="post",
                       obtain_way_label="邮寄")
    ctx["case"]["applicant"].update(type="organization", type_label="法人或者其他组织", category="business",
                                    category_label="商业企业", name="某县恒达建材有限公司", email="",
                                    contact_person="李四", id_type="uscc", id_type_label="统一社会信用代码",
                                    id_number="91530000MA6K8Y0X2B")
    return ctx


def variants() -> Iterator[Case]:
    """The base fixture of every type, then the other decisions and forms each type can take."""
    for code in CATALOG:
        yield code, code, fixture_context(code)
    for category, reason, ctx in all_reply_contexts():
        yield f"disclosure.reply:{category}.{reason}", "disclosure.reply", ctx
    partial = reply_context("partial", "partial")
    partial["notice"]["objection_withheld"] = True
    yield "disclosure.reply:partial.partial:objection_withheld", "disclosure.reply", partial
    unconsulted = reply_context("refuse", "third_party")
    unconsulted["notice"].pop("objection_withheld")
    yield "disclosure.reply:refuse.third_party:not_consulted", "disclosure.reply", unconsulted
    lapsed = reply_context("not_processed", "excessive")  # 条例第三十五条: the period passed without reasons
    for key in ("reasons_received_date", "reasons_summary"):
        lapsed["notice"]["detail"].pop(key)
    yield "disclosure.reply:not_processed.excessive:lapsed", "disclosure.reply", lapsed
    yield ("disclosure.delay_notice:reasons_notice_date", "disclosure.delay_notice",
           _with("disclosure.delay_notice", reasons_notice_date="2026-11-06"))
    yield "disclosure.reply:in_person", "disclosure.reply", _in_person(reply_context("disclose", "provided"))
    files = [{"id": 7, "filename": "征收补偿安置方案.pdf", "sha256": "0" * 64, "size": 812_345,
              "content_type": "application/pdf"}, {"id": 8, "filename": "补偿费用汇总表.png", "sha256": "1" * 64,
                                                   "size": 95_120, "content_type": "image/png"}]
    for category in ("disclose", "partial"):
        reason = "provided" if category == "disclose" else "partial"
        attached = reply_context(category, reason)
        attached["notice"]["provided"]["files"] = files
        yield f"disclosure.reply:{category}:files", "disclosure.reply", attached
        linked = reply_context(category, reason)
        linked["notice"]["provided"].pop("note", None)
        linked["notice"]["provided"]["link"] = {
            "files": [f["filename"] for f in files], "size_mb": 24.6, "limit_mb": 10, "until": "2026-12-25",
            "url": "https://zrzy.example.gov.cn/gongkai/demo/xiazai/1/2026-12-25/0f1e2d3c4b5a69788796a5b4"}
        yield f"disclosure.reply:{category}:link", "disclosure.reply", linked
    yield "disclosure.receipt:in_person", "disclosure.receipt", _in_person(fixture_context("disclosure.receipt"))
    oral = _in_person(fixture_context("disclosure.registration_form"))
    oral["case"]["oral"] = True
    yield "disclosure.registration_form:oral", "disclosure.registration_form", oral
    for reason in ("fee_unpaid", "withdrawn"):
        closure = reply_context("other", reason)["notice"]
        closure.pop("decision"), closure.pop("detail")
        ctx = fixture_context("disclosure.closure_notice")
        ctx["notice"] = {"reason": reason, **closure}
        yield f"disclosure.closure_notice:{reason}", "disclosure.closure_notice", ctx
    yield ("disclosure.consultation_applicant_notice:agency", "disclosure.consultation_applicant_notice",
           _with("disclosure.consultation_applicant_notice", consultee_kind="agency", consultee_label="有关行政机关"))
    for code in ("disclosure.consultation_third_party", "disclosure.consultation_agency"):
        yield f"{code}:received", code, _with(code, received_date="2026-11-06")
    yield ("disclosure.submission_closed:by_applicant", "disclosure.submission_closed",
           _with("disclosure.submission_closed", by_applicant=True, reason=""))
    yield ("disclosure.fee_notice:item", "disclosure.fee_notice",
           _with("disclosure.fee_notice", method="item", basis_fact="您本自然月内累计申请第31件起，本次按2件计",
                 lines=[{"band": "第31—40件", "quantity": 2, "rate": 200, "amount": 400}], amount=400,
                 pauses_reply_clock=True))
    yield "internal.overdue:level1", "internal.overdue", _with("internal.overdue", level=1, report_by="")
    yield ("internal.overdue:hours", "internal.overdue",
           _with("internal.overdue", level=1, report_by="", due_time="12:00", overdue_text="12分钟（工作时间）"))
    yield ("internal.overdue:by_hand", "internal.overdue",
           _with("internal.overdue", level=2, report_by="", by="负责人陈红", note="请今日内办结", days_overdue=0))
    yield ("internal.reminder:hours", "internal.reminder",
           _with("internal.reminder", working_days_left=0, due_time="12:00", minutes_left=30, for_desk=True))
    # A deadline counted through a year whose holiday notice is not out yet: the date carries the provisional note.
    for code in PROVISIONAL_DATES:
        yield f"{code}:provisional", code, _with(code, provisional=True, original_provisional=True)
    digest = fixture_context("internal.digest")
    for row in digest["notice"]["due_soon"]:
        row["provisional"] = True
    yield "internal.digest:provisional", "internal.digest", digest
    yield ("disclosure.delivery_record:in_person", "disclosure.delivery_record",
           _with("disclosure.delivery_record", method="in_person", method_label="直接送达", ems_no="",
                 delivered_date="", signer="", signed_date=""))
    for code in ("workorder.caller_text", "workorder.reply_sheet"):
        ctx = fixture_context(code)
        ctx["case"]["content"] = "来电人反映：" + ctx["case"]["content"]
        ctx["notice"].pop("result_label")
        yield f"{code}:platform_text", code, ctx


# Values people type as sentences (officers' reasons and explanations, the applicant's description).
FREE_TEXT = frozenset({
    "description", "content", "summary", "reason", "reasons", "facts", "interest", "info_description", "corrections",
    "guidance", "how", "message", "basis_fact", "withheld", "withheld_reason", "explanation", "search_note", "note",
    "text", "history", "reply_text", "documents", "channel_pointer", "reasons_summary", "published_where",
    "legal_basis", "special_law", "where", "publication",
})
_CODE = re.compile(r"^[a-z_]+$")


def _punctuate(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _punctuate(v, k) for k, v in value.items()}
    if key not in FREE_TEXT:
        return value
    if isinstance(value, list):
        return [_punctuate(v, key) for v in value]
    if isinstance(value, str) and value and not _CODE.match(value) and not value.endswith(("。", "）", "”")):
        return value + "。"
    return value


def punctuated() -> Iterator[Case]:
    """Every variant with sentence marks typed at the end of each free text (description, reasons, items)."""
    for name, code, ctx in variants():
        ctx = copy.deepcopy(ctx)
        for part in ("notice", "case"):
            if isinstance(ctx.get(part), dict):
                ctx[part] = _punctuate(ctx[part])
        yield f"{name}:punctuated", code, ctx

