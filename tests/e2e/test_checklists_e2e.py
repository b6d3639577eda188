"""In the browser: a checklist runs from hire to completion with an overdue reminder. HR
hires someone, the profile offers the matching onboarding and HR starts it; its tasks land
in HR's inbox and on My tasks; the scheduled reminders job (run as the worker runs it, on
a day after the due dates) sends an overdue reminder once; HR completes every task and the
profile shows the checklist completed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, _manage, _server_env, login

pytestmark = pytest.mark.e2e


def _run_reminders(server: KluisServer, day: dt.date) -> None:
    code = (
        "import datetime; from kluis.checklists.services import send_reminders; "
        f"print(send_reminders(datetime.date.fromisoformat('{day.isoformat()}')))"
    )
    _manage(_server_env(server.data_dir), "shell", "-c", code)


def test_a_checklist_runs_from_hire_to_completion_with_an_overdue_reminder(
    page: Page, kluis_server: KluisServer
) -> None:
    start = dt.date.today() + dt.timedelta(days=14)
    login(page, kluis_server, "hr@demo-bv.test")
    page.goto("/people/new/")
    form = page.get_by_test_id("employee-form")
    form.get_by_label("First name").fill("Nora")
    form.get_by_label("Last name").fill("Checklist-Journey")
    form.get_by_label("Birth date").fill("1993-05-06")
    form.get_by_label("Job title").fill("Office manager")
    form.get_by_label("Start date").fill(start.isoformat())
    page.get_by_test_id("check-hire").click()
    page.get_by_test_id("save-employee").click()
    expect(page).to_have_url(re.compile(r"/people/\d+/$"))
    profile = page.url

    # Right after the hire: the matching onboarding is offered, and started in one click.
    offer = page.get_by_test_id("offer-onboarding")
    expect(offer).to_contain_text("Onboarding")
    page.get_by_test_id("start-onboarding").click()
    panel = page.get_by_test_id("checklists-panel")
    expect(panel).to_contain_text("0 of 7 done")

    # The tasks are in HR's inbox and on My tasks (HR's own, and the manager's: none here).
    page.goto("/inbox/")
    name = "Check the contract and the HR file (Nora Checklist-Journey)"
    expect(page.get_by_role("button", name=f"New task: {name}", exact=True)).to_be_visible()
    page.goto("/checklists/my-tasks/")
    expect(page.get_by_test_id("my-open-tasks")).to_contain_text("Nora Checklist-Journey")

    # The worker's job, on a day after every due date: each task reminded once, overdue.
    later = start + dt.timedelta(days=40)
    _run_reminders(kluis_server, later)
    _run_reminders(kluis_server, later)
    page.goto("/inbox/")
    reminders = page.get_by_role("button", name=f"Overdue: {name}", exact=True)
    expect(reminders).to_have_count(1)

    # HR completes every task from the checklist's page; the last completes it.
    page.goto(profile)
    page.get_by_test_id("checklists-panel").get_by_role("link", name="Onboarding").click()
    expect(page.get_by_test_id("checklist-status")).to_have_text("Open")
    for _ in range(7):
        page.locator("[data-testid^='complete-']").first.click()
        expect(page.get_by_role("status")).to_contain_text("Done:")
    expect(page.get_by_test_id("checklist-status")).to_have_text("Completed")

    page.goto(profile)
    panel = page.get_by_test_id("checklists-panel")
    expect(panel).to_contain_text("Completed")
    expect(panel).to_contain_text("7 of 7 done")
    expect(page.get_by_test_id("offer-onboarding")).to_have_count(0)
