"""Action payload schemas: in step with the table, Chinese messages, extension bounds from the profile."""

from __future__ import annotations

from datetime import timedelta

import pytest

from states.hotline import MACHINE, CallbackResult, TerminationGround
from workflow.hotline.payloads import (
    PAYLOADS,
    ApproveExtensionPayload,
    NotePayload,
    PayloadError,
    ReasonPayload,
    ReassignPayload,
    RecordCallbackPayload,
    ReplyPayload,
    RequestExtensionPayload,
    RequestTerminationPayload,
    parse_payload,
    validate_payload,
)


def test_every_trigger_has_a_schema_matching_its_documented_keys():
    assert set(PAYLOADS) == set(MACHINE.triggers)
    for trigger, rows in MACHINE.by_trigger.items():
        for row in rows:
            assert set(row.payload) == set(PAYLOADS[trigger].model_fields), trigger


def problems(trigger, data, **kw):
    with pytest.raises(PayloadError) as exc:
        validate_payload(trigger, data, **kw)
    return dict(exc.value.problems)


@pytest.mark.parametrize("trigger", ["return_order", "rehandle", "convert_to_disclosure", "reassign"])
def test_reason_required_and_not_blank(trigger):
    assert problems(trigger, {}) == {"reason": "理由为必填项"}
    assert problems(trigger, {"reason": "   "}) == {"reason": "理由不能为空"}
    p = validate_payload(trigger, {"reason": " 不属于本单位职责 "})
    assert isinstance(p, ReasonPayload | ReassignPayload) and p.reason == "不属于本单位职责"


def test_extension_days_bounded_by_profile():
    ok = parse_payload(RequestExtensionPayload, {"reason": "情况复杂", "days": 10}, max_extension_days=10)
    assert ok.days == 10
    assert problems("request_extension", {"reason": "x", "days": 11}, max_extension_days=10) == {
        "days": "延期天数不能超过10个工作日"}
    assert problems("request_extension", {"reason": "x", "days": 0}, max_extension_days=10) == {
        "days": "延期天数应大于或等于1"}
    assert problems("request_extension", {"reason": "x", "days": "五"}, max_extension_days=10) == {
        "days": "延期天数应为整数"}
    assert "未设置延期上限" in problems("approve_extension", {"days": 3})["days"]
    assert parse_payload(ApproveExtensionPayload, {"days": 3}, max_extension_days=5).days == 3


def test_callback_result_codes_and_chinese_labels():
    assert parse_payload(RecordCallbackPayload, {"result": "dissatisfied"}).result is CallbackResult.DISSATISFIED
    assert parse_payload(RecordCallbackPayload, {"result": "基本满意", "note": "已回访"}).result == "basically_satisfied"
    msg = problems("record_callback", {"result": "ok"})["result"]
    assert "满意 / 基本满意 / 不满意" in msg
    assert problems("record_callback", {}) == {"result": "回访结果为必填项"}


def test_reply_and_interim_reply_need_text():
    assert problems("reply", {"result_text": ""}) == {"result_text": "办理结果不能为空"}
    assert parse_payload(ReplyPayload, {"result_text": "已处理", "attachment_ids": [3]}).attachment_ids == [3]
    assert problems("interim_reply", {}) == {"text": "答复内容为必填项"}


def test_termination_needs_reason_and_ground():
    p = parse_payload(RequestTerminationPayload, {"reason": "来电人拒不配合", "ground": "服务对象拒不配合导致无法办理"})
    assert p.ground is TerminationGround.UNCOOPERATIVE
    assert set(problems("request_termination", {"reason": "x", "ground": "bored"})) == {"ground"}


def test_reassign_due_must_be_aware():
    assert problems("reassign", {"reason": "x", "platform_due_at": "2026-03-09T18:00"}) == {
        "platform_due_at": "平台办理时限须带时区"}
    p = parse_payload(ReassignPayload, {"reason": "x", "platform_due_at": "2026-03-09T18:00:00+08:00"})
    assert p.platform_due_at is not None and p.platform_due_at.utcoffset() == timedelta(hours=8)


def test_unknown_fields_and_triggers():
    assert problems("sign_for", {"colour": "red"}) == {"colour": "不接受的字段“colour”"}
    assert problems("fly", {}) == {"": "未知的操作：fly"}
    assert parse_payload(NotePayload, None).note == ""
    assert isinstance(validate_payload("close", None), NotePayload)
    err = PayloadError([("reason", "理由为必填项"), ("days", "延期天数应为整数")])
    assert str(err) == "理由为必填项；延期天数应为整数"
