"""In the browser: with two owners, an Owner grant waits for the second one. Owner A
grants Owner and is taken to the waiting request, which they cannot approve; owner B
finds it in their inbox, approves it, the role is granted, and the audit log names both.
(Other NV: the roles are put back at the end for the shared server's other tests.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login
from tests.e2e.navigation import go_to

pytestmark = pytest.mark.e2e

OWNER_A = "owner@other-nv.test"  # Otto Bakker
OWNER_B = "hr@other-nv.test"  # Hugo Visser, made the second owner first
GRANTEE = "Meijer, Sem"  # member1@other-nv.test


def _profile(page: Page, server: KluisServer, name: str) -> None:
    page.goto(f"{server.url}/people/?account=member")
    page.get_by_test_id("people").get_by_role("link", name=name).click()
    expect(page.get_by_test_id("account-panel")).to_be_visible()


def _grant(page: Page, role: str) -> None:
    panel = page.get_by_test_id("account-panel")
    panel.get_by_test_id("account-grant-role").get_by_label("Role").select_option(label=role)
    with page.expect_navigation():
        panel.get_by_role("button", name="Grant role").click()


def _revoke_owner(page: Page, server: KluisServer, name: str) -> None:
    _profile(page, server, name)
    page.get_by_test_id("account-roles").get_by_role("link", name="Revoke Owner").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke the role").click()
    expect(page.get_by_test_id("account-roles")).not_to_contain_text("Owner")


def test_an_owner_grant_waits_for_a_second_owner(page: Page, kluis_server: KluisServer) -> None:
    # Owner A makes Hugo Visser the second owner: one owner so far, so not held.
    login(page, kluis_server, OWNER_A)
    _profile(page, kluis_server, "Visser, Hugo")
    _grant(page, "Owner")
    expect(page.get_by_role("status").first).to_contain_text("now has the role Owner")

    # Now an Owner grant waits: A is taken to the waiting request and cannot approve it.
    _profile(page, kluis_server, GRANTEE)
    _grant(page, "Owner")
    expect(page).to_have_url(re.compile(r"/approvals/\d+/$"))
    request_url = page.url
    expect(page.get_by_text("This needs a second person's approval")).to_be_visible()
    expect(page.get_by_test_id("own-request")).to_contain_text("a second person must approve it")
    expect(page.get_by_test_id("approval-changes")).to_contain_text("Owner")
    expect(page.get_by_test_id("approve-form")).to_have_count(0)
    _profile(page, kluis_server, GRANTEE)
    expect(page.get_by_test_id("account-roles")).not_to_contain_text("Owner")

    # Owner B signs in, finds it in the inbox and approves it.
    page.context.clear_cookies()
    login(page, kluis_server, OWNER_B)
    go_to(page, "Home", "Inbox")
    notice = page.get_by_role("button", name=re.compile(rf"^{OWNER_A} asks for your approval"))
    expect(notice.first).to_be_visible()
    with page.expect_navigation():
        notice.first.click()
    expect(page).to_have_url(request_url)
    expect(page.get_by_test_id("approval-requester")).to_have_text(OWNER_A)
    with page.expect_navigation():
        page.get_by_test_id("approve-form").get_by_role("button", name="Approve").click()
    with page.expect_navigation():  # asked first
        page.get_by_role("button", name="Approve and apply").click()
    expect(page.get_by_test_id("approval-status")).to_have_text("Approved and applied")
    expect(page.get_by_test_id("approval-decider")).to_have_text(OWNER_B)
    _profile(page, kluis_server, GRANTEE)
    expect(page.get_by_test_id("account-roles")).to_contain_text("Owner")

    # The audit log's grant names both people.
    page.goto(f"{kluis_server.url}/audit/?action=role.granted")
    grant = page.get_by_test_id("audit-events").get_by_role("row").filter(has_text="Sem Meijer")
    with page.expect_navigation():
        grant.first.get_by_role("link").first.click()
    changes = page.get_by_test_id("audit-changes")
    expect(changes).to_contain_text(OWNER_A)
    expect(changes).to_contain_text(OWNER_B)

    # Put the shared server's company back: three owners now, revoking is not held.
    _revoke_owner(page, kluis_server, GRANTEE)
    page.context.clear_cookies()
    login(page, kluis_server, OWNER_A)
    _revoke_owner(page, kluis_server, "Visser, Hugo")
