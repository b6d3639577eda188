"""The calendar's whole journey at desktop size, as the issue names it: an employee
requests leave through the form, their manager approves it in the inbox, the employee's
balance shows it planned, and the team calendar shows it to the team."""

from __future__ import annotations

import datetime as dt
import re

import holidays
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import KluisServer, _manage, _server_env, login
from tests.e2e.test_timeoff_self_e2e import GRANT

EMPLOYEE = "member2@demo-bv.test"
DESKTOP = {"width": 1280, "height": 800}


def quiet_week() -> dt.date:
    """A Tuesday ten weeks or more ahead (clear of the demo's own planned leave) whose
    Tuesday and Wednesday are no Belgian public holiday."""
    day = dt.date.today() + dt.timedelta(days=70)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    off = holidays.country_holidays("BE", years=[day.year, day.year + 1])
    while day in off or day + dt.timedelta(days=1) in off:
        day += dt.timedelta(days=7)
    return day


def as_user(browser: Browser, server: KluisServer, email: str) -> Page:
    context = browser.new_context(ignore_https_errors=True, base_url=server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.set_viewport_size(DESKTOP)
    login(page, server, email)
    return page


def test_request_approve_balance_and_team_calendar(
    browser: Browser, kluis_server: KluisServer
) -> None:
    _manage(_server_env(kluis_server.data_dir), "shell", "-c", GRANT.format(email=EMPLOYEE))
    tuesday = quiet_week()
    wednesday = tuesday + dt.timedelta(days=1)

    # The employee asks for two days through the form.
    employee = as_user(browser, kluis_server, EMPLOYEE)
    employee.goto(f"/time-off/?month={tuesday:%Y-%m}")
    balance = employee.get_by_test_id("balance-legal-holiday")
    planned_before = float(balance.get_by_test_id("planned").inner_text())
    employee.get_by_test_id("request-leave").first.click()
    form = employee.get_by_test_id("request-form")
    form.get_by_label("Leave type").select_option(label="Legal holiday")
    form.get_by_label("First day", exact=True).fill(tuesday.isoformat())
    form.get_by_label("Last day", exact=True).fill(wednesday.isoformat())
    form.get_by_label("Last day", exact=True).dispatch_event("change")
    expect(employee.get_by_test_id("preview-amount")).to_have_text("2 days")
    with employee.expect_navigation():
        employee.get_by_test_id("submit-request").click()
    expect(employee).to_have_url(re.compile(r"/time-off/requests/(\d+)/$"))
    pk = int(employee.url.rstrip("/").rsplit("/", 1)[1])
    expect(employee.get_by_test_id("status")).to_have_text("Pending")

    # The manager approves it in the inbox, with a comment.
    manager = as_user(browser, kluis_server, "manager@demo-bv.test")
    manager.goto("/time-off/approvals/")
    row = manager.locator(f'[data-testid=waiting][data-request="{pk}"]')
    expect(row).to_contain_text("Legal holiday")
    expect(row.locator('[data-field="amount"]')).to_have_text("2 days")
    row.get_by_label("Comment (optional)").fill("Enjoy")
    row.get_by_test_id("approve").click()
    expect(row.get_by_test_id("decision-outcome")).to_contain_text("Approved")

    # The employee's request is approved, its history says by whom, the balance plans it.
    employee.reload()
    expect(employee.get_by_test_id("status")).to_have_text("Approved")
    expect(employee.get_by_test_id("history-action")).to_have_text(["Requested", "Approved"])
    expect(employee.get_by_test_id("history-comment")).to_contain_text(["Enjoy"])
    employee.goto(f"/time-off/?month={tuesday:%Y-%m}")
    planned = employee.get_by_test_id("balance-legal-holiday").get_by_test_id("planned")
    expect(planned).to_have_text(re.compile(rf"^{planned_before + 2:g}(\.0+)?$"))
    # The employee was told in the app.
    employee.goto("/notices/")
    expect(employee.locator("main")).to_contain_text("Your leave was approved")

    # A colleague in the team sees "Away" that week; the manager sees the type.
    colleague = as_user(browser, kluis_server, "member1@demo-bv.test")
    colleague.goto(f"/time-off/team/?date={tuesday.isoformat()}")
    grid = colleague.get_by_test_id("calendar")
    expect(grid.locator('[data-kind="away"]')).not_to_have_count(0)
    expect(grid).not_to_contain_text("Legal holiday")  # a colleague learns only "Away"
    manager.goto(f"/time-off/team/?date={tuesday.isoformat()}")
    expect(
        manager.get_by_test_id("calendar").locator(
            '[data-kind="leave"]', has_text="Legal holiday (approved)"
        )
    ).to_have_count(2)
    for page in (employee, manager, colleague):
        page.context.close()
