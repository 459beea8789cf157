"""Jinja filters for notices: Chinese dates and numerals, amounts in yuan, masking of personal data."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from markupsafe import Markup, escape

from states.formats import (  # one rule, screens and notices
    cn_date,
    mask_id,
    mask_name,
    mask_phone,
    provisional_note,
    to_date,
)

_DIGITS = "零一二三四五六七八九"
_UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_DATE_DIGITS = "〇一二三四五六七八九"


def cn_date_upper(value: Any) -> str:
    """2026-11-25 → 二〇二六年十一月二十五日 (the older style some agencies still use)."""
    d = to_date(value)
    year = "".join(_DATE_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{cn_num(d.month)}月{cn_num(d.day)}日"


def cn_datetime(value: Any) -> str:
    """An ISO datetime → 2026年11月25日 9时30分 (in the offset it was written with)."""
    dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return f"{cn_date(dt)} {dt.hour}时{dt.minute:02d}分"


def _section(n: int, digits: str, units: tuple[str, ...]) -> str:
    """0 < n < 10000 in Chinese, with 零 for inner gaps."""
    out: list[str] = []
    zero = False
    for i in range(3, -1, -1):
        d = n // 10**i % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append(digits[0])
            zero = False
        out.append(digits[d] + units[i])
    return "".join(out)


def cn_num(value: Any) -> str:
    """15 → 十五, 20 → 二十, 60 → 六十, 105 → 一百零五 (integers 0 to 99,999,999)."""
    n = int(value)
    if n < 0:
        return "负" + cn_num(-n)
    if n == 0:
        return _DIGITS[0]
    units = ("", "十", "百", "千")
    high, low = divmod(n, 10000)
    if high >= 10000:
        raise ValueError(f"number too large for cn_num: {n}")
    text = ""
    if high:
        text = _section(high, _DIGITS, units) + "万"
        if low and low < 1000:
            text += _DIGITS[0]
    if low:
        text += _section(low, _DIGITS, units)
    if text.startswith("一十"):
        text = text[1:]
    return text


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def yuan(value: Any) -> str:
    """4700 → 4700元; 12.5 → 12.50元."""
    amount = _money(value)
    if amount == amount.to_integral_value():
        return f"{int(amount)}元"
    return f"{amount}元"


def yuan_upper(value: Any) -> str:
    """4700 → 肆仟柒佰元整 (the capital form written on fee notices and receipts)."""
    amount = _money(value)
    if amount < 0:
        raise ValueError("negative amount")
    whole = int(amount)
    cents = int((amount - whole) * 100)
    units = ("", "拾", "佰", "仟")
    if whole == 0:
        text = "" if cents else "零元"
    else:
        high, low = divmod(whole, 10000)
        text = ""
        if high:
            text = _section(high, _UPPER_DIGITS, units) + "万"
            if low and low < 1000:
                text += "零"
        if low:
            text += _section(low, _UPPER_DIGITS, units)
        text += "元"
    jiao, fen = divmod(cents, 10)
    if not cents:
        return text + "整"
    if jiao:
        text += _UPPER_DIGITS[jiao] + "角"
    elif whole:
        text += "零"
    if fen:
        text += _UPPER_DIGITS[fen] + "分"
    return text


def lines(value: Any) -> Markup:
    """Escape a multi-line text and keep its line breaks as <br> (descriptions, replies)."""
    parts = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Markup("<br>").join(escape(p) for p in parts)


# Punctuation an officer's or applicant's text may end with; stripped where the template continues the sentence.
_TRAILING = "。．.，,、；;：:！!？? \u3000\n\r\t"
_TERMINAL = ("。", "！", "？", "…")
_CLOSERS = ("”", "」", "）", "』")
# The platform's third-person lead-in: "来电人反映：", "市民称，", or a caller's name before "反映："
_CALLER_PREFIX = re.compile(r"^(?:(?:来电人|来电市民|来电群众|来电者|市民|群众|来电)(?:反映|反应|称|表示|诉求|咨询|投诉)[：:，,、]?"
                            r"|[^，,。；;：:\n]{1,20}?(?:反映|称)[：:])\s*")


def clause(value: Any) -> str:
    """Text embedded mid-sentence or inside quotation marks: trailing punctuation removed ("完成。" → "完成"),
    so "…因{{ reason|clause }}，…" never reads "完成。，" and "“{{ x|clause }}”。" never "。”。"."""
    return str(value).strip().rstrip(_TRAILING)


def sentence(value: Any) -> str:
    """Text that stands as a sentence before the template goes on: ends with 。 unless it already ends a
    sentence ("…共250页" → "…共250页。"), so the next sentence never runs on ("250页根据")."""
    text = str(value).strip().rstrip("，,、；;：: \u3000")
    if not text or text.endswith(_TERMINAL) or (text.endswith(_CLOSERS) and text[:-1].endswith(_TERMINAL)):
        return text
    return text.rstrip(".．") + "。"


def complaint(value: Any) -> str:
    """A 12345 order's content as told back to the caller: without the platform's third-person lead-in
    ("来电人反映：…"), ready to be quoted (no trailing punctuation)."""
    return clause(_CALLER_PREFIX.sub("", str(value).strip(), count=1))


FILTERS: dict[str, Any] = {
    "clause": clause,
    "sentence": sentence,
    "complaint": complaint,
    "cn_date": cn_date,
    "cn_date_upper": cn_date_upper,
    "cn_datetime": cn_datetime,
    "provisional_note": provisional_note,
    "cn_num": cn_num,
    "yuan": yuan,
    "yuan_upper": yuan_upper,
    "mask_phone": mask_phone,
    "mask_id": mask_id,
    "mask_name": mask_name,
    "lines": lines,
}
