"""Single sign-on in the browser against a real OpenID Connect provider started on
loopback by the test (oidc-provider-mock): the owner sets it up on the settings page,
then a person types their e-mail address on the sign-in page, is sent to the provider,
signs in there and comes back signed in to their company's dashboard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import oidc_provider_mock
import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LOGIN_PATH, KluisServer, login
from tests.e2e.navigation import go_to

pytestmark = pytest.mark.e2e

DOMAIN = "sso-bv.test"  # a domain of its own: the demo logins of other tests keep passwords
NEWCOMER = f"nova@{DOMAIN}"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def test_sign_in_through_the_company_s_provider(
    page: Page, kluis_server: KluisServer, issuer: str, page_problems: list[str]
) -> None:
    # The owner sets up single sign-on for Demo BV.
    login(page, kluis_server, "owner@demo-bv.test")
    go_to(page, "Settings", "Single sign-on")
    form = page.get_by_test_id("sso-form")
    form.get_by_label("Provider", exact=True).select_option("oidc")
    form.get_by_label("Issuer URL").fill(issuer)
    form.get_by_label("Client ID").fill("kluis-e2e")
    form.get_by_label("Client secret").fill("e2e-client-secret-0123456789")
    form.get_by_label("E-mail domains").fill(DOMAIN)
    form.get_by_label("Sign in through this provider").check()
    form.get_by_label("Create an account at the first sign-in").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Set up single sign-on").click()
    expect(page.get_by_test_id("sso-status")).to_have_text("Single sign-on is on.")
    expect(page.get_by_test_id("sso-redirect-uri")).to_contain_text(
        re.compile(r"/accounts/oidc/kluis-\d+/login/callback/")
    )
    expect(page.get_by_test_id("sso-secret-state")).to_have_text("Client secret: set")
    expect(page.locator("main")).not_to_contain_text("e2e-client-secret")
    # On a phone, the page (with its long redirect URI) does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.context.clear_cookies()

    # The provider knows the person; Kluis does not yet (just-in-time creation is on).
    response = requests.put(
        f"{issuer}/users/{quote(NEWCOMER)}",
        json={
            "email": NEWCOMER,
            "email_verified": True,
            "given_name": "Nova",
            "family_name": "Nieuw",
        },
        timeout=5,
    )
    assert response.status_code == 204

    # E-mail first: the domain routes to the provider.
    page.goto(LOGIN_PATH)
    expect(page.locator("input[name=password]")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("input[name=login]").fill(NEWCOMER)
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(re.compile(rf"^{re.escape(issuer)}/oauth2/authorize\?"))

    # Signing in at the provider brings the person back, signed in.
    page.get_by_label("Subject").fill(NEWCOMER)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(f"{kluis_server.url}/")
    expect(page.locator("main h1")).to_have_text("Demo BV")
    expect(page.get_by_test_id("current-company")).to_have_text("Demo BV")
    # The provider's own page asks for a stylesheet on the internet (no network here) and
    # a favicon: its problems, not Kluis's. Every Kluis page stays checked.
    page_problems[:] = [p for p in page_problems if f" on {issuer}/" not in p]


def test_an_address_of_another_domain_is_asked_for_its_password(
    page: Page, kluis_server: KluisServer
) -> None:
    page.goto(LOGIN_PATH)
    page.locator("input[name=login]").fill("hr@demo-bv.test")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue", exact=True).click()

    expect(page.locator("input[name=password]")).to_be_visible()
    expect(page.locator("input[name=login]")).to_have_value("hr@demo-bv.test")
