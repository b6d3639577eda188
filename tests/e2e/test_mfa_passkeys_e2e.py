"""Passkeys in Chromium with a virtual authenticator (CDP WebAuthn domain): enrol a
passkey, sign out, sign in passwordless with it, then use it as the second factor after
the password. WebAuthn needs a domain name, not an IP address: the test browses the same
server as https://localhost:PORT."""

from __future__ import annotations

import dataclasses

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LOGIN_PATH, KluisServer, enter_password, login
from tests.e2e.navigation import open_user_menu

pytestmark = pytest.mark.e2e

EMAIL = "member1@other-nv.test"  # no other test signs in as this person


def sign_out(page: Page, server: KluisServer) -> None:
    page.goto(f"{server.url}/accounts/logout/")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.split("?")[0].endswith(LOGIN_PATH)


def test_passkey_enrol_passwordless_sign_in_and_second_factor(
    page: Page, kluis_server: KluisServer
) -> None:
    server = dataclasses.replace(
        kluis_server, url=kluis_server.url.replace("127.0.0.1", "localhost")
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]

    # Enrol: the menu's "Two-factor authentication", add a passkey (password asked again).
    login(page, server, EMAIL)
    open_user_menu(page)
    page.get_by_role("link", name="Two-factor authentication").click()
    page.goto(f"{server.url}/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:
        page.locator("input[name=password]").fill(settings.DEMO_PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    page.locator("input[name=name]").fill("Laptop")
    page.locator("input[name=passwordless]").check()
    with page.expect_navigation():
        page.locator("#mfa_webauthn_add").click()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1
    page.goto(f"{server.url}/accounts/2fa/webauthn/")
    expect(page.locator("main")).to_contain_text("Laptop")

    # Passwordless: no e-mail address, no password.
    sign_out(page, server)
    page.goto(f"{server.url}{LOGIN_PATH}")
    with page.expect_navigation(url=f"{server.url}/"):
        page.locator("#passkey_login").click()
    expect(page.locator("main h1")).to_have_text("Other NV")

    # Second factor: the password, then the passkey instead of a code.
    sign_out(page, server)
    enter_password(page, server, EMAIL)
    assert page.url.endswith("/accounts/2fa/authenticate/")
    with page.expect_navigation(url=f"{server.url}/"):
        page.locator("#mfa_webauthn_authenticate").click()
    expect(page.locator("main h1")).to_have_text("Other NV")
