"""In Chromium: an owner makes a sandbox from Settings > Sandboxes, switches into it and
sees the banner; back in the real company (no banner) they delete it. The server is shared
by the e2e tests: the sandbox is deleted at the end."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login

pytestmark = pytest.mark.e2e


def test_an_owner_makes_a_sandbox_switches_into_it_and_sees_the_banner(
    page: Page, kluis_server: KluisServer
) -> None:
    login(page, kluis_server, "owner@demo-bv.test")
    page.goto(f"{kluis_server.url}/settings/sandboxes/")
    expect(page.get_by_role("heading", name="Sandboxes", level=1)).to_be_visible()
    expect(page.get_by_test_id("sandbox-banner")).to_have_count(0)
    page.get_by_label("Delete it after (days)").fill("7")
    with page.expect_navigation(timeout=60_000):
        page.get_by_test_id("sandbox-create").click()
    expect(page.get_by_text("The sandbox is ready: switch to it below.")).to_be_visible()
    row = page.get_by_test_id("sandbox-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Demo BV (sandbox)")
    with page.expect_navigation():
        row.get_by_test_id("sandbox-open").click()
    expect(page.get_by_test_id("sandbox-banner")).to_be_visible()
    expect(page.get_by_test_id("sandbox-banner")).to_contain_text("made-up people")
    page.goto(f"{kluis_server.url}/people/")
    expect(page.get_by_test_id("sandbox-banner")).to_be_visible()
    # Back to the real company: no banner; delete the sandbox.
    page.get_by_test_id("company-switcher").get_by_label("Company", exact=True).select_option(
        label="Demo BV"
    )
    with page.expect_navigation():
        page.get_by_test_id("company-switcher").get_by_role("button", name="Switch").click()
    expect(page.get_by_test_id("sandbox-banner")).to_have_count(0)
    page.goto(f"{kluis_server.url}/settings/sandboxes/")
    with page.expect_navigation():
        page.get_by_test_id("sandbox-delete").click()
    expect(page.get_by_test_id("confirm-page")).to_contain_text("This cannot be undone.")
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    expect(page.get_by_text("The sandbox and all its data were deleted.")).to_be_visible()
    expect(page.get_by_test_id("sandbox-row")).to_have_count(0)
