"""The snapshot builders produce contexts the templates accept."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from db.models import Agency, Disclosure
from notifications.context import agency_context, case_ref, disclosure_case_context
from notifications.errors import RenderError
from notifications.render import render


def _agency(**settings) -> Agency:
    return Agency(id=3, code="lqx", name="某县住房和城乡建设局", settings=settings,
                  created_at=datetime(2026, 1, 1, tzinfo=UTC))


def _disclosure() -> Disclosure:
    return Disclosure(
        id=9, agency_id=3, state="registered", tracking_no="依申〔2026〕0009号", query_code_hash="x",
        applicant_type="organization", applicant_category="legal_service", applicant_name="某律师事务所 & <合伙>",
        id_type="uscc", id_number="91530100MA6K000000", applicant_key="uscc:91530100MA6K000000",
        email="law@example.com", contact_person="\U00020bb7律师", description="2025年度棚户区改造项目审批文件",
        form_wanted="paper", obtain_way="post", channel="letter",
        received_at_raw=datetime(2026, 11, 1, 17, 30, tzinfo=UTC),  # 2 November 01:30 in Shanghai
        confirmed_at=datetime(2026, 11, 2, 2, 0, tzinfo=UTC), receipt_date=date(2026, 11, 2),
        created_at=datetime(2026, 11, 2, tzinfo=UTC), updated_at=datetime(2026, 11, 2, tzinfo=UTC))


def test_disclosure_case_context_labels_and_local_dates():
    case = disclosure_case_context(_disclosure())
    assert case["applicant"]["type_label"] == "法人或者其他组织"
    assert case["applicant"]["category_label"] == "法律服务机构"
    assert case["channel_label"] == "平常信函" and case["obtain_way_label"] == "邮寄"
    assert case["received_at"] == "2026-11-02T01:30+08:00" and case["confirmed_date"] == "2026-11-02"
    assert case["applicant"]["id_number_masked"] == "9153**********0000"


def test_agency_context_defaults_and_missing_organ():
    ctx = agency_context(_agency(phone="0878-1", address="某县", seal_text=""), {"litigation_court": ""})
    assert ctx["seal_text"] == ctx["office_name"] == "某县住房和城乡建设局"
    assert ctx["litigation_court"] == "有管辖权的人民法院" and ctx["reconsideration_organ"] == ""
    assert ctx["mail_attachments"] == ["pdf"]
    full = agency_context(_agency(phone="0878-1"), {"reconsideration_organ": "某县人民政府"})
    assert full["reconsideration_organ"] == "某县人民政府"


def test_built_context_renders_receipt_and_refuses_reply_without_organ(settings):
    agency = agency_context(_agency(phone="0878-1", lookup_url="https://x.example/q"))
    ctx = {"agency": agency, "case": disclosure_case_context(_disclosure()), "issued_date": "2026-11-02",
           "notice": {"query_code": "ABCD-1234", "due_date": "2026-11-30"}}
    text = render("disclosure.receipt", ctx, "txt", settings=settings).content.decode()
    assert "某律师事务所 & <合伙>" in text and "平常信函" in text
    reply = {**ctx, "doc_no": "住建公复〔2026〕1号",
             "notice": {"decision": {"category": "unavailable", "reason": "not_held"}, "detail": {}}}
    with pytest.raises(RenderError, match=r"agency\.reconsideration_organ"):
        render("disclosure.reply", reply, "txt", settings=settings)


def test_case_ref():
    assert case_ref("workorder", "GD1", "噪音")["kind_label"] == "12345工单"
