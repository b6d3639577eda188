"""An authenticator app set up in the browser: the menu's "Two-factor authentication",
the password asked again, the QR code and its secret, a code from pyotp, the recovery
codes; then a sign-in that asks for a code after the password. The pages run under the
CSP without errors (the `page` fixture fails on any) and fit a 390 px wide phone."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, enter_password, login

pytestmark = pytest.mark.e2e

EMAIL = "member2@other-nv.test"  # no other test signs in as this person


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_authenticator_app_set_up_and_used_at_sign_in(
    page: Page, kluis_server: KluisServer
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, kluis_server, EMAIL)
    page.goto(f"{kluis_server.url}/accounts/2fa/")
    no_sideways_scroll(page)
    page.locator("main a[href$='/totp/activate/']").click()
    page.locator("input[name=password]").fill(settings.DEMO_PASSWORD)  # re-authentication
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main img[src^='data:image/svg+xml']")).to_be_visible()  # the QR code
    no_sideways_scroll(page)
    secret = page.locator("#authenticator_secret").input_value()
    totp = pyotp.TOTP(secret)
    page.locator("input[name=code]").fill(totp.now())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10

    page.goto(f"{kluis_server.url}/accounts/logout/")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    time.sleep(30 - time.time() % 30 + 0.5)  # the code used above is spent: the next one
    enter_password(page, kluis_server, EMAIL)
    assert page.url.endswith("/accounts/2fa/authenticate/")
    no_sideways_scroll(page)
    page.locator("input[name=code]").fill(totp.now())
    with page.expect_navigation(url=f"{kluis_server.url}/"):
        page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main h1")).to_have_text("Other NV")
