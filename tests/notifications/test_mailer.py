"""Message construction: headers, RFC 2047/2231 encodings, one recipient, stable Message-ID."""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from typing import Any

import pytest

from notifications.catalog import CATALOG
from notifications.fixtures import fixture_context
from notifications.mailer import (
    Outgoing,
    SendError,
    attachment_formats,
    build_message,
    compose,
    message_id_for,
)
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


# --- the direct composer (every internal notice): the same message as the email package's --------------------------

MEMOS = sorted(code for code, spec in CATALOG.items() if not set(spec.formats) & {"pdf", "docx"} and "html" in spec.formats)


def _both(settings, row) -> tuple[email.message.EmailMessage, email.message.EmailMessage, bytes]:
    docs = render_many(row.notice_type, row.context, ("html", "txt", *attachment_formats(row)), settings=settings)
    s = settings.model_copy(update={"mail_from": "gk@zrzy.example.gov.cn"})
    fast = compose(row, docs, s, now=NOW)
    assert isinstance(fast, Outgoing)
    slow = build_message(row, docs, s, now=NOW)
    return (email.message_from_bytes(fast.data, policy=policy.default),
            email.message_from_bytes(slow.as_bytes(), policy=policy.default), fast.data)


@pytest.mark.parametrize("code", MEMOS)
def test_composed_message_reads_like_the_email_package_one(settings, code) -> None:
    assert "internal.reminder" in MEMOS and "internal.digest" in MEMOS
    row = Row(notice_type=code, context=fixture_context(code), recipient="li.si+gk@example.gov.cn")
    fast, slow, raw = _both(settings, row)
    assert all(b < 128 for b in raw) and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    for name in ("Subject", "From", "To", "Date", "Message-ID", "Auto-Submitted", "X-Banli-Notice-Type",
                 "X-Banli-Outbox-Id", "MIME-Version"):
        assert str(fast[name]) == str(slow[name]), name
    assert fast["To"].addresses[0].display_name == '张三 & <李四> "引号"'
    assert fast.get_content_type() == slow.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        assert fast.get_body((kind,)).get_content() == slow.get_body((kind,)).get_content()
    assert not list(fast.iter_attachments()) and not fast.defects


def test_composer_folds_long_subjects_and_names_without_splitting_a_character(settings) -> None:
    ctx = fixture_context("internal.reminder")
    ctx["case"] = {**ctx["case"], "number": "依申〔2026〕" + "𠮷号" * 40}  # long, with a 4-byte character
    row = Row(notice_type="internal.reminder", context=ctx, recipient_name="阿卜杜热合曼·" * 12)
    fast, slow, raw = _both(settings, row)
    assert str(fast["Subject"]) == str(slow["Subject"]) and "𠮷号" * 40 in str(fast["Subject"])
    # a name longer than one encoded-word: Python's reader keeps the folding space between words in a display name
    # (mail clients join them, RFC 2047 §6.2), wherever the writer split it
    for msg in (fast, slow):
        assert "".join(msg["To"].addresses[0].display_name.split()) == "阿卜杜热合曼·" * 12
    assert fast["To"].addresses[0].addr_spec == "zhangsan@example.com" and not fast.defects
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78


def test_composer_leaves_attachments_and_unusual_addresses_to_the_email_package(settings) -> None:
    docs = render_many("disclosure.reply", fixture_context("disclosure.reply"), ("html", "txt", "pdf"),
                       settings=settings)
    assert isinstance(compose(Row(), docs, settings, now=NOW), email.message.EmailMessage)
    memo = Row(notice_type="internal.digest", context=fixture_context("internal.digest"), recipient='"li si"@example.cn')
    docs = render_many(memo.notice_type, memo.context, ("html", "txt"), settings=settings)
    assert isinstance(compose(memo, docs, settings, now=NOW), email.message.EmailMessage)
    with pytest.raises(SendError) as err:
        compose(Row(notice_type=memo.notice_type, context=memo.context, recipient="no-at-sign"), docs, settings,
                now=NOW)
    assert err.value.permanent
