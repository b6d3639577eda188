"""In the browser: the owner makes a custom role and grants it; the auditor finds and exports it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login
from tests.e2e.navigation import go_to

pytestmark = pytest.mark.e2e

ROLE = "Payroll viewer"
GRANTEE = "Noah Willems"
GRANTEE_IN_LIST = "Willems, Noah"


def test_owner_grants_custom_role_and_auditor_finds_and_exports_the_grant(
    page: Page, kluis_server: KluisServer, tmp_path: Path
) -> None:
    # The owner creates "Payroll viewer" with people.view_salary for all of the company.
    login(page, kluis_server, "owner@demo-bv.test")
    go_to(page, "Organisation", "Roles")
    page.get_by_test_id("new-role").click()
    page.get_by_label("Name", exact=True).fill(ROLE)
    page.get_by_label("Description").fill("Reads wages of the whole company")
    page.get_by_label("See wages and salary history").select_option(label="All of the company")
    page.get_by_role("button", name="Create role").click()
    expect(page).to_have_url(re.compile(r"/roles/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ROLE)
    salary = page.get_by_test_id("role-permissions").get_by_role(
        "row", name=re.compile("See wages and salary history")
    )
    expect(salary).to_contain_text("All of the company")

    # ... and grants it from the Account panel of the person's profile (the members are
    # the People list's Account filter).
    page.goto("/members/")
    expect(page).to_have_url(re.compile(r"/people/\?account=member$"))
    page.get_by_test_id("people").get_by_role("link", name=GRANTEE_IN_LIST).click()
    panel = page.get_by_test_id("account-panel")
    panel.get_by_test_id("account-grant-role").get_by_label("Role").select_option(label=ROLE)
    panel.get_by_role("button", name="Grant role").click()
    expect(page.get_by_role("status")).to_contain_text(f"{GRANTEE} now has the role {ROLE}.")
    expect(page.get_by_test_id("account-roles")).to_contain_text(ROLE)

    # The auditor signs in, filters the audit log on role.granted and sees the grant.
    page.context.clear_cookies()
    login(page, kluis_server, "auditor@demo-bv.test")
    go_to(page, "Reports", "Audit log")
    filters = page.get_by_test_id("audit-filters")
    filters.get_by_text("More filters").click()  # the exact action is under "More filters"
    filters.get_by_label("Action").select_option("role.granted")
    # "Done by" searches the company as one types (the auditor holds no people.view).
    filters.get_by_label("Done by").fill("Olivia Peeters")
    filters.get_by_role("button", name=re.compile(r"^Olivia Peeters \(")).click()
    expect(filters.get_by_label("Done by")).to_have_value(re.compile(r"^Olivia Peeters \("))
    filters.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"action=role\.granted"))
    expect(page).to_have_url(re.compile(r"[?&]actor=\d+"))  # by id
    # After the reload, the box shows the chosen name again.
    expect(filters.get_by_label("Done by")).to_have_value(re.compile(r"^Olivia Peeters \("))
    grant = (
        page.get_by_test_id("audit-events")
        .get_by_role("row")
        .filter(has_text=GRANTEE)
        .filter(has_text="Olivia Peeters")  # the owner, by name
    )
    expect(grant).to_have_count(1)
    expect(grant).to_contain_text("a role")  # the log reads as sentences
    grant.get_by_role("link").first.click()
    expect(page.get_by_test_id("audit-changes")).to_contain_text(ROLE)
    page.go_back()

    # ... and downloads the filtered CSV export.
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert re.fullmatch(r"kluis-audit-demo-bv-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows
    assert {row["action"] for row in rows} == {"role.granted"}
    assert any(
        row["actor_label"] == "owner@demo-bv.test" and ROLE in row["changes"] for row in rows
    )

    # The person the grant is about: typing part of the name offers them (htmx, the
    # auditor's company only), the chosen one filters the log by id.
    page.goto("/audit/")
    filters = page.get_by_test_id("audit-filters")
    filters.get_by_label("Person", exact=True).fill("Willems")
    filters.get_by_role("button", name=re.compile(r"^Noah Willems \(")).click()
    expect(filters.get_by_label("Person", exact=True)).to_have_value(
        re.compile(r"^Noah Willems \(")
    )
    filters.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"[?&]person=\d+"))
    about = page.get_by_test_id("audit-events").get_by_role("row").filter(has_text=GRANTEE)
    expect(about.filter(has_text="Olivia Peeters").filter(has_text="a role")).to_have_count(1)
    # Without a choice (as without JavaScript) the typed text searches by name.
    page.goto("/audit/?person=&person_q=Willems")
    expect(
        page.get_by_test_id("audit-events").get_by_role("row").filter(has_text="a role")
    ).not_to_have_count(0)
