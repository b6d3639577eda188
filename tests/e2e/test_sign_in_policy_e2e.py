"""In Chromium on a phone-sized screen: an owner changes the company's sign-in settings
(bad input shows the error and saves nothing), and a person signs out everywhere from the
Sessions page. The server is shared by the e2e tests: what is changed is put back."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


def _save_idle(page: Page, minutes: str) -> None:
    page.get_by_label("Sign out after this many minutes without activity").fill(minutes)
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()


def test_an_owner_changes_the_sign_in_settings_on_a_phone(
    page: Page, kluis_server: KluisServer
) -> None:
    page.set_viewport_size(PHONE)
    login(page, kluis_server, "owner@other-nv.test")
    page.goto(f"{kluis_server.url}/settings/sign-in/")
    expect(page.get_by_role("heading", name="Sign-in settings", level=1)).to_be_visible()
    _no_sideways_scroll(page)
    # Bad input: the error is shown and nothing is saved.
    page.get_by_label("Office addresses").fill("not-an-address")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    # Named in the error summary at the top and beside the field.
    expect(page.get_by_text("not-an-address is not an IP address or network.")).to_have_count(2)
    _no_sideways_scroll(page)
    page.get_by_label("Office addresses").fill("203.0.113.0/24")
    _save_idle(page, "45")
    expect(page.get_by_text("The sign-in settings were saved.")).to_be_visible()
    expect(page.get_by_label("Sign out after this many minutes without activity")).to_have_value(
        "45"
    )
    # Put the shared server's company back as it was.
    page.get_by_label("Office addresses").fill("")
    _save_idle(page, "60")
    expect(page.get_by_text("The sign-in settings were saved.")).to_be_visible()


def test_sign_out_everywhere_from_the_sessions_page(page: Page, kluis_server: KluisServer) -> None:
    page.set_viewport_size(PHONE)
    login(page, kluis_server, "member3@other-nv.test")
    page.goto(f"{kluis_server.url}/accounts/sessions/")
    expect(page.get_by_test_id("session").first).to_be_visible()
    _no_sideways_scroll(page)
    with page.expect_navigation():
        page.get_by_test_id("sign-out-everywhere").click()
    expect(page.get_by_test_id("confirm-page")).to_be_visible()  # asked first
    _no_sideways_scroll(page)
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    assert page.url.split("?")[0].endswith("/accounts/login/")
    expect(page.get_by_text("You are signed out everywhere.")).to_be_visible()
    page.goto(f"{kluis_server.url}/")
    assert "/accounts/login/" in page.url
