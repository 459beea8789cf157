"""What the system accepts from outside: text without control characters, integers both databases can store,
dates in a sane range, phone numbers and e-mail addresses. Pure rules, shared by the web edge (``web.edge``), the
input models (``workflow.inputs``, ``workflow.disclosure.payloads``), staff accounts and the 12345 intake and import.

A single-line field (a name, an address, a number) may hold no control character at all: a line break in a
name breaks the e-mail header built from it. Multi-line text keeps its line breaks as ``\\n`` only (CR LF, CR,
vertical tab, form feed and the Unicode separators become ``\\n``, a tab a space); anything else is refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime

MAX_INT = 2**31 - 1  # PostgreSQL ``integer`` (SQLite's 64 bits are wider): ids, versions, counts
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)  # a deadline counted from here still fits in a date
LONG_TEXT = 500  # a text field this long or longer is a paragraph (a textarea in the pages)

# C0 controls, DEL, C1 controls, the Unicode line/paragraph separators and the bidirectional embeddings,
# overrides and isolates (they make a name read differently from what is stored)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# half of a UTF-16 surrogate pair, alone: JSON may write one (``"\\ud800"``), no UTF-8 text holds it
_SURROGATE = re.compile("[\ud800-\udfff]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_POSTAL_CODE = re.compile(r"\d{6}")

SINGLE_LINE_MESSAGE = "不能包含换行、制表符等控制字符"
MULTI_LINE_MESSAGE = "不能包含控制字符（换行除外）"
INT_MESSAGE = f"数值超出允许范围（绝对值不超过{MAX_INT}）"
DATE_MESSAGE = f"日期应在{MIN_DATE.year}年至{MAX_DATE.year}年之间"
UNICODE_MESSAGE = "文本中含有无效的字符（应为 UTF-8 编码的文字）"

# A phone number as people write it (0871-12345678, +86 138 0013 8000, (0871)1234567): digits, spaces, + - ( ).
# A platform's record may mask digits (138****5678). The longest number (15 digits, ITU-T E.164) with an extension
# stays within MAX_PHONE_DIGITS; a 31-digit "number" is a data error.
_PHONE = re.compile(r"[0-9+\-() ]{5,40}")
_MASKED_PHONE = re.compile(r"[0-9*+\-() ]{5,40}")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 5, 20
PHONE_MESSAGE = "联系电话格式不正确"
EMAIL_MESSAGE = "电子邮箱格式不正确"


def has_control(text: str) -> bool:
    """True if ``text`` holds a control character (line breaks and tabs included)."""
    return _CONTROL.search(text) is not None


def has_surrogate(text: str) -> bool:
    """True if ``text`` holds a lone surrogate (it cannot be encoded, stored or hashed)."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def multiline(text: str) -> str | None:
    """``text`` with its line breaks as ``\\n`` and tabs as spaces; None if another control character remains."""
    out = _BREAKS.sub("\n", text).replace("\t", " ")
    return None if has_control(out.replace("\n", "")) else out


def fold_line(text: str) -> str | None:
    """A single-line value with each run of line breaks and tabs folded into one space (for records taken
    as the 12345 platform sends them); None if another control character remains."""
    out = re.sub("[\t\n]+", " ", _BREAKS.sub("\n", text)).strip()
    return None if has_control(out) else out


def int_in_range(value: int) -> bool:
    """True if both databases can store and compare ``value``."""
    return -MAX_INT <= value <= MAX_INT


def date_in_range(value: date | datetime) -> bool:
    """True if ``value`` (a date or an instant) lies between ``MIN_DATE`` and ``MAX_DATE``."""
    day = value.date() if isinstance(value, datetime) else value
    return MIN_DATE <= day <= MAX_DATE


def is_phone(text: str, *, masked: bool = False) -> bool:
    """True if ``text`` reads as one phone number (``masked``: a ``*`` may stand for a digit)."""
    if not (_MASKED_PHONE if masked else _PHONE).fullmatch(text):
        return False
    return MIN_PHONE_DIGITS <= sum(c.isdigit() or c == "*" for c in text) <= MAX_PHONE_DIGITS


def is_email(text: str) -> bool:
    """An e-mail address as written on a form or a notice (one @, a dot in the domain, no spaces)."""
    return _EMAIL.match(text) is not None


def is_postal_code(text: str) -> bool:
    """A Chinese postal code: six digits."""
    return _POSTAL_CODE.fullmatch(text) is not None
