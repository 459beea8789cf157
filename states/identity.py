"""Identity-document checks: resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015)."""

from __future__ import annotations

import re
from datetime import date

from states.wording import ID_TYPES as WORDING_ID_TYPES

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[1-9]\d{16}[\dX]$")

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def resident_id_problem(value: str) -> str | None:
    """None if ``value`` is a valid 18-digit mainland resident ID number, else a Chinese message."""
    v = value.strip().upper()
    if len(v) != 18:
        return "居民身份证号码应为18位"
    if not _ID_RE.match(v):
        return "居民身份证号码格式不正确（前17位为数字，末位为数字或X）"
    try:
        date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return "居民身份证号码中的出生日期无效"
    total = sum(int(c) * w for c, w in zip(v[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != v[17]:
        return "居民身份证号码校验码不正确，请核对"
    return None


def resident_id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def uscc_problem(value: str) -> str | None:
    """None if ``value`` is a valid unified social credit code, else a Chinese message."""
    v = value.strip().upper()
    if len(v) != 18:
        return "统一社会信用代码应为18位"
    if not _USCC_RE.match(v):
        return "统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(v[:17], _USCC_WEIGHTS, strict=True))
    if _USCC_CHARS[(31 - total % 31) % 31] != v[17]:
        return "统一社会信用代码校验码不正确，请核对"
    return None


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


ID_TYPES: dict[str, str] = WORDING_ID_TYPES  # the document types accepted, named by the shared vocabulary
# What a person may write for a type (registration by its name, the go-live file's 证件类型 column) → its code: the
# code itself, its name, and the everyday words for it.
ID_TYPE_WORDS: dict[str, str] = {**{code: code for code in ID_TYPES}, **{name: code for code, name in ID_TYPES.items()},
                                 "身份证": "resident_id", "营业执照": "uscc", "信用代码": "uscc"}


def id_problem(id_type: str, number: str) -> str | None:
    """Check a document number by its type; types without a check digit only need to be non-empty."""
    if id_type == "resident_id":
        return resident_id_problem(number)
    if id_type == "uscc":
        return uscc_problem(number)
    if id_type not in ID_TYPES:
        return "证件类型无效"
    if not number.strip():
        return "请填写证件号码"
    return None
