"""HR's calendar set-up, the payroll export and the calendar feed page in a real browser
on a phone (390 px): Kluis's look, no sideways scroll, no CSP violation or JS error; the
demo (with its year of calendar, loaded by `manage load_demo`) shows a locked month and
a closing day; a feed made on the page is a calendar a calendar app can read."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import conftest as e2e
from tests.e2e.conftest import KluisServer, login

# The e2e fixtures (a Kluis served as in production, a browser failing on CSP violations).
playwright = e2e.playwright
browser = e2e.browser
kluis_server = e2e.kluis_server
page_problems = e2e.page_problems
page = e2e.page

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 391)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
        .slice(0, 8)"""
    )
    assert width <= 390, f"{page.url} scrolls sideways: {width}px wide: {wide}"


def test_hr_set_up_pages_on_a_phone(page: Page, kluis_server: KluisServer) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    url = kluis_server.url
    login(page, kluis_server, "hr@demo-bv.test")
    for path, heading in (
        ("/time-off/settings/", "Country and holidays"),
        ("/time-off/settings/leave-types/", "Leave types"),
        ("/time-off/settings/leave-types/new/", "New leave type"),
        ("/time-off/settings/closing-days/", "Closing days"),
        ("/time-off/settings/month-locks/", "Month locks"),
        ("/time-off/export/", "Payroll export"),
    ):
        page.goto(url + path)
        expect(page.locator("main h1")).to_have_text("Calendar settings")
        expect(page.locator("main h2").first).to_have_text(heading)
        _no_sideways_scroll(page)
    # The demo's calendar: last month is locked, with its reason; a bridge day is closed.
    page.goto(url + "/time-off/settings/month-locks/")
    last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    expect(page.locator(f"[data-testid=unlock-{last_month}]")).to_be_visible()
    page.goto(url + "/time-off/settings/closing-days/")
    expect(page.locator("[data-testid=closing-days] tbody tr")).to_have_count(1)


def test_a_feed_made_on_a_phone_is_a_calendar(page: Page, kluis_server: KluisServer) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, kluis_server, "manager@demo-bv.test")
    page.goto(kluis_server.url + "/time-off/feed/")
    _no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("[data-testid=create-feed]").click()
    feed_url = page.locator("[data-testid=feed-url]").inner_text()
    _no_sideways_scroll(page)
    answer = page.request.get(feed_url)
    assert answer.status == 200
    body = answer.text()
    assert body.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in body
    # The demo team's open sick period shows as "absent", never with its reason.
    assert " - absent" in body and "Flu" not in body
