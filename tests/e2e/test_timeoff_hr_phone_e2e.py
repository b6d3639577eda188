"""HR's calendar pages on a phone (390 x 844): every set-up, payroll and team page of the
calendar fits the screen (the page never scrolls sideways; a wide table or calendar
scrolls inside its own frame) and shows its heading. One sign-in, page after page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login

PHONE = {"width": 390, "height": 844}
HR = "hr@demo-bv.test"

# HR's set-up and payroll pages, then the team area (the demo has a year of calendar).
PAGES = [
    "/time-off/settings/",
    "/time-off/settings/leave-types/",
    "/time-off/settings/leave-types/new/",
    "/time-off/settings/closing-days/",
    "/time-off/settings/month-locks/",
    "/time-off/export/",
    "/time-off/approvals/",
    "/time-off/team/",
    "/time-off/team/?view=month",
    "/time-off/company/",
    "/time-off/absences/",
    "/time-off/sick/new/",
]


def _first_link(page: Page, pattern: str) -> str:
    """The first link on the page whose path matches `pattern` (a page's own object)."""
    hrefs: list[str] = page.eval_on_selector_all(
        "main a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    found = next((h for h in hrefs if re.fullmatch(pattern, h.split("?")[0])), None)
    assert found is not None, f"no link like {pattern} on {page.url}: {hrefs}"
    return found


def _fits_the_phone(page: Page, path: str) -> None:
    heading = page.locator("main h1").first
    expect(heading).to_be_visible()
    assert heading.inner_text().strip(), f"{path}: an empty heading"
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1], f"{path} scrolls sideways: {overflow[0]} > {overflow[1]}"


def test_hr_calendar_pages_fit_a_phone(page: Page, kluis_server: KluisServer) -> None:
    page.set_viewport_size(PHONE)
    login(page, kluis_server, HR)

    visited: list[str] = []
    for path in PAGES:
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response)
        _fits_the_phone(page, path)
        visited.append(path)
        # A leave type's edit page and an absence's page: the first the list links to.
        if path == "/time-off/settings/leave-types/":
            detail = _first_link(page, r"/time-off/settings/leave-types/\d+/")
        elif path == "/time-off/absences/":
            detail = _first_link(page, r"/time-off/absences/\d+/")
        else:
            continue
        response = page.goto(detail)
        assert response is not None and response.status == 200, (detail, response)
        _fits_the_phone(page, detail)
        visited.append(detail)

    assert len(visited) == len(PAGES) + 2
