"""An employee on a phone requests three days of leave from their calendar, sees them
pending in the month and in the balance's "pending", and withdraws the request."""

from __future__ import annotations

import datetime as dt
import re

import holidays
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, _manage, _server_env, login

PHONE = {"width": 390, "height": 844}
EMAIL = "employee@demo-bv.test"

GRANT = """
import datetime as dt
from decimal import Decimal
from kluis.people.models import Employee
from kluis.timeoff.models import LeaveType, LedgerEntry
me = Employee.objects.get(membership__user__email="{email}", tenant__slug="demo-bv")
kind = LeaveType.objects.for_tenant(me.tenant_id).get(code="legal-holiday")
year = dt.date.today().year
LedgerEntry.objects.create(
    tenant_id=me.tenant_id, employee=me, leave_type=kind, kind="grant", hours=Decimal("152"),
    effective=dt.date(year, 1, 1), year=year, tranche=str(year), actor_label="e2e",
)
"""
# The demo may have left the employee a request waiting: withdrawn first, as they would.
WITHDRAW_WAITING = """
from kluis.access.actor import Actor
from kluis.tenancy.models import Membership
from kluis.timeoff.models import LeaveRequest
from kluis.timeoff.services.requests import cancel_request
member = Membership.objects.get(user__email="{email}", tenant__slug="demo-bv")
actor = Actor.for_member(member)
for waiting in LeaveRequest.objects.for_actor(actor).filter(
    employee__membership=member, status="pending"
):
    cancel_request(actor, waiting, reason="e2e: a clean start")
"""


def days_in(text: str) -> float:
    """The number of days a balance or preview states ("39.50 days", "17")."""
    found = re.search(r"\d+(?:\.\d+)?", text)
    assert found, text
    return float(found.group(0))


def quiet_monday() -> dt.date:
    """A Monday twelve weeks or more ahead (clear of the demo calendar's own planned and
    waiting leave) whose Monday to Wednesday are no Belgian public holiday."""
    day = dt.date.today() + dt.timedelta(days=84)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)
    off = holidays.country_holidays("BE", years=[day.year, day.year + 1])
    while any(day + dt.timedelta(days=i) in off for i in range(3)):
        day += dt.timedelta(days=7)
    return day


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def half_day_boxes_look_like_checkboxes(page: Page) -> None:
    """The two half-day checkboxes are small squares with their label beside them (a
    shared rule once made every input of the form 3rem tall: empty rectangles)."""
    form = page.get_by_test_id("request-form")
    for name in ("The first day from the afternoon", "The last day until noon"):
        box = form.get_by_label(name).bounding_box()
        assert box is not None, name
        assert box["height"] < 40, f"{name}: {box}"
        assert abs(box["height"] - box["width"]) < 4, f"{name}: {box}"
        label = form.locator("label", has_text=name).bounding_box()
        assert label is not None, name
        # The label's text sits on the checkbox's line, not above or below it.
        assert label["height"] < 2 * 40, f"{name}: {label}"
        assert label["y"] <= box["y"] <= label["y"] + label["height"], f"{name}: {label} {box}"


def cell(page: Page, day: dt.date):  # type: ignore[no-untyped-def]
    return page.locator(f'td[data-date="{day.isoformat()}"]')


def test_employee_requests_three_days_sees_them_pending_and_cancels(
    page: Page, kluis_server: KluisServer
) -> None:
    _manage(_server_env(kluis_server.data_dir), "shell", "-c", GRANT.format(email=EMAIL))
    _manage(_server_env(kluis_server.data_dir), "shell", "-c", WITHDRAW_WAITING.format(email=EMAIL))
    monday = quiet_monday()
    wednesday = monday + dt.timedelta(days=2)
    page.set_viewport_size(PHONE)
    login(page, kluis_server, EMAIL)

    page.goto(f"/time-off/?month={monday:%Y-%m}")
    expect(page.get_by_role("heading", name="My calendar")).to_be_visible()
    no_sideways_scroll(page)
    pending_before = page.get_by_test_id("balance-legal-holiday").get_by_test_id("pending")
    expect(pending_before).to_have_text("0")
    remaining = page.get_by_test_id("balance-legal-holiday").get_by_test_id("remaining")
    available_before = days_in(remaining.inner_text())  # the demo's balance plus the grant

    # Clicking a day opens the form with that date.
    cell(page, monday).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/time-off/request/\?date="))
    form = page.get_by_test_id("request-form")
    expect(form.get_by_label("First day", exact=True)).to_have_value(monday.isoformat())
    half_day_boxes_look_like_checkboxes(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    half_day_boxes_look_like_checkboxes(page)
    page.set_viewport_size(PHONE)
    form.get_by_label("Leave type").select_option(label="Legal holiday")
    form.get_by_label("Last day", exact=True).fill(wednesday.isoformat())
    form.get_by_label("Last day", exact=True).dispatch_event("change")
    expect(page.get_by_test_id("preview-amount")).to_have_text("3 days")
    expect(page.get_by_test_id("preview-left")).to_contain_text(" days")
    assert days_in(page.get_by_test_id("preview-left").inner_text()) == available_before - 3
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.get_by_test_id("submit-request").click()

    expect(page).to_have_url(re.compile(r"/time-off/requests/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("sent for approval")
    expect(page.get_by_test_id("status")).to_have_text("Pending")
    no_sideways_scroll(page)

    # The month shows the three days pending; the balance counts them as pending.
    page.goto(f"/time-off/?month={monday:%Y-%m}")
    for offset in range(3):
        day = monday + dt.timedelta(days=offset)
        expect(cell(page, day).get_by_test_id("leave-pending")).to_be_visible()
    expect(cell(page, monday + dt.timedelta(days=3)).get_by_test_id("leave-pending")).to_have_count(
        0
    )
    balance = page.get_by_test_id("balance-legal-holiday")
    expect(balance.get_by_test_id("pending")).to_have_text("3")
    assert days_in(balance.get_by_test_id("available").inner_text()) == available_before - 3
    no_sideways_scroll(page)

    # Withdraw it from the request's page (keyboard: the link and the button are reachable).
    page.get_by_test_id("upcoming").get_by_role("link", name="Legal holiday").first.click()
    page.get_by_test_id("cancel-box").locator("summary").click()
    page.get_by_test_id("cancel-box").get_by_label("Why (optional)").fill("Plans changed")
    with page.expect_navigation():
        page.get_by_test_id("cancel-request").focus()
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("history-action")).to_have_text(["Requested", "Cancelled"])

    page.goto(f"/time-off/?month={monday:%Y-%m}")
    expect(cell(page, monday).get_by_test_id("leave-pending")).to_have_count(0)
    expect(page.get_by_test_id("balance-legal-holiday").get_by_test_id("pending")).to_have_text("0")
