"""Document numbers in human terms: a 字头 (prefix), a layout and how many digits the 序号 has — never a Python
format string in front of an administrator. ``to_format`` gives the stored pattern the numbering code reads
(``{year}``, ``{seq}``); ``parse`` reads a stored pattern back into the three choices when it is one of ours;
``format_problem`` says why a pattern written by hand (the API, a setup file) cannot number documents, and
``format_example`` shows any stored pattern safely."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

# layout → (how it reads, template with P = prefix, Y = year, S = sequence)
LAYOUTS: dict[str, tuple[str, str]] = {
    "bracket": ("字头〔年份〕序号号", "P〔Y〕S号"),
    "plain": ("字头年份序号", "PYS"),
    "dash": ("字头年份-序号", "PY-S"),
}
WIDTHS: dict[int, str] = {0: "不补零（1、2、3……）", 3: "3位（001）", 4: "4位（0001）", 6: "6位（000001）"}
PREFIX_MAX = 20
NUMBER_MAX = 64  # the columns numbers are stored in (tracking_no, submission_no, reply_doc_no)
SEQ_WIDTH_MAX = 10  # digits a sequence may be padded to ({seq:010d})
SAMPLE_YEAR, SAMPLE_SEQ = 2026, 999_999  # a number late in a busy year
_SPEC = re.compile(r"0?(\d{0,2})d?")  # an integer's padding: "", "d", "4d", "04d"
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


def _placeholders(fmt: str) -> tuple[list[str], str | None]:
    """The names in braces, in order, or why the braces are not a number's: only ``{year}`` and ``{seq}``, each
    at most with a padding such as ``{seq:04d}``."""
    try:
        parts = list(string.Formatter().parse(fmt))
    except ValueError:
        return [], "花括号不成对：年份写作 {year}，序号写作 {seq}（花括号本身写作 {{ 和 }}）"
    names = []
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in ("year", "seq") or conversion:
            return [], "花括号中只能写 year（年份）或 seq（序号），例如 依申〔{year}〕{seq:04d}号"
        m = _SPEC.fullmatch(spec or "")
        if m is None or int(m.group(1) or 0) > SEQ_WIDTH_MAX:
            return [], f"序号和年份只能设定补零位数，例如 {{seq:04d}}（不超过{SEQ_WIDTH_MAX}位）"
        names.append(name)
    return names, None


def format_example(fmt: str, year: int = 2026, seq: int = 1) -> str | None:
    """The number a stored pattern makes, or None when it cannot be formatted safely (any pattern, even one
    written by hand before format_problem refused such patterns)."""
    _names, problem = _placeholders(fmt)
    return None if problem is not None else fmt.format(year=year, seq=seq)


def format_problem(fmt: str) -> str | None:
    """Why ``fmt`` cannot number documents (None: it can): besides the braces being a number's, it holds both
    ``{year}`` and ``{seq}`` — the sequence starts again every year and every number must differ from the others —
    and the longest number it makes fits where numbers are stored."""
    names, problem = _placeholders(fmt)
    if problem is not None:
        return problem
    if "seq" not in names:
        return "须含序号 {seq}：否则每份编号都一样"
    if "year" not in names:
        return "须含年份 {year}：序号每年从1重新编起"
    if len(fmt.format(year=SAMPLE_YEAR, seq=SAMPLE_SEQ)) > NUMBER_MAX:
        return f"编号过长：不超过{NUMBER_MAX}个字符"
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
