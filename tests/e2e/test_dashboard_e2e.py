"""The dashboard in a browser: a manager approves a team member's leave from it on a phone
(no sideways scroll); HR follows a count to the People list, which shows as many people."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login
from tests.e2e.test_timeoff_team_e2e import _ask_for_leave

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def test_a_manager_approves_from_the_dashboard_on_a_phone(
    page: Page, kluis_server: KluisServer
) -> None:
    _ask_for_leave(kluis_server)
    page.set_viewport_size(PHONE)
    login(page, kluis_server, "manager@demo-bv.test")
    waiting = page.get_by_test_id("waiting-for-me")
    expect(waiting).to_be_visible()
    before = int(waiting.get_attribute("data-count") or "0")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = page.get_by_test_id("dash-request").first  # the oldest request waiting
    pk = row.get_attribute("data-request")
    expect(row).to_contain_text("·")
    row.get_by_test_id("dash-approve").click()
    expect(page.locator("[role=status], .kluis-message").first).to_contain_text("Approved")
    expect(page.locator(f'[data-testid=dash-request][data-request="{pk}"]')).to_have_count(0)
    if before > 1:
        expect(page.get_by_test_id("waiting-for-me")).to_have_attribute(
            "data-count", str(before - 1)
        )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_hr_follows_a_count_to_the_people_list(page: Page, kluis_server: KluisServer) -> None:
    page.set_viewport_size(DESKTOP)
    login(page, kluis_server, "hr@demo-bv.test")
    figure = page.get_by_test_id("dash-missing-emergency-contact")
    count = int(figure.get_attribute("data-count") or "0")
    figure.click()
    expect(page).to_have_url(re.compile(r"/people/\?missing=emergency_contact"))
    expect(page.get_by_test_id("people").locator("caption")).to_contain_text(f"{count} ")
    expect(page.get_by_label("Missing data")).to_have_value("emergency_contact")
