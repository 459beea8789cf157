"""Closed years stay honest (issue 14 item 4): when a step back-filled after a year's report was generated changes
that year's statistics, the report page says so and shows the difference from the last generated version; the
report's own checks keep passing; generating the report again records the new version."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from tests.golive_year import REASON
from tests.helpers import registration
from tests.web.conftest import Web
from workflow.disclosure import actions
from workflow.disclosure.payloads import RegisterIn


def _paper_case(web: Web, received: str, steps: list[tuple[str, str, dict[str, Any]]]) -> None:
    """A case of 2025 recorded now, its steps back-filled with their dates (as on the case page's 补录 part)."""
    s, now = web.staff, web.clock.now()
    reg = actions.register(web.db.engine, RegisterIn.model_validate(
        registration(received_at=f"{received}T09:30:00+08:00", backfill_reason=REASON)), s.front, now)
    for day, action, payload in steps:
        who = s.front if action in ("assign", "withdraw") else s.officer
        actions.act(web.db.engine, reg.id, action, payload, who, now, effective_at=datetime.fromisoformat(f"{day}T10:00:00+08:00"),
                    backfill_reason=REASON)


def test_a_backfilled_step_after_the_report_was_generated_is_shown_with_the_difference(web: Web) -> None:
    officer = web.staff.officer.id
    _paper_case(web, "2025-03-03", [("2025-03-03", "assign", {"assignee_id": officer}),
                                    ("2025-03-20", "reply", {"category": "disclose", "reason": "provided"})])
    leader = web.login("leader")
    assert leader.get("/reports/annual", params={"year": "2025", "format": "html"}).status_code == 200
    assert leader.get("/reports/annual", params={"year": "2026", "format": "html"}).status_code == 200
    page = leader.get("/reports").text
    assert "报告生成后，统计数字已有变化" not in page  # nothing changed since; the running year is no version

    # Recorded in 2026: an application received in 2025 and withdrawn in 2025.
    _paper_case(web, "2025-06-02", [("2025-06-10", "withdraw", {"withdrawn_date": "2025-06-10"})])
    page = leader.get("/reports").text
    section = re.search(r'<section class="card" id="report-changed-2025-2021".*?</section>', page, re.S)
    assert section is not None, page[:2000]
    text = section.group(0)
    assert "2025年度报告生成后，统计数字已有变化" in text and "由负责人陈红生成" in text
    assert "报告的校验仍全部通过" in text
    rows = re.findall(r"<tr><td>(表.)</td><td>([^<]+)</td><td>([^<]+)</td><td class=\"num\">(\d+)</td>"
                      r"<td class=\"num\">(\d+)</td><td class=\"num\">([+-]\d+)</td></tr>", text)
    changes = {(row.split(" ")[-1], column): (int(a), int(b)) for _, row, column, a, b, _ in rows}
    assert changes == {
        ("一、本年新收政府信息公开申请数量", "自然人"): (1, 2), ("一、本年新收政府信息公开申请数量", "总计"): (1, 2),
        ("3.其他", "自然人"): (0, 1), ("3.其他", "总计"): (0, 1),
        ("（七）总计", "自然人"): (1, 2), ("（七）总计", "总计"): (1, 2),
    }
    # Generated again: the new figures are the version; nothing to say any more.
    assert leader.get("/reports/annual", params={"year": "2025", "format": "xlsx"}).status_code == 200
    assert "统计数字已有变化" not in leader.get("/reports").text
