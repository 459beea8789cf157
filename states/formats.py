"""How personal data and dates are written for people — one rule each, for screens and notices alike (pure)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def mask_id(value: Any) -> str:
    """530102199001011234 → 5301**********1234 (the first 4 and last 4 characters; short numbers keep one)."""
    s = str(value).strip()
    if len(s) <= 8:
        return s[:1] + "*" * (len(s) - 1) if s else s
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


def mask_phone(value: Any) -> str:
    """13812345678 → 138****5678; a short (landline) number keeps only its last two digits."""
    s = str(value).strip()
    if len(s) >= 11:
        return s[:3] + "*" * (len(s) - 7) + s[-4:]
    if len(s) > 2:
        return "*" * (len(s) - 2) + s[-2:]
    return s


def mask_name(value: Any) -> str:
    """张三 → 张*; 欧阳娜娜 → 欧***: the surname initial only (callers' names on sheets)."""
    s = str(value).strip()
    return s[:1] + "*" * (len(s) - 1) if s else s


def to_date(value: Any) -> date:
    """A date, a datetime or an ISO text as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) > 10:
        return datetime.fromisoformat(text).date()
    return date.fromisoformat(text)


def cn_date(value: Any) -> str:
    """2026-11-25 → 2026年11月25日 (GB/T 9704-2012 writes dates with Arabic numerals, no leading zero)."""
    d = to_date(value)
    return f"{d.year}年{d.month}月{d.day}日"


def cn_month_day(d: date) -> str:
    """A day within a sentence of the same year: 11月11日."""
    return f"{d.month}月{d.day}日"


def provisional_note(value: Any, provisional: Any = True, inside: bool = False) -> str:
    """What follows a deadline counted through a year whose holiday arrangements are not published yet (the calendar
    counted that year as weekends plus the fixed-date statutory holidays): "（暂定：2027年节假日安排尚未公布，如有调整
    以调整后为准）" — the year is the deadline's own (earlier years are published first); ``inside`` a parenthesis
    already open: "；暂定：…". Empty when ``provisional`` is false (a firm deadline, or a context written before the
    flag existed) or there is no deadline."""
    if not provisional or value is None or value == "":
        return ""
    text = f"暂定：{to_date(value).year}年节假日安排尚未公布，如有调整以调整后为准"
    return f"；{text}" if inside else f"（{text}）"
