"""A manager's day starts on the dashboard: what waits for them is counted there as the
approvals page counts it, and they approve a request from the dashboard itself, at their
desk (1280x800) and on a phone (390x844), without the page scrolling sideways. HR follows
a count to the People list, which shows as many people."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import KluisServer, _manage, _server_env, login
from tests.e2e.test_inbox_e2e import (
    DESKTOP,
    PHONE,
    as_user,
    no_serious_axe_violations,
    no_sideways_scroll,
)
from tests.e2e.test_timeoff_journey_e2e import quiet_week
from tests.e2e.test_timeoff_self_e2e import GRANT

MANAGER = "manager@demo-bv.test"
TEAM = ("member1@demo-bv.test", "member2@demo-bv.test")  # both report to the manager


def ask_for_a_day(browser: Browser, server: KluisServer, email: str, day: dt.date) -> None:
    _manage(_server_env(server.data_dir), "shell", "-c", GRANT.format(email=email))
    page = as_user(browser, server, email, PHONE)
    page.goto(f"/time-off/?month={day:%Y-%m}")
    page.get_by_test_id("request-leave").first.click()
    form = page.get_by_test_id("request-form")
    form.get_by_label("Leave type").select_option(label="Legal holiday")
    form.get_by_label("First day", exact=True).fill(day.isoformat())
    form.get_by_label("Last day", exact=True).fill(day.isoformat())
    with page.expect_navigation():
        page.get_by_test_id("submit-request").click()
    expect(page).to_have_url(re.compile(r"/time-off/requests/\d+/$"))
    page.context.close()


def waiting_count(page: Page) -> int:
    page.goto("/")
    figure = page.get_by_test_id("waiting-for-me")
    return int(figure.get_attribute("data-count") or 0) if figure.count() else 0


def approve_first_from_the_dashboard(page: Page) -> None:
    before = waiting_count(page)
    assert before >= 1
    # The dashboard counts what the approvals page lists.
    page.goto("/time-off/approvals/")
    expect(page.locator("[data-testid=waiting]")).to_have_count(before)
    page.goto("/")
    no_sideways_scroll(page)
    no_serious_axe_violations(page)
    first = page.get_by_test_id("dash-request").first
    with page.expect_navigation():
        first.get_by_test_id("dash-approve").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status").first).to_contain_text("Approved")
    assert waiting_count(page) == before - 1


def test_a_manager_approves_from_the_dashboard_at_the_desk_and_on_a_phone(
    browser: Browser, kluis_server: KluisServer
) -> None:
    first_day = quiet_week() + dt.timedelta(days=28)
    for offset, email in enumerate(TEAM):
        ask_for_a_day(browser, kluis_server, email, first_day + dt.timedelta(days=offset))

    for size in (DESKTOP, PHONE):
        manager = as_user(browser, kluis_server, MANAGER, size)
        approve_first_from_the_dashboard(manager)
        manager.context.close()


def test_hr_follows_a_count_to_the_people_list(page: Page, kluis_server: KluisServer) -> None:
    page.set_viewport_size(DESKTOP)
    login(page, kluis_server, "hr@demo-bv.test")
    figure = page.get_by_test_id("dash-missing-emergency-contact")
    count = int(figure.get_attribute("data-count") or "0")
    figure.click()
    expect(page).to_have_url(re.compile(r"/people/\?missing=emergency_contact"))
    expect(page.get_by_test_id("people").locator("caption")).to_contain_text(f"{count} ")
    expect(page.get_by_label("Missing data")).to_have_value("emergency_contact")
