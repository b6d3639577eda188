"""HR on a phone opens a team member's leave from the company overview, corrects their
legal holiday balance and records a holiday certificate; the balance and its lines show
the correction; no page scrolls sideways at 390 px. A manager sees the same page
without the forms."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login

PHONE = {"width": 390, "height": 844}


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_hr_corrects_a_balance_on_a_phone(page: Page, kluis_server: KluisServer) -> None:
    page.set_viewport_size(PHONE)
    login(page, kluis_server, "hr@demo-bv.test")
    page.goto("/time-off/company/")
    page.get_by_test_id("employee-leave-link").first.click()
    expect(page.get_by_test_id("employee-leave-title")).to_be_visible()
    fits(page)
    balance = page.get_by_test_id("balance-legal-holiday")
    before = float(balance.get_by_test_id("remaining").inner_text().replace(",", "."))

    form = page.get_by_test_id("correction-form")
    form.get_by_label("Leave type").select_option(label="Legal holiday")
    form.get_by_label("Amount").fill("2")
    form.get_by_label("Why").fill("Two days agreed at hiring")
    form.get_by_test_id("submit-correction").click()
    expect(page.get_by_text("The balance is corrected.")).to_be_visible()
    after = page.get_by_test_id("balance-legal-holiday").get_by_test_id("remaining")
    assert round(float(after.inner_text().replace(",", ".")) - before, 2) == 2
    fits(page)

    certificate = page.get_by_test_id("certificate-form")
    certificate.get_by_label("Days on the certificate").fill("12")
    certificate.get_by_label("Previous employer (optional)").fill("Vorige BV")
    certificate.get_by_test_id("submit-certificate").click()
    expect(page.get_by_text("The holiday certificate is recorded.")).to_be_visible()
    expect(page.get_by_test_id("certificates")).to_contain_text("Vorige BV")

    page.get_by_test_id("balance-legal-holiday").get_by_test_id("explain").click()
    expect(page.get_by_test_id("ledger")).to_contain_text("Two days agreed at hiring")
    fits(page)


def test_a_manager_reads_a_team_members_leave_without_forms(
    page: Page, kluis_server: KluisServer
) -> None:
    page.set_viewport_size(PHONE)
    login(page, kluis_server, "manager@demo-bv.test")
    page.goto("/time-off/team/")
    page.get_by_test_id("employee-leave-link").first.click()
    expect(page.get_by_test_id("balances")).to_be_visible()
    expect(page.get_by_test_id("correction-form")).to_have_count(0)
    fits(page)
