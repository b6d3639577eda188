"""Following the main navigation in a browser test, as a person does: on a desktop open the
item's group (a dropdown), on a phone the Menu and then the group; then the link."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

GROUPS = {
    "Home": "home",
    "People": "people",
    "Time off": "timeoff",
    "Organisation": "organisation",
    "Reports": "reports",
    "Settings": "settings",
    "Operator": "operator",
}


def nav_link(page: Page, group: str, label: str) -> Locator:
    """The link `label` of `group` ("Settings", ...), its menu opened, ready to click."""
    key = GROUPS[group]
    desktop = page.get_by_test_id(f"nav-group-{key}")
    if desktop.is_visible():
        if desktop.get_attribute("open") is None:
            desktop.locator("summary").click()
        return desktop.get_by_role("link", name=label, exact=True)
    menu = page.get_by_test_id("menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").first.click()
    phone_group = page.get_by_test_id(f"menu-group-{key}")
    if phone_group.get_attribute("open") is None:
        phone_group.locator("summary").click()
    return phone_group.get_by_role("link", name=label, exact=True)


def go_to(page: Page, group: str, label: str) -> None:
    """Open `label` from the main navigation and wait for its page."""
    with page.expect_navigation():
        nav_link(page, group, label).click()


def open_user_menu(page: Page) -> Locator:
    """The signed-in person's own menu (password, second factor, sessions, language, sign
    out): their name in the header on a desktop, the last group of the Menu on a phone."""
    desktop = page.get_by_test_id("user-menu")
    if desktop.is_visible():
        if desktop.get_attribute("open") is None:
            desktop.locator("summary").click()
        return desktop
    menu = page.get_by_test_id("menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").first.click()
    account = page.get_by_test_id("menu-group-account")
    if account.get_attribute("open") is None:
        account.locator("summary").click()
    return account
