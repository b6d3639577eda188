"""In the browser, at desktop and phone sizes: HR opens a new hire's profile, invites them
from the Account panel, sees "Invited" with when the link was sent and expires, and sends
the invitation again; the People list's Account filter then finds them among the invited."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login

pytestmark = pytest.mark.e2e

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("size", list(SIZES))
def test_hr_invites_a_new_hire_from_the_profile_and_resends(
    page: Page, kluis_server: KluisServer, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    login(page, kluis_server, "hr@demo-bv.test")
    page.goto("/people/?account=none&status=active")
    no_sideways_scroll(page)
    row = (
        page.get_by_test_id("people").locator("tr").filter(has=page.locator('[data-state="none"]'))
    )
    link = row.first.locator("th a")
    name = link.inner_text()
    link.click()

    panel = page.get_by_test_id("account-panel")
    expect(panel.get_by_test_id("account-state")).to_have_text("No login")
    no_sideways_scroll(page)
    panel.get_by_test_id("account-invite").click()
    expect(page.get_by_role("status")).to_contain_text("An invitation was e-mailed to")
    panel = page.get_by_test_id("account-panel")
    expect(panel.get_by_test_id("account-state")).to_have_text("Invited")
    expect(panel.get_by_test_id("account-invited-at")).to_be_visible()
    expect(panel.get_by_test_id("account-expires-at")).to_be_visible()
    no_sideways_scroll(page)

    panel.get_by_test_id("account-resend").click()
    expect(page.get_by_role("status")).to_contain_text("A new invitation was e-mailed to")
    expect(page.get_by_test_id("account-panel").get_by_test_id("account-state")).to_have_text(
        "Invited"
    )

    page.goto("/people/?account=invited")
    expect(page.get_by_test_id("people").get_by_role("link", name=name)).to_be_visible()
    no_sideways_scroll(page)
