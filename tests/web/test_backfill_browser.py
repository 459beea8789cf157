"""补录 in Chromium (issue 14): a clerk records a reply that was posted yesterday, with yesterday's date and a
reason; the case page marks the step and shows both times."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Live, register_case
from tests.web.test_journey_browser import login, open_action, shot
from workflow.timesource import local_dt

pytestmark = pytest.mark.browser


def _reply_in_backfill_mode(live: Live, new_context: Any, case_id: int, at: str) -> Any:
    """The officer opens the case, fills a reply (not this agency's information) and posts it in 补录 mode at ``at``."""
    officer = login(new_context(), live, "officer")
    officer.goto(live.url + f"/cases/disclosure/{case_id}")
    open_action(officer, "reply")
    officer.select_option("#f-reply-category", "unavailable")
    officer.select_option("#f-reply-reason", "not_responsible")
    officer.fill("#f-reply-detail-responsible_agency", "某县交通运输局")
    officer.fill("#f-reply-detail-responsible_contact", "0878-1234567")
    officer.click("#action-reply details.backfill > summary")
    officer.fill("#reply-effective_at", at)
    officer.click("#action-reply button[type=submit]")
    return officer


def test_a_reply_recorded_in_backfill_mode(live: Live, new_context: Any) -> None:
    web = live.web
    web.clock.set(local_dt(2026, 3, 2, 10))  # Monday
    case = register_case(web, received_at="2026-02-24T09:30:00+08:00")
    web.clock.set(local_dt(2026, 3, 4, 10))  # Wednesday: the reply went out by post on Monday
    officer = _reply_in_backfill_mode(live, new_context, case.id, "2026-03-02T16:30")
    # beyond one working day without a reason: refused at the field, nothing lost
    expect(officer.locator("#action-reply .backfill .error")).to_contain_text("补录原因")
    expect(officer.locator("#reply-effective_at")).to_have_value("2026-03-02T16:30")
    officer.fill("#reply-backfill_reason", "周一已邮寄答复，今日补录")
    officer.click("#action-reply button[type=submit]")
    expect(officer.locator("#case-state")).to_have_text("已答复")
    item = officer.locator("#timeline li", has_text="作出答复")
    expect(item.locator(".badge.backfill")).to_have_text("补录")
    expect(item).to_contain_text("实际办理时间 2026-03-02 16:30")
    expect(item).to_contain_text("2026-03-04 10:00 由承办人李明补录，原因：周一已邮寄答复，今日补录")
    shot(officer, "40-backfilled-reply")


def test_a_reply_of_yesterday_recorded_today(live: Live, new_context: Any) -> None:
    """Must show (issue 14), literally: yesterday's date is within the agency's grace (one working day), so no reason
    is asked — the step is still marked 补录 with both times, and no empty reason is shown."""
    web = live.web
    web.clock.set(local_dt(2026, 3, 2, 10))  # Monday
    case = register_case(web, received_at="2026-03-02T09:30:00+08:00")
    web.clock.set(local_dt(2026, 3, 3, 10))  # Tuesday: the reply went out yesterday afternoon
    officer = _reply_in_backfill_mode(live, new_context, case.id, "2026-03-02T16:30")
    expect(officer.locator("#case-state")).to_have_text("已答复")
    item = officer.locator("#timeline li", has_text="作出答复")
    expect(item.locator(".badge.backfill")).to_have_text("补录")
    expect(item).to_contain_text("实际办理时间 2026-03-02 16:30")
    expect(item).to_contain_text("2026-03-03 10:00 由承办人李明补录")
    expect(item).not_to_contain_text("原因：")
