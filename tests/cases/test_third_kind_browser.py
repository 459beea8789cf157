"""The test-only third kind in headless Chromium (Debian package, Playwright): the front desk assigns a petition on
the shared case page, the officer answers it (the confirm() question is the kind's), both pages fit the window.
Screenshots go to test-artifacts/screenshots/ (gitignored)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.cases.petition_kind import new_petition, registered
from tests.web.conftest import Live, browser_context_args, browser_type_launch_args, live, web
from tests.web.test_journey_browser import login, open_action, shot

pytestmark = pytest.mark.browser
__all__ = ["browser_context_args", "browser_type_launch_args", "live", "web"]  # the web tests' fixtures, used here


def test_a_petition_is_assigned_and_answered_in_the_browser(live: Live, new_context: Any) -> None:
    with registered(live.web.db.engine):
        pid = new_petition(live.web.db.engine, live.web.staff.agency_id)
        url = f"{live.url}/cases/petition/{pid}"
        front = login(new_context(), live, "front")
        front.goto(url)
        expect(front.locator("#case-state")).to_have_text("已登记")
        open_action(front, "assign")
        front.select_option("#f-assign-assignee_id", str(live.web.staff.officer.id))
        front.click("#action-assign button[type=submit]")
        front.wait_for_load_state()
        expect(front.locator("#case-state")).to_have_text("办理中")
        expect(front.locator("#clocks")).to_contain_text("信访事项办理期限")
        shot(front, "petition-assigned")

        officer = login(new_context(), live, "officer")
        officer.goto(url)
        asked: list[str] = []
        officer.on("dialog", lambda d: asked.append(d.message))
        open_action(officer, "answer")
        officer.fill("#f-answer-text", "经核查，已责成物业整改。")
        officer.click("#action-answer button[type=submit]")
        officer.wait_for_load_state()
        expect(officer.locator("#case-state")).to_have_text("已出具处理意见")
        assert asked == ["确认出具处理意见？出具后不能再修改。"]
        expect(officer.locator("#timeline")).to_contain_text("出具处理意见")
        shot(officer, "petition-answered")
