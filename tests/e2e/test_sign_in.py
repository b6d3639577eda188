"""Signing in and out through the real forms, and working in more than one company."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LOGIN_PATH, KluisServer, login
from tests.e2e.navigation import open_user_menu

pytestmark = pytest.mark.e2e


def current_company(page: Page) -> str:
    return page.get_by_test_id("current-company").inner_text().strip()


@pytest.mark.parametrize(
    ("email", "company"),
    [("owner@demo-bv.test", "Demo BV"), ("employee@other-nv.test", "Other NV")],
)
def test_sign_in_lands_on_dashboard_of_own_company(
    page: Page, kluis_server: KluisServer, email: str, company: str
) -> None:
    login(page, kluis_server, email)

    assert page.url == f"{kluis_server.url}/"
    expect(page.locator("main h1")).to_have_text(company)
    assert current_company(page) == company


def test_wrong_password_shows_error_and_stays_on_login_page(
    page: Page, kluis_server: KluisServer
) -> None:
    with pytest.raises(AssertionError, match=r"sign-in as hr@demo-bv\.test failed"):
        login(page, kluis_server, "hr@demo-bv.test", password="not-the-password-at-all")

    assert page.url.split("?")[0] == f"{kluis_server.url}{LOGIN_PATH}"
    expect(page.locator("main")).to_contain_text(re.compile("not correct", re.IGNORECASE))
    expect(page.get_by_test_id("current-company")).to_have_count(0)


def test_consultant_switches_company_with_the_switcher(
    page: Page, kluis_server: KluisServer
) -> None:
    login(page, kluis_server, "consultant@kluis.test")
    assert current_company(page) == "Demo BV"

    switcher = page.get_by_test_id("company-switcher")
    switcher.get_by_label("Company").select_option(label="Other NV")
    with page.expect_navigation():
        switcher.get_by_role("button", name="Switch").click()

    expect(page.locator("main h1")).to_have_text("Other NV")
    assert current_company(page) == "Other NV"
    # The choice sticks for the rest of the session.
    page.goto("/")
    expect(page.locator("main h1")).to_have_text("Other NV")


def test_single_company_member_sees_no_company_switcher(
    page: Page, kluis_server: KluisServer
) -> None:
    login(page, kluis_server, "member1@demo-bv.test")

    expect(page.get_by_test_id("company-switcher")).to_have_count(0)


def test_sign_out_ends_the_session(page: Page, kluis_server: KluisServer) -> None:
    login(page, kluis_server, "manager@demo-bv.test")

    open_user_menu(page)
    page.get_by_role("link", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/logout/"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    assert page.url.split("?")[0] == f"{kluis_server.url}{LOGIN_PATH}"
    page.goto("/")
    assert page.url.split("?")[0] == f"{kluis_server.url}{LOGIN_PATH}"
    expect(page.get_by_test_id("current-company")).to_have_count(0)
