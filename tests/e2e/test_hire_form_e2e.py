"""In the browser at phone size (390x844): HR hires someone through the form's sections,
picks the manager by typing (htmx search, chosen by keyboard), is stopped by the error
summary once, checks the summary and saves."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_hr_hires_through_sections_and_summary_picking_the_manager_by_typing(
    page: Page, kluis_server: KluisServer
) -> None:
    page.set_viewport_size(PHONE)
    login(page, kluis_server, "hr@demo-bv.test")
    page.goto("/people/new/")
    form = page.get_by_test_id("employee-form")
    for section in ("person", "contact", "identity", "job", "contract", "pay"):
        expect(page.get_by_test_id(f"section-{section}")).to_be_visible()

    # A digits-only name: the error summary names the field, links it and has the focus.
    form.get_by_label("First name").fill("12345")
    form.get_by_label("Last name").fill("Peeters-Hire")
    form.get_by_label("Birth date").fill("1991-03-04")
    form.get_by_label("Job title").fill("Payroll officer")
    form.get_by_label("Start date").fill("2026-02-02")
    page.get_by_test_id("check-hire").click()
    summary = page.get_by_test_id("form-errors")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="First name: A name must contain at least one letter.")
    link.click()
    expect(page).to_have_url(re.compile(r"#id_first_name$"))
    page.get_by_test_id("employee-form").get_by_label("First name").fill("Anna")

    # The manager: typing searches (htmx), a match is chosen with the keyboard.
    box = page.get_by_test_id("employee-form").get_by_label("Manager")
    box.fill("De Vr")
    option = page.get_by_role("button", name=re.compile(r"Mark De Vries \(\d+\)"))
    expect(option).to_be_visible()
    # Every search the typing started has answered (a later answer replaces the options).
    page.wait_for_load_state("networkidle")
    option.focus()
    page.keyboard.press("Enter")
    box = page.get_by_test_id("employee-form").get_by_label("Manager")
    expect(box).to_have_value(re.compile(r"^Mark De Vries \(\d+\)$"))
    expect(box).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_test_id("check-hire").click()
    check = page.get_by_test_id("hire-summary")
    expect(check).to_contain_text("Anna")
    expect(check).to_contain_text("2 February 2026")
    expect(check).to_contain_text("Mark De Vries")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_test_id("save-employee").click()

    # (the fragment of the error link followed the redirect, as browsers do)
    expect(page).to_have_url(re.compile(r"/people/\d+/(#id_first_name)?$"))
    expect(page.get_by_role("status")).to_contain_text("Anna Peeters-Hire was hired.")
    page.get_by_test_id("tab-job").click()
    expect(page.get_by_test_id("contracts")).to_contain_text("Mark De Vries")
