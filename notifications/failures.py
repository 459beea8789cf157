"""Why an outbox row failed: each failure classified for the retry rule, and told to the admin in Chinese.

The row keeps the technical text (``Outbox.last_error``, for the operator's logs and the instance administrator);
``failure_kind`` classifies it (the address, the mail server unreachable or refusing, the document that could not
be built, …) and ``failure_reason`` gives the one plain sentence the agency's administrator reads next to the dead
letter.
"""

from __future__ import annotations

import logging

from notifications.errors import FontsMissing, NoticeError
from notifications.mailer import SendError
from states.wording import DELIVERY_FAILURES

log = logging.getLogger(__name__)
UNBUILDABLE = "unbuildable: "


def as_send_error(exc: Exception, what: str) -> SendError:
    """How a failure of one row counts: permanent (dead at once) or retried with back-off.

    Call inside the ``except`` block (an unexpected error is logged with its traceback)."""
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, FontsMissing):  # a deployment fault: wait for the fonts, do not kill the notice
        return SendError(str(exc), permanent=False)
    if isinstance(exc, NoticeError):  # missing context, unknown type: retrying renders the same error
        return SendError(str(exc), permanent=True)
    # Anything else (a name with a line break makes the address builder raise ValueError): retried with
    # back-off, then dead-lettered after outbox_max_attempts with its reason — on its own, never the batch.
    log.exception("outbox %s could not be built or sent", what)
    return SendError(f"{UNBUILDABLE}{type(exc).__name__}: {exc}", permanent=False)


# (marker in last_error, lower-cased; the kind of failure) — first match wins. The admin's sentence for each kind
# is in the shared vocabulary (states.wording.DELIVERY_FAILURES).
_KINDS: tuple[tuple[str, str], ...] = (
    ("cr or lf", "address_control_chars"),
    ("not an email address", "address_invalid"),
    ("recipient refused", "recipient_refused"),
    ("provided file missing", "file_missing"),
    ("provided file altered", "file_altered"),
    ("missing context value", "document_incomplete"),
    ("unknown notice type", "notice_unknown"),
    ("has no '", "notice_unknown"),  # a notice type without the format asked for
    ("未找到中文字体", "fonts_missing"),
    ("authentication failed", "smtp_login"),
    ("ssl", "smtp_tls"),
    ("certificate", "smtp_tls"),
    ("starttls", "smtp_tls"),
    ("timeout", "smtp_timeout"),
    ("timed out", "smtp_timeout"),
    ("smtpconnect", "smtp_unreachable"),
    ("connection refused", "smtp_unreachable"),
    ("name or service not known", "smtp_unreachable"),
    ("temporary failure in name resolution", "smtp_unreachable"),
    ("no route to host", "smtp_unreachable"),
    ("network is unreachable", "smtp_unreachable"),
    ("gaierror", "smtp_unreachable"),
    ("disconnected", "smtp_disconnected"),
    ("550", "recipient_refused"),  # mailbox unavailable
    ("smtp 5", "smtp_rejected"),
    ("smtp 4", "smtp_busy"),
    ("template", "document_build"),
    ("undefinederror", "document_build"),
    (UNBUILDABLE, "document_build"),
)


def failure_kind(last_error: str | None) -> str:
    """The kind of a stored ``last_error`` (a key of ``states.wording.DELIVERY_FAILURES``)."""
    text = (last_error or "").lower()
    if not text:
        return "not_recorded"
    return next((kind for marker, kind in _KINDS if marker in text), "other")


def failure_reason(last_error: str | None) -> str:
    """The admin's sentence for a stored ``last_error`` (plain Chinese, no codes, no technical text)."""
    return DELIVERY_FAILURES[failure_kind(last_error)]
