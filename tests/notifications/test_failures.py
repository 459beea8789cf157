"""Why a notice failed, told to the agency's administrator in Chinese (issue 20): the stored technical text is
classified (address, mail server unreachable, refusing or asking for a login, encryption, time-out, the document
that could not be built, files, fonts); every kind has its sentence in the shared vocabulary."""

from __future__ import annotations

import re

import pytest

from notifications.failures import _KINDS, UNBUILDABLE, failure_kind, failure_reason
from states.wording import DELIVERY_FAILURES


@pytest.mark.parametrize(("error", "kind"), [
    ("SMTPConnectError: Error connecting to 10.0.0.5 on port 25: [Errno 111] Connect call failed", "smtp_unreachable"),
    ("OSError: [Errno -2] Name or service not known", "smtp_unreachable"),
    ("gaierror: [Errno -3] Temporary failure in name resolution", "smtp_unreachable"),
    ("SMTPConnectTimeoutError: Timed out connecting to smtp.example.gov.cn on port 465", "smtp_timeout"),
    ("SMTPException: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", "smtp_tls"),
    ("SMTP authentication failed: (535, 'Authentication credentials invalid')", "smtp_login"),
    ("SMTPServerDisconnected: Unexpected EOF received", "smtp_disconnected"),
    ("recipient refused: {'a@example.invalid': (550, 'no such user')}", "recipient_refused"),
    ("SMTP 550: 5.1.1 mailbox unavailable", "recipient_refused"),
    ("SMTP 552: message size exceeds fixed maximum", "smtp_rejected"),
    ("SMTP 421: too many connections", "smtp_busy"),
    ("not an email address: 'zhangsan'", "address_invalid"),
    (f"{UNBUILDABLE}ValueError: Header values may not contain linefeed or carriage return characters CR or LF",
     "address_control_chars"),
    ("disclosure.reply: missing context value(s): agency.contact_phone", "document_incomplete"),
    ("disclosure.reply: template not found: body/disclosure.reply.html", "document_build"),
    (f"{UNBUILDABLE}UndefinedError: 'dict object' has no attribute 'x'", "document_build"),
    (f"{UNBUILDABLE}TypeError: unsupported operand", "document_build"),
    ("provided file missing: 答复.pdf: [Errno 2]", "file_missing"),
    ("provided file altered: 答复.pdf", "file_altered"),
    ("未找到中文字体，生成的 PDF 将无法显示汉字", "fonts_missing"),
    ("unknown notice type 'x.y'", "notice_unknown"),
    ("RuntimeError: something nobody foresaw", "other"),
    ("", "not_recorded"),
    (None, "not_recorded"),
])
def test_each_failure_is_classified(error: str | None, kind: str) -> None:
    assert failure_kind(error) == kind
    assert failure_reason(error) == DELIVERY_FAILURES[kind]


def test_every_kind_has_a_plain_chinese_sentence() -> None:
    kinds = {k for _, k in _KINDS} | {"other", "not_recorded"}
    assert kinds <= set(DELIVERY_FAILURES)
    for sentence in DELIVERY_FAILURES.values():
        assert not re.search(r"[A-Za-z]{2,}", sentence), sentence
