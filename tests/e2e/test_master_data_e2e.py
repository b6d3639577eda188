"""HR renames a department at the desk (1280 x 800) and on a phone (390 x 844), from its
row in People settings, and sees the new name on the profile of someone in it (issue 17's
"HR renames a department").
The name is put back at the end: the server is shared by the session's e2e tests."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
HR = "hr@demo-bv.test"
NEW_NAME = "Finance & Control"


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width[0]} > {width[1]}"


def _rename(page: Page, old: str, new: str) -> int:
    page.goto("/people/settings/departments/")
    _no_sideways_scroll(page)
    row = page.locator("table[data-testid=departments] tbody tr").filter(
        has=page.get_by_role("rowheader", name=old, exact=True)
    )
    row.get_by_role("link", name=re.compile(r"^Edit")).click()
    expect(page.get_by_role("heading", level=2)).to_have_text(f"Edit {old}")
    _no_sideways_scroll(page)
    department_id = int(re.search(r"/departments/(\d+)/edit/", page.url).group(1))  # type: ignore[union-attr]
    page.get_by_label("Name", exact=True).fill(new)
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/people/settings/departments/$"))
    expect(page.locator("table[data-testid=departments]")).to_contain_text(new)
    return department_id


@pytest.mark.parametrize("size", list(SIZES))
def test_hr_renames_a_department_and_sees_it_on_a_profile(
    page: Page, kluis_server: KluisServer, size: str
) -> None:
    page.set_viewport_size(SIZES[size])  # type: ignore[arg-type]
    login(page, kluis_server, HR)
    department_id = _rename(page, "Finance", NEW_NAME)
    try:
        page.goto(f"/people/?department={department_id}")
        profile = (
            page.locator("main a[href]")
            .filter(has_not_text="Export")
            .evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
                ".filter(h => /^\\/people\\/\\d+\\/$/.test(h))"
            )
        )
        assert profile, "nobody listed in the department"
        page.goto(profile[0])
        _no_sideways_scroll(page)
        expect(page.locator("main")).to_contain_text(NEW_NAME)
    finally:
        _rename(page, NEW_NAME, "Finance")
