"""A manager approves a team member's leave in the approvals inbox (htmx swaps the row)
and finds it in the team calendar; the calendar fits a phone without sideways scroll."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import REPO_ROOT, KluisServer, _server_env, login

PHONE = {"width": 390, "height": 844}
COMMENT = "Have a good break"

# Run inside the server's database through the same services the pages call: member1
# asks for one day of legal holiday on the first free weekday two weeks or more ahead.
ASK_FOR_LEAVE = """
import datetime as dt
from decimal import Decimal
from django.core.exceptions import ValidationError
from kluis.access.actor import Actor
from kluis.people.models import Employee
from kluis.tenancy.models import Membership
from kluis.timeoff import calendar, services
from kluis.timeoff.models import LeaveType, LedgerEntry

member = Membership.objects.get(user__email="member1@demo-bv.test", tenant__slug="demo-bv")
employee = Employee.objects.get(membership=member)
holiday = LeaveType.objects.for_tenant(member.tenant_id).get(code="legal-holiday")
today = dt.date.today()
LedgerEntry.objects.create(
    tenant_id=member.tenant_id, employee=employee, leave_type=holiday, kind="correction",
    hours=Decimal("15.2"), effective=today, year=today.year, tranche=str(today.year),
    actor_label="e2e",
)
day = today + dt.timedelta(days=14)
while True:
    if day.weekday() < 5 and not calendar.days_off(member.tenant_id, day, day):
        try:
            request = services.request_leave(
                Actor.for_member(member), employee,
                {"leave_type": holiday, "start_date": day, "end_date": day},
            )
            break
        except ValidationError:
            pass
    day += dt.timedelta(days=1)
print(request.pk, day.isoformat())
"""


def _ask_for_leave(server: KluisServer) -> tuple[int, dt.date]:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", ASK_FOR_LEAVE],
        cwd=REPO_ROOT,
        env=_server_env(server.data_dir),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        pytest.fail(f"asking for leave failed:\n{result.stdout}\n{result.stderr}")
    pk, day = result.stdout.strip().splitlines()[-1].split()
    return int(pk), dt.date.fromisoformat(day)


def test_manager_approves_in_the_inbox_and_the_team_calendar_shows_it(
    page: Page, kluis_server: KluisServer
) -> None:
    pk, day = _ask_for_leave(kluis_server)
    page.set_viewport_size(PHONE)
    login(page, kluis_server, "manager@demo-bv.test")

    expect(page.get_by_test_id("waiting-for-me")).to_be_visible()  # the dashboard block
    page.get_by_test_id("waiting-for-me").click()
    row = page.locator(f'[data-testid=waiting][data-request="{pk}"]')
    expect(row).to_contain_text("Legal holiday")
    expect(row.locator('[data-field="amount"]')).to_have_text("1 day")
    row.get_by_label("Comment (optional)").fill(COMMENT)
    row.get_by_test_id("approve").click()

    # htmx replaced the row in place: the outcome, no buttons left, no page load.
    row = page.locator(f'[data-testid=waiting][data-request="{pk}"]')
    expect(row.get_by_test_id("decision-outcome")).to_contain_text("Approved")
    expect(row.get_by_test_id("approve")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(f"/time-off/team/?date={day.isoformat()}")
    calendar = page.get_by_test_id("calendar")
    member_row = calendar.locator("tr", has_text="Lotte Maes")  # member1, who asked
    approved = member_row.locator('[data-kind="leave"]', has_text="Legal holiday (approved)")
    expect(approved).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The month view too: the days scroll inside their frame, never the page.
    page.goto(f"/time-off/team/?view=month&month={day:%Y-%m}")
    expect(page.get_by_test_id("calendar").locator('[data-kind="leave"]')).not_to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    frame = page.get_by_test_id("calendar-wrap")
    assert frame.evaluate("e => e.scrollWidth > e.clientWidth")  # it scrolls, the page not
