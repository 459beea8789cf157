"""Message construction: headers, RFC 2047/2231 encodings, one recipient, stable Message-ID."""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from typing import Any

import pytest

from notifications.fixtures import fixture_context
from notifications.mailer import SendError, attachment_formats, build_message, message_id_for
from notifications.render import render_many

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


@dataclass
class Row:
    id: int | None = 42
    notice_type: str = "disclosure.reply"
    recipient: str = "zhangsan@example.com"
    recipient_name: str = '张三 & <李四> "引号"'
    context: dict[str, Any] = field(default_factory=lambda: fixture_context("disclosure.reply"))


def _message(settings, row=None):
    row = row or Row()
    docs = render_many(row.notice_type, row.context, ("html", "txt", *attachment_formats(row)), settings=settings)
    return build_message(row, docs, settings.model_copy(update={"mail_from": "gk@zrzy.example.gov.cn"}), now=NOW)


def test_headers_and_structure(settings):
    msg = _message(settings)
    raw = msg.as_bytes()
    assert all(b < 128 for b in raw)  # 7-bit clean: RFC 2047 words, base64 bodies, RFC 2231 file name
    assert b"filename*0*=utf-8''" in raw  # RFC 2231 with continuations
    assert b"=?utf-8?" in raw.split(b"\n\n", 1)[0]
    back = email.message_from_bytes(raw, policy=policy.default)
    assert back["Message-ID"] == "<outbox-42.demo@zrzy.example.gov.cn>"
    assert back["Date"] == "Wed, 25 Nov 2026 01:00:00 +0000"
    assert len(back["To"].addresses) == 1 and back["Cc"] is None and back["Bcc"] is None
    assert back["Auto-Submitted"] == "auto-generated"
    assert back.get_content_type() == "multipart/mixed"
    assert back.get_body(("html",)) is not None and back.get_body(("plain",)) is not None


def test_message_id_is_stable_and_safe(settings):
    assert message_id_for(7, "demo", settings) == message_id_for(7, "demo", settings)
    assert message_id_for(7, "a b/c", settings).startswith("<outbox-7.a_b_c@")


def test_bad_address_is_permanent(settings):
    with pytest.raises(SendError) as err:
        _message(settings, Row(recipient="not-an-address"))
    assert err.value.permanent


def test_internal_memo_has_no_attachment(settings):
    row = Row(notice_type="internal.digest", context=fixture_context("internal.digest"))
    msg = _message(settings, row)
    assert not list(msg.iter_attachments())
    assert "每日汇总" in str(msg["Subject"])
