"""In the browser: HR hires an employee and finds them; a manager opens a team member's
profile and sees no wages (also at phone width)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_hr_hires_an_employee_and_finds_them_in_the_list(
    page: Page, kluis_server: KluisServer
) -> None:
    login(page, kluis_server, "hr@demo-bv.test")
    page.goto("/people/")
    page.get_by_test_id("hire-employee").click()
    form = page.get_by_test_id("employee-form")
    form.get_by_label("First name").fill("Ilse")
    form.get_by_label("Last name").fill("Wouters-E2e")
    form.get_by_label("Work e-mail").fill("ilse.e2e@demo-bv.test")
    form.get_by_label("Private phone").fill("0470 12 34 56")
    form.get_by_label("Street").fill("Meir")
    form.get_by_label("Number", exact=True).fill("1")
    form.get_by_label("Postal code").fill("2000")
    form.get_by_label("City").fill("Antwerpen")
    form.get_by_label("Country").select_option("BE")
    form.get_by_label("National number").fill("85.07.30-033.28")
    form.get_by_label("T-shirt size").select_option("M")
    form.get_by_label("Contract type").select_option("permanent")
    form.get_by_label("Start date").fill("2026-01-05")
    form.get_by_label("Job title").fill("Data analyst")
    form.get_by_label("Manager").fill("Mark De Vries")  # typed in full: resolved on posting
    form.get_by_label("Gross amount").fill("4100")
    form.get_by_role("button", name="Check and save").click()
    page.get_by_test_id("save-employee").click()

    expect(page).to_have_url(re.compile(r"/people/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Ilse Wouters-E2e was hired.")
    expect(page.get_by_test_id("employee-name")).to_have_text("Ilse Wouters-E2e")
    expect(page.get_by_test_id("field-national_id")).to_contain_text("••••••")
    expect(page.get_by_test_id("field-national_id")).not_to_contain_text("85073003328")
    page.get_by_test_id("tab-job").click()
    expect(page.get_by_test_id("contracts")).to_contain_text("Mark De Vries")
    page.get_by_test_id("tab-wages").click()
    expect(page.get_by_test_id("wages")).to_contain_text("4,100.00")

    # Live search (htmx) finds them in the list without reloading the page.
    page.goto("/people/")
    page.get_by_test_id("people-search").fill("Wouters-E2e")
    results = page.get_by_test_id("people")
    expect(results.get_by_role("link", name=re.compile("Wouters-E2e"))).to_be_visible()
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=Wouters-E2e"))
    results.get_by_role("link", name=re.compile("Wouters-E2e")).click()
    expect(page.get_by_test_id("employee-name")).to_have_text("Ilse Wouters-E2e")


def test_a_manager_opens_a_team_members_profile_without_wages(
    page: Page, kluis_server: KluisServer
) -> None:
    page.set_viewport_size(PHONE)
    login(page, kluis_server, "manager@demo-bv.test")
    page.goto("/people/")
    page.get_by_test_id("people").get_by_role("link", name=re.compile("Maes")).click()
    expect(page.get_by_test_id("employee-name")).to_have_text("Lotte Maes")
    expect(page.get_by_test_id("tab-job")).to_be_visible()
    expect(page.get_by_test_id("tab-wages")).to_have_count(0)
    expect(page.get_by_test_id("field-national_id")).to_have_count(0)
    expect(page.get_by_test_id("field-iban")).to_have_count(0)
    expect(page.get_by_test_id("field-address")).to_have_count(0)
    expect(page.get_by_test_id("field-job_title")).to_have_text("Developer")
    page.get_by_test_id("tab-job").click()
    expect(page.get_by_test_id("contracts")).to_contain_text("Mark De Vries")
    # At phone width nothing sticks out sideways.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.goto(page.url.split("?")[0] + "?tab=wages")
    expect(page.get_by_test_id("panel-personal")).to_be_visible()
    expect(page.get_by_test_id("wages")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_tick_box_and_its_name_share_a_line_in_the_people_list(
    page: Page, kluis_server: KluisServer, width: int
) -> None:
    """The name beside an invite tick box wraps beside it, never onto a line of its own."""
    page.set_viewport_size({"width": width, "height": 844})
    login(page, kluis_server, "hr@demo-bv.test")
    page.goto(f"{kluis_server.url}/people/?per_page=100")
    boxes = page.get_by_test_id("select-employee")
    assert boxes.count() > 0
    for index in range(min(boxes.count(), 12)):
        box = boxes.nth(index).bounding_box()
        link = boxes.nth(index).locator("xpath=following-sibling::a[1]").bounding_box()
        assert box is not None and link is not None
        assert link["y"] < box["y"] + box["height"], (index, box, link)  # not below the box
        assert link["x"] > box["x"] + box["width"] - 1  # beside it
