"""In the browser, on a phone: HR invites an employee without a login from the People list
and the profile; the e-mail shows up in the development outbox; the employee follows its
link in another browser, chooses a password and is signed in; the link then does not work
again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import KluisServer, login, running_kluis

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PASSPHRASE = "orange tractor lighthouse 42"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KluisServer]:
    """A server of its own whose tasks run at once in the web process (no worker here), so
    the invitation e-mail reaches the outbox while the test watches."""
    data_dir: Path = tmp_path_factory.mktemp("kluis-invite-e2e")
    with running_kluis(
        data_dir, KLUIS_TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend"
    ) as running:
        yield running


def phone(browser: Browser, server: KluisServer) -> BrowserContext:
    context = browser.new_context(
        ignore_https_errors=True, base_url=server.url, locale="en-GB", viewport=PHONE
    )
    context.set_default_timeout(15_000)
    return context


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_hr_invites_and_the_employee_sets_a_password_from_the_outbox(
    browser: Browser, server: KluisServer
) -> None:
    hr_context = phone(browser, server)
    hr = hr_context.new_page()
    login(hr, server, "hr@demo-bv.test")
    hr.goto("/people/")
    expect(hr.get_by_test_id("invite-everyone")).to_be_visible()
    no_sideways_scroll(hr)
    row = (  # a person still working here, without a login: the row one can tick
        hr.get_by_test_id("people")
        .locator("tr")
        .filter(has=hr.locator('[data-state="none"]'))
        .filter(has=hr.get_by_test_id("select-employee"))
        .first
    )
    name = row.locator("th a").inner_text()
    row.locator("th a").click()
    panel = hr.get_by_test_id("account-panel")
    expect(panel.get_by_test_id("account-state")).to_have_text("No login")
    panel.get_by_test_id("account-invite").click()
    expect(hr.get_by_role("status")).to_contain_text("An invitation was e-mailed to")
    expect(hr.get_by_test_id("account-panel").get_by_test_id("account-state")).to_have_text(
        "Invited"
    )
    no_sideways_scroll(hr)

    hr.goto("/people/?account=invited")
    expect(hr.get_by_test_id("people").get_by_test_id("account-state")).to_have_count(1)
    no_sideways_scroll(hr)

    # The outbox is the operator's (it holds everyone's links), not HR's.
    operator = phone(browser, server).new_page()
    login(operator, server, "operator@kluis.test")
    operator.goto("/dev/outbox/")
    message = operator.get_by_test_id("outbox-message").first
    expect(message.get_by_test_id("outbox-subject")).to_have_text(
        "You are invited to Demo BV on Kluis"
    )
    no_sideways_scroll(operator)
    link = message.locator("a", has_text="/accounts/invitation/").get_attribute("href")
    assert link is not None and re.search(r"/accounts/invitation/[0-9a-f]{64}/$", link)

    invitee_context = phone(browser, server)
    invitee = invitee_context.new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Welcome to Demo BV")
    no_sideways_scroll(invitee)
    invitee.get_by_label(re.compile(r"^New password:?$")).fill(PASSPHRASE)
    invitee.get_by_label(re.compile(r"^New password confirmation:?$")).fill(PASSPHRASE)
    invitee.get_by_role("button", name="Set my password and sign in").click()
    expect(invitee).to_have_url(re.compile(r"/$"))
    expect(invitee.get_by_role("status")).to_contain_text("Successfully signed in")

    hr.goto("/people/")
    hr.get_by_test_id("people-search").fill(name.split(",")[0])
    expect(
        hr.get_by_test_id("people").locator("tr", has_text=name).get_by_test_id("account-state")
    ).to_have_text("Can sign in")

    # Where the invitee is now signed in, the link asks to sign out first; elsewhere it is
    # used up.
    invitee.goto(link)
    expect(invitee.get_by_test_id("invitation-signed-in")).to_be_visible()
    elsewhere = phone(browser, server)
    again = elsewhere.new_page()
    again.goto(link)
    expect(again.get_by_test_id("invitation-closed")).to_be_visible()
    no_sideways_scroll(again)
    elsewhere.close()
    hr_context.close()
    invitee_context.close()
