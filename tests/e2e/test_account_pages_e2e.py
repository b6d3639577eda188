"""allauth's account pages in Kluis's look on a phone: the two-factor overview, the password
asked again, the authenticator app's QR code and secret, the password change, passkeys and
e-mail addresses. Each has Kluis's header and navigation, the account tabs (or the sign-in
card), a heading, labelled fields and no sideways scroll at 390 px; the `page` fixture fails
on any CSP violation or JS error. Then the same pages in Dutch and French, switched with
the user menu's language switch."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login
from tests.e2e.navigation import open_user_menu

pytestmark = pytest.mark.e2e

# No other browser test signs in as this person: visiting the e-mail page records their
# address (unverified), after which allauth refuses to set up an authenticator app.
EMAIL = "member2@demo-bv.test"


def assert_kluis_page(page: Page, *, heading: str | re.Pattern[str], card: bool = False) -> None:
    """Kluis's header and main navigation, the account tabs or the entrance card, the
    heading, and nothing wider than the phone."""
    expect(page.locator("header.kluis-header .kluis-brand")).to_have_text("Kluis")
    menus = "[data-testid=user-menu] > summary:visible, [data-testid=menu] > summary:visible"
    expect(page.locator("header.kluis-header").locator(menus)).to_have_count(1)  # name or Menu
    if card:
        expect(page.locator("main > article.kluis-entrance")).to_be_visible()
    else:
        expect(page.get_by_test_id("account-tabs")).to_be_visible()
        expect(page.locator("main .kluis-account")).to_be_visible()
    expect(page.locator("main h1")).to_have_text(heading)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} scrolls sideways: {width}px wide"


def test_account_pages_look_like_kluis_on_a_phone(page: Page, kluis_server: KluisServer) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    url = kluis_server.url
    login(page, kluis_server, EMAIL)

    page.goto(f"{url}/accounts/2fa/")
    assert_kluis_page(page, heading="Two-Factor Authentication")
    expect(page.locator("main article.kluis-panel")).to_have_count(3)
    expect(page.locator("main [data-testid=account-tabs] a[aria-current=page]")).to_have_text(
        "Two-factor authentication"
    )
    page.locator("main a[role=button][href$='/totp/activate/']").click()

    # The password asked again, in the sign-in card.
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    assert_kluis_page(page, heading="Confirm Access", card=True)
    password = page.get_by_label("Password", exact=True)
    password.fill(settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    # The authenticator app: the QR code, the secret readable and copyable, the code field.
    assert_kluis_page(page, heading="Activate Authenticator App")
    qr = page.locator("main img.kluis-qr[src^='data:image/svg+xml']")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 150 and box["x"] + box["width"] <= 390
    secret = page.get_by_label("Authenticator secret")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret.input_value())
    expect(page.get_by_label("Authenticator code")).to_be_editable()
    expect(page.locator("main form button[type=submit]")).to_have_text("Activate")

    page.goto(f"{url}/accounts/password/change/")
    assert_kluis_page(page, heading="Change Password")
    for label in ("Current Password", "New Password", "New Password (again)"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    # A wrong current password: the error under its field, the field marked invalid.
    current = page.get_by_label("Current Password", exact=True)
    current.fill("not-the-current-password")
    page.get_by_label("New Password", exact=True).fill("a-new-long-passphrase-2026")
    page.get_by_label("New Password (again)", exact=True).fill("a-new-long-passphrase-2026")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main .kluis-field-errors[role=alert]")).to_have_count(1)
    assert_kluis_page(page, heading="Change Password")

    page.goto(f"{url}/accounts/2fa/webauthn/")
    assert_kluis_page(page, heading="Security Keys")
    expect(page.locator("main a[role=button][href$='/webauthn/add/']")).to_be_visible()

    page.goto(f"{url}/accounts/email/")  # last: it records the address as unverified
    assert_kluis_page(page, heading="Email Addresses")
    expect(page.locator("main .kluis-badge")).to_have_text("Unverified")

    # Dutch, then French: the texts from the catalogues, in the same layout.
    headings = {"nl": "Tweestapsverificatie", "fr": "Authentification à deux facteurs"}
    for language, heading in headings.items():
        page.goto(f"{url}/accounts/2fa/")
        switcher = open_user_menu(page).get_by_test_id("language-switcher")
        switcher.locator("select").select_option(language)
        with page.expect_navigation():
            switcher.locator("button").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_kluis_page(page, heading=heading)
        expect(page.locator("main article.kluis-panel")).to_have_count(3)
        page.goto(f"{url}/accounts/reauthenticate/")
        assert_kluis_page(page, heading=re.compile(r"\S"), card=True)
