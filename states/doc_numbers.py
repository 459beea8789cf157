"""Document numbers in human terms: a 字头 (prefix), a layout and how many digits the 序号 has — never a Python
format string in front of an administrator. ``to_format`` gives the stored pattern the numbering code reads
(``{year}``, ``{seq}``); ``parse`` reads a stored pattern back into the three choices when it is one of ours."""

from __future__ import annotations

import re
from dataclasses import dataclass

# layout → (how it reads, template with P = prefix, Y = year, S = sequence)
LAYOUTS: dict[str, tuple[str, str]] = {
    "bracket": ("字头〔年份〕序号号", "P〔Y〕S号"),
    "plain": ("字头年份序号", "PYS"),
    "dash": ("字头年份-序号", "PY-S"),
}
WIDTHS: dict[int, str] = {0: "不补零（1、2、3……）", 3: "3位（001）", 4: "4位（0001）", 6: "6位（000001）"}
PREFIX_MAX = 20
_BAD_PREFIX = re.compile(r"[{}\s\\]")


@dataclass(frozen=True)
class NumberPattern:
    prefix: str  # 字头, e.g. 依申, 公开复
    layout: str  # a key of LAYOUTS
    width: int  # digits of the sequence, 0: as many as needed

    def to_format(self) -> str:
        seq = f"{{seq:0{self.width}d}}" if self.width else "{seq}"
        prefix = self.prefix.replace("{", "").replace("}", "")
        parts = {"P": prefix, "Y": "{year}", "S": seq}
        return "".join(parts.get(ch, ch) for ch in LAYOUTS[self.layout][1])

    def example(self, year: int = 2026, seq: int = 1) -> str:
        return self.to_format().format(year=year, seq=seq)


def problem(prefix: str, layout: str, width: int) -> tuple[str, str] | None:
    """(field, message) when the choices do not make a number pattern."""
    if layout not in LAYOUTS:
        return "layout", "请选择编号样式"
    if width not in WIDTHS:
        return "width", "请选择序号位数"
    if len(prefix) > PREFIX_MAX:
        return "prefix", f"字头不超过{PREFIX_MAX}个字"
    if _BAD_PREFIX.search(prefix):
        return "prefix", "字头不能含空格或花括号"
    return None


_PARSE = [(layout, re.compile("^" + re.escape(tmpl).replace("P", "(?P<prefix>.*?)").replace("Y", r"\{year\}")
                              .replace("S", r"\{seq(?::0(?P<width>\d)d)?\}") + "$"))
          for layout, (_label, tmpl) in LAYOUTS.items()]


def parse(fmt: str) -> NumberPattern | None:
    """The choices behind a stored pattern, or None when it was written by hand in another shape."""
    for layout, rx in _PARSE:
        m = rx.match(fmt)
        if m:
            width = int(m.group("width") or 0)
            if width in WIDTHS:
                return NumberPattern(m.group("prefix"), layout, width)
    return None
