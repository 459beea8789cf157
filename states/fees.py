"""Information-processing fees (国办函〔2020〕109号《政府信息公开信息处理费管理办法》), pure.

Per item (第四条): cumulative per applicant per calendar month — 1–10 free, 11–30 ¥100 each, then
each further block of 10 raises the rate by ¥100 (31–40 ¥200, 41–50 ¥300 …; rules.md §2, DERIVED
reading). Per page (第五条): ≤30 free, 31–100 ¥10, 101–200 ¥20, 201+ ¥40 per page, progressive.
One method per application, never both (第三条).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FeeMethod(StrEnum):
    ITEM = "item"  # 按件计收
    PAGE = "page"  # 按量计收


@dataclass(frozen=True)
class FeeLine:
    band: str
    quantity: int
    rate: int
    subtotal: int


@dataclass(frozen=True)
class FeeQuote:
    method: FeeMethod
    quantity: int
    prior: int  # items already counted this month (per-item only)
    amount: int  # yuan
    lines: tuple[FeeLine, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method.value, "quantity": self.quantity, "prior": self.prior, "amount": self.amount,
            "lines": [line.__dict__ for line in self.lines],
        }


MAX_QUANTITY = 1_000_000


def item_rate(k: int) -> int:
    """Rate for the k-th item of an applicant in a calendar month."""
    if k <= 10:
        return 0
    if k <= 30:
        return 100
    return 100 + 100 * ((k - 30 + 9) // 10)


def _item_band(k: int) -> str:
    if k <= 10:
        return "第1—10件"
    if k <= 30:
        return "第11—30件"
    lo = 31 + ((k - 31) // 10) * 10
    return f"第{lo}—{lo + 9}件"


def quote_items(prior: int, quantity: int) -> FeeQuote:
    """Fee for ``quantity`` items after ``prior`` items this month (第四条, 超额累进)."""
    _check(quantity)
    if prior < 0:
        raise ValueError("prior must be ≥ 0")
    lines: dict[str, list[int]] = {}
    total = 0
    for k in range(prior + 1, prior + quantity + 1):
        rate = item_rate(k)
        band = _item_band(k)
        entry = lines.setdefault(band, [0, rate, 0])
        entry[0] += 1
        entry[2] += rate
        total += rate
    return FeeQuote(FeeMethod.ITEM, quantity, prior, total,
                    tuple(FeeLine(b, q, r, s) for b, (q, r, s) in lines.items()))


_PAGE_BANDS = ((30, 0, "30页以内（含）"), (100, 10, "31—100页"), (200, 20, "101—200页"), (None, 40, "201页以上"))


def page_bands() -> tuple[tuple[str, int], ...]:
    """(band, yuan per page) of 第五条, for the disclosure guide."""
    return tuple((label, rate) for _, rate, label in _PAGE_BANDS)


def quote_pages(pages: int) -> FeeQuote:
    """Fee for ``pages`` pages (第五条, 超额累进)."""
    _check(pages)
    lines: list[FeeLine] = []
    lower = 0
    total = 0
    for upper, rate, label in _PAGE_BANDS:
        top = pages if upper is None else min(pages, upper)
        n = max(0, top - lower)
        if n:
            lines.append(FeeLine(label, n, rate, n * rate))
            total += n * rate
        if upper is None or pages <= upper:
            break
        lower = upper
    return FeeQuote(FeeMethod.PAGE, pages, 0, total, tuple(lines))


def _check(q: int) -> None:
    if q < 1:
        raise ValueError("数量必须为正整数")
    if q > MAX_QUANTITY:
        raise ValueError("数量过大")
