"""The main navigation in the browser: grouped into menus that show each person only what
their role allows; one row on a desktop, a Menu button on a phone; usable by keyboard.

Which items each role gets is tested without a browser in tests/web/test_navigation.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login
from tests.e2e.navigation import go_to, nav_link

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
RESTRICTED = {"Members": "/members/", "Roles": "/roles/", "Audit log": "/audit/"}


def nav_links(page: Page) -> dict[str, str]:
    """Every link of the desktop navigation (open or not): text -> href."""
    links = page.locator("[data-testid=main-nav] details > ul > li > a")
    return {
        links.nth(i).text_content().strip(): links.nth(i).get_attribute("href") or ""  # type: ignore[union-attr]
        for i in range(links.count())
    }


def assert_one_header_row(page: Page, groups: int) -> None:
    """Every group, the inbox and the person's name side by side, in one row."""
    row = page.locator(
        "[data-testid=main-nav] summary, [data-testid=notices-link],"
        " [data-testid=user-menu] > summary"
    )
    middles = [(b["y"] + b["height"] / 2) for b in (e.bounding_box() for e in row.all()) if b]
    assert len(middles) == groups + 2 and max(middles) - min(middles) < 8, middles


def test_hr_header_stays_one_row_with_a_long_name_and_unread_notices(
    page: Page, kluis_server: KluisServer
) -> None:
    """The HR admin of the demo has the longest name in the header and unread notices."""
    page.set_viewport_size(DESKTOP)
    login(page, kluis_server, "hr@demo-bv.test")
    expect(page.get_by_test_id("main-nav").locator("details > summary")).to_have_count(6)
    assert_one_header_row(page, groups=6)


def test_owner_finds_every_group_in_one_header_row(page: Page, kluis_server: KluisServer) -> None:
    page.set_viewport_size(DESKTOP)
    login(page, kluis_server, "owner@demo-bv.test")

    groups = page.get_by_test_id("main-nav").locator("details > summary")
    expect(groups).to_have_text(
        ["Home", "People", "Time off", "Organisation", "Reports", "Settings"]
    )
    links = nav_links(page)
    for label, href in {**RESTRICTED, "Change feed": "/people/changes/"}.items():
        assert links.get(label) == href, links
    assert_one_header_row(page, groups=6)
    expect(page.get_by_test_id("notices-link")).to_be_visible()
    expect(page.get_by_test_id("menu")).to_be_hidden()

    go_to(page, "People", "Change feed")
    expect(page).to_have_url(f"{kluis_server.url}/people/changes/")
    people = page.get_by_test_id("nav-group-people")
    expect(people.locator("summary")).to_have_attribute("aria-current", "true")
    # (the dropdown is closed: the link is found by its address, not as a visible link)
    current = people.locator("a[href='/people/changes/']")
    expect(current).to_have_attribute("aria-current", "page")


def test_employee_sees_none_of_members_roles_audit_log(
    page: Page, kluis_server: KluisServer
) -> None:
    login(page, kluis_server, "employee@demo-bv.test")

    links = nav_links(page)
    assert "Dashboard" in links
    assert not set(RESTRICTED) & set(links), links
    assert not set(RESTRICTED.values()) & set(links.values()), links


def test_auditor_reaches_the_audit_log_and_roles(page: Page, kluis_server: KluisServer) -> None:
    login(page, kluis_server, "auditor@other-nv.test")

    links = nav_links(page)
    assert links.get("Audit log") == "/audit/", links
    assert links.get("Roles") == "/roles/", links
    go_to(page, "Reports", "Audit log")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Audit")


def test_a_keyboard_skips_to_the_content_and_works_the_menus(
    page: Page, kluis_server: KluisServer
) -> None:
    page.set_viewport_size(DESKTOP)
    login(page, kluis_server, "hr@demo-bv.test")

    page.keyboard.press("Tab")
    skip = page.get_by_test_id("skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    # The focus ring: a solid outline of 2px, not Pico's pale shadow.
    style = "e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]"
    assert skip.evaluate(style) == ["solid", "2px"]
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    settings = page.get_by_test_id("nav-group-settings")
    settings.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(settings).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(settings.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(settings).not_to_have_attribute("open", "")
    expect(settings.locator("summary")).to_be_focused()


def test_on_a_phone_the_header_is_one_line_with_a_menu_button(
    page: Page, kluis_server: KluisServer
) -> None:
    page.set_viewport_size(PHONE)
    login(page, kluis_server, "owner@demo-bv.test")

    header = page.locator("header.kluis-header").bounding_box()
    assert header is not None and header["height"] < 90, header
    expect(page.get_by_test_id("main-nav")).to_be_hidden()
    expect(page.get_by_test_id("notices-link")).to_be_visible()
    menu = page.get_by_test_id("menu")
    expect(menu.locator("summary").first).to_have_text("Menu")

    link = nav_link(page, "Settings", "Leave types")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    with page.expect_navigation():
        link.click()
    expect(page).to_have_url(f"{kluis_server.url}/time-off/settings/leave-types/")
    # The current group opens with the menu, its page marked.
    menu.locator("summary").first.click()
    current = page.get_by_test_id("menu-group-settings")
    expect(current).to_have_attribute("open", "")
    expect(current.get_by_role("link", name="Leave types")).to_have_attribute(
        "aria-current", "page"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
