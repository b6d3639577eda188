"""An employee on a phone (390x844) reads their inbox: they ask for leave, their manager
approves it, and the employee's inbox shows "approved" unread with a count in the header;
they filter to unread, open the notice at the request itself, mark the rest read, and
choose a daily digest for approvals. No page scrolls sideways at 390 px."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import KluisServer, _manage, _server_env, login
from tests.e2e.test_timeoff_journey_e2e import quiet_week
from tests.e2e.test_timeoff_self_e2e import GRANT

EMPLOYEE = "member3@demo-bv.test"  # reports to manager@demo-bv.test
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def as_user(browser: Browser, server: KluisServer, email: str, size: dict[str, int]) -> Page:
    context = browser.new_context(ignore_https_errors=True, base_url=server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.set_viewport_size(size)
    login(page, server, email)
    return page


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def no_serious_axe_violations(page: Page) -> None:
    """axe-core (served from node_modules, evaluated in the page) finds nothing serious."""
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    assert found == [], f"{page.url}: {found}"


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls {overflow} px sideways"


def test_an_employee_reads_the_approval_in_their_inbox_on_a_phone(
    browser: Browser, kluis_server: KluisServer
) -> None:
    _manage(_server_env(kluis_server.data_dir), "shell", "-c", GRANT.format(email=EMPLOYEE))
    day = quiet_week() + dt.timedelta(days=21)

    # On the phone, the employee asks for one day.
    phone = as_user(browser, kluis_server, EMPLOYEE, PHONE)
    phone.goto("/inbox/?show=unread")
    expect(phone.get_by_role("heading", name="Inbox")).to_be_visible()
    mark_all = phone.get_by_test_id("mark-all-read")
    if mark_all.count():  # the demo's own notices: start from an empty unread list
        mark_all.click()
    phone.goto(f"/time-off/?month={day:%Y-%m}")
    phone.get_by_test_id("request-leave").first.click()
    form = phone.get_by_test_id("request-form")
    form.get_by_label("Leave type").select_option(label="Legal holiday")
    form.get_by_label("First day", exact=True).fill(day.isoformat())
    form.get_by_label("Last day", exact=True).fill(day.isoformat())
    with phone.expect_navigation():
        phone.get_by_test_id("submit-request").click()
    expect(phone).to_have_url(re.compile(r"/time-off/requests/(\d+)/$"))
    request_path = phone.url.split(kluis_server.url, 1)[-1]
    pk = int(request_path.rstrip("/").rsplit("/", 1)[1])

    # The manager approves it at their desk (it waited in their inbox too).
    manager = as_user(browser, kluis_server, "manager@demo-bv.test", DESKTOP)
    manager.goto("/inbox/?kind=leave_request.waiting&show=unread")
    expect(manager.get_by_test_id("notices")).to_contain_text("asks for leave")
    manager.goto("/time-off/approvals/")
    row = manager.locator(f'[data-testid=waiting][data-request="{pk}"]')
    row.get_by_test_id("approve").click()
    expect(row.get_by_test_id("decision-outcome")).to_contain_text("Approved")

    # The employee's phone: an unread count in the header, "approved" in the inbox.
    phone.goto("/inbox/")
    expect(phone.get_by_test_id("unread-count")).to_contain_text("1")
    no_sideways_scroll(phone)
    phone.get_by_label("Unread").check()
    phone.get_by_test_id("apply-filters").click()
    expect(phone).to_have_url(re.compile(r"/inbox/\?show=unread"))
    unread = phone.get_by_test_id("notice-unread")
    expect(unread).to_have_count(1)
    expect(unread).to_contain_text("Your leave was approved")
    no_sideways_scroll(phone)
    no_serious_axe_violations(phone)

    # Opening it goes to the request itself and marks it read.
    with phone.expect_navigation():
        unread.get_by_test_id("notice-open").click()
    expect(phone).to_have_url(re.compile(rf"/time-off/requests/{pk}/$"))
    expect(phone.get_by_test_id("status")).to_have_text("Approved")
    expect(phone.get_by_test_id("unread-count")).to_have_count(0)
    phone.goto("/inbox/?show=unread")
    expect(phone.get_by_test_id("no-notices")).to_be_visible()

    # Approvals in a daily e-mail from now on.
    phone.goto("/inbox/")
    phone.get_by_test_id("notice-preferences-link").click()
    expect(phone.get_by_role("heading", name="How you are told")).to_be_visible()
    no_sideways_scroll(phone)
    no_serious_axe_violations(phone)
    choice = phone.get_by_test_id("preference-leave_request.approved")
    choice.get_by_label("In the app and in a daily e-mail").check()
    expect(phone.get_by_test_id("preference-security.new_device")).to_contain_text(
        "cannot be switched off"
    )
    with phone.expect_navigation():
        phone.get_by_test_id("save-preferences").click()
    expect(phone.locator("main")).to_contain_text("Your choices are saved.")
    expect(choice.get_by_label("In the app and in a daily e-mail")).to_be_checked()
    for page in (phone, manager):
        page.context.close()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_mark_one_read_in_place_with_htmx(
    browser: Browser, kluis_server: KluisServer, size: dict[str, int]
) -> None:
    """The header's unread count (one badge: in the phone's bar and the desktop's row)
    drops as soon as one is marked read in place, without reloading the page."""
    told = (
        "from kluis.company.notices import notify; from kluis.tenancy.models import Membership; "
        "m = Membership.objects.get(user__email='member1@demo-bv.test', tenant__slug='demo-bv'); "
        "notify([m], topic='timeoff.expiry', "
        "compose=lambda: ('Plan your days', 'Before they expire.'), url='/time-off/', mail=False); "
        "notify([m], topic='timeoff.expiry', "
        "compose=lambda: ('Days left', 'Two days.'), url='/time-off/', mail=False)"
    )
    _manage(_server_env(kluis_server.data_dir), "shell", "-c", told)
    phone = as_user(browser, kluis_server, "member1@demo-bv.test", size)
    phone.goto("/inbox/")
    badge = phone.get_by_test_id("notices-link").get_by_test_id("unread-count")
    expect(badge).to_be_visible()  # the header's count, at this size
    before = int(re.sub(r"\D", "", badge.inner_text()))
    assert before == phone.get_by_test_id("notice-unread").count() >= 2
    item = phone.get_by_test_id("notice-unread").filter(has_text="Plan your days").first
    item_id = item.get_attribute("id")
    phone.evaluate("window.kluisStayed = true")  # gone if the page reloads
    item.get_by_test_id("mark-read").click()
    swapped = phone.locator(f"#{item_id}")
    expect(swapped).to_have_attribute("data-testid", "notice")  # read, without reloading
    expect(swapped.get_by_test_id("mark-read")).to_have_count(0)
    # The header's count drops with it (swapped out of band), spoken as "N unread".
    expect(badge).to_contain_text(f"{before - 1} unread")
    assert int(re.sub(r"\D", "", badge.inner_text())) == before - 1
    expect(phone.get_by_test_id("notice-unread")).to_have_count(before - 1)
    no_sideways_scroll(phone)
    assert phone.evaluate("window.kluisStayed === true")
    # "Mark all as read" (htmx too) empties the count without a reload.
    phone.get_by_test_id("mark-all-read").click()
    expect(phone.get_by_test_id("inbox-status")).to_have_text("Marked as read.")
    expect(badge).to_have_count(0)
    expect(phone.get_by_test_id("notice-unread")).to_have_count(0)
    assert phone.evaluate("window.kluisStayed === true")
    phone.context.close()
