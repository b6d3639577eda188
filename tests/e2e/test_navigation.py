"""The main navigation shows each person only what their role allows.

Only the links are checked here (text and target), not the pages behind them.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import KluisServer, login

pytestmark = pytest.mark.e2e

RESTRICTED = {"Members": "/members/", "Roles": "/roles/", "Audit log": "/audit/"}


def nav_links(page: Page) -> dict[str, str]:
    links = page.locator("header nav .kluis-nav > li > a")
    return {
        links.nth(i).inner_text().strip(): links.nth(i).get_attribute("href") or ""
        for i in range(links.count())
    }


def test_owner_sees_members_roles_and_audit_log(page: Page, kluis_server: KluisServer) -> None:
    login(page, kluis_server, "owner@demo-bv.test")

    links = nav_links(page)
    assert links["Dashboard"] == "/"
    for label, href in RESTRICTED.items():
        assert links.get(label) == href, links


def test_employee_sees_none_of_members_roles_audit_log(
    page: Page, kluis_server: KluisServer
) -> None:
    login(page, kluis_server, "employee@demo-bv.test")

    links = nav_links(page)
    assert "Dashboard" in links
    assert not set(RESTRICTED) & set(links), links
    assert not set(RESTRICTED.values()) & set(links.values()), links


def test_auditor_sees_audit_log_and_roles(page: Page, kluis_server: KluisServer) -> None:
    login(page, kluis_server, "auditor@other-nv.test")

    links = nav_links(page)
    assert links.get("Audit log") == "/audit/", links
    assert links.get("Roles") == "/roles/", links
