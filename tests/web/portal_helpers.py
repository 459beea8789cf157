"""Helpers for portal tests: answer the server's Chinese arithmetic question, a valid application form."""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import resident_id

_DIGITS = "零一二三四五六七八九"
_QUESTION = re.compile(r"^(.+?)(加|减|乘以)(.+?)等于多少？$")


def cn_number(text: str) -> int:
    """0–99 written as workflow.portal.challenge.cn_small writes it."""
    if "十" not in text:
        return _DIGITS.index(text)
    tens, _, ones = text.partition("十")
    return (_DIGITS.index(tens) if tens else 1) * 10 + (_DIGITS.index(ones) if ones else 0)


def solve(question: str) -> int:
    m = _QUESTION.match(question.strip())
    assert m, question
    a, op, b = cn_number(m.group(1)), m.group(2), cn_number(m.group(3))
    return a + b if op == "加" else a - b if op == "减" else a * b


QUESTION_RE = re.compile(r'id="challenge-question">([^<]+)<')
TOKEN_RE = re.compile(r'name="challenge_token" value="([^"]+)"')


def challenge_of(html: str) -> tuple[str, str]:
    """(token, right answer) of the challenge on a form page."""
    q, t = QUESTION_RE.search(html), TOKEN_RE.search(html)
    assert q and t, "no challenge on the page"
    return t.group(1), str(solve(q.group(1)))


def application(**over: Any) -> dict[str, Any]:
    """A complete, valid online application as the form posts it."""
    data: dict[str, Any] = {
        "applicant_type": "natural", "applicant_category": "natural", "applicant_name": "李小梅",
        "id_type": "resident_id", "id_number": resident_id("53010219850612004"), "email": "lixm@example.com",
        "phone": "13908781234", "address": "某县文化路12号", "postal_code": "675000",
        "description": "2025年本县城区老旧小区改造项目的实施方案", "form_wanted": "electronic", "obtain_way": "email",
    }
    data.update(over)
    return data
