"""The document linter, text part: what a clerk would circle in red before signing.

Each check returns findings ``(check, message)``; a finding is a defect of the template or of the way the
workflow fills it, never a matter of taste. Used by the test suite over the whole catalog
(tests/notifications/test_lint.py) and by ``lint_layout`` on the text of the PDF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from states.formats import cn_date

Finding = tuple[str, str]

_PUNCT = "。，、；：！？"
# Two sentence/clause marks in a row, possibly around a closing quote or bracket: 。”。  完成。，  ，。
_CLASH = re.compile(f"[{_PUNCT}][”’）》」』]*[{_PUNCT}]")
_DOUBLE_PAREN = re.compile(r"（（|））|\(\(|\)\)|【【|】】|《《|》》")
_CJK = "\u3400-\u9fff\U00020000-\U0002ffff"
_DOUBLED_WORD = re.compile(f"([{_CJK}]{{2,8}})\\1")
_SENTENCE = re.compile(r"[^。！？\n]+")
_CLAUSE = re.compile(r"[^，；：、。！？\n（）“”]+")
_URL = re.compile(r"(?:https?://|www\.)[^\s，。；：、）（“”<>\"]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IDENT = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{1,6}[0-9][A-Za-z0-9-]*|[A-Z0-9]{4}-[A-Z0-9]{4})(?![A-Za-z0-9])")  # order/submission nos, query codes
_ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
_FILE_EXT = re.compile(r"(?<=[^\s.])\.(?:pdf|png|jpe?g|docx?|xlsx?|ofd|zip|txt)\b", re.IGNORECASE)  # file names
_INTERNAL = re.compile(r"\{\{|\}\}|\{%|%\}|\bNone\b|\bTrue\b|\bFalse\b|UNCONFIRMED|DERIVED|rules\.md|notice\.\w"
                       r"|case\.\w|agency\.\w|\b\d+\.\d+\.\d+\b|（未设置")
_ISO_DATE = re.compile(r"(?<!\d)\d{4}[-/]\d{1,2}[-/]\d{1,2}(?!\d)")  # \b fails next to hanzi (word characters)
_PADDED_DATE = re.compile(r"\d{4}年0\d月|月0\d日")
# Abbreviations a Chinese official letter does use in Latin letters.
ALLOWED_WORDS = frozenset({"EMS", "PDF", "DOCX", "GB", "ID", "MB"})
_PREFIX_MIN = 5  # two clauses of one sentence opening with the same 5 characters repeat each other


def punctuation(text: str) -> list[Finding]:
    return [("punctuation", f"标点重复或冲突：“{_around(text, m)}”") for m in _CLASH.finditer(text)]


def parentheses(text: str) -> list[Finding]:
    return [("parentheses", f"括号重复：“{_around(text, m)}”") for m in _DOUBLE_PAREN.finditer(text)]


def repeated(text: str) -> list[Finding]:
    """A doubled word ("涉及涉及"), or clauses of one sentence that repeat each other."""
    out = [("repeated", f"词语重复：“{_around(text, m)}”") for m in _DOUBLED_WORD.finditer(text)]
    for sentence in _SENTENCE.findall(text):
        # clauses with figures are enumerations ("收费标准为10元/页""收费标准为20元/页"), not repeats
        clauses = [c.strip() for c in _CLAUSE.findall(sentence)
                   if len(c.strip()) >= _PREFIX_MIN and not re.search(r"\d", c)]
        seen: dict[str, str] = {}
        for c in clauses:
            key = c[:_PREFIX_MIN]
            if key in seen:
                out.append(("repeated", f"分句重复：“{seen[key]}”与“{c}”"))
            else:
                seen[key] = c
    return out


def ascii_words(text: str, allowed: Iterable[str] = ()) -> list[Finding]:
    """English words or raw codes in the letter; URLs, email addresses, numbers and values the letter quotes
    from its context (``allowed``) are fine."""
    for value in sorted(set(allowed), key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    text = _FILE_EXT.sub(" ", _IDENT.sub(" ", _EMAIL.sub(" ", _URL.sub(" ", text))))
    words = {w for w in _ASCII_WORD.findall(text) if w not in ALLOWED_WORDS}
    return [("ascii", f"出现英文或代码：{w}") for w in sorted(words)]


def internal(text: str) -> list[Finding]:
    return [("internal", f"内部引用或未填充的内容：“{_around(text, m)}”") for m in _INTERNAL.finditer(text)]


def dates(text: str, required: Iterable[Any] = ()) -> list[Finding]:
    """Dates in Chinese form (2026年11月25日), and every date the notice must state is there."""
    text = _URL.sub(" ", text)  # a link may carry a date of its own
    out = [("date", f"日期未用中文格式：{m.group(0)}") for m in _ISO_DATE.finditer(text)]
    out += [("date", f"日期数字前补零：{m.group(0)}") for m in _PADDED_DATE.finditer(text)]
    for d in required:
        if cn_date(d) not in text:
            out.append(("date", f"缺少日期：{cn_date(d)}"))
    return out


def lint_text(text: str, *, allowed: Iterable[str] = (), required_dates: Iterable[Any] = ()) -> list[Finding]:
    """Every text check over one document's text."""
    text = text.replace("\u3000", "")
    return [*punctuation(text), *parentheses(text), *repeated(text), *ascii_words(text, allowed),
            *internal(text), *dates(text, required_dates)]


def quoted_values(context: Mapping[str, Any]) -> list[str]:
    """String values of a context that may carry Latin letters legitimately (names, addresses, identifiers)."""
    out: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, Mapping):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
        elif isinstance(v, str) and re.search(r"[A-Za-z]", v) and re.search(f"[{_CJK}]|[0-9]", v):
            out.append(v)

    walk({k: context[k] for k in ("agency", "case", "recipient") if k in context})
    return out


def _around(text: str, m: re.Match[str], width: int = 8) -> str:
    return text[max(0, m.start() - width):m.end() + width].replace("\n", " ")
