"""In the browser: an HR admin makes an API key, an integrator uses it over HTTPS, the key is
revoked on the same page; the interactive API docs render under the site's CSP."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import KluisServer, login
from tests.e2e.navigation import go_to

pytestmark = pytest.mark.e2e


def api_get(server: KluisServer, path: str, key: str) -> tuple[int, dict]:
    """An integrator's request over HTTPS, trusting the test server's own certificate."""
    response = requests.get(
        f"{server.url}{path}",
        headers={"Authorization": f"Bearer {key}"},
        verify=str(server.certificate),
        timeout=30,
    )
    return response.status_code, response.json()


def test_hr_admin_makes_a_key_that_works_once_shown_and_stops_when_revoked(
    page: Page, kluis_server: KluisServer
) -> None:
    login(page, kluis_server, "hr@demo-bv.test")
    go_to(page, "Settings", "API keys")
    form = page.get_by_test_id("api-key-form")
    form.get_by_role("textbox", name=re.compile(r"^Name")).fill("Payroll sync (e2e)")
    form.get_by_role("checkbox", name=re.compile(r"^employees:read\b")).check()
    form.get_by_label("Expires after (days)").fill("30")
    page.get_by_test_id("create-api-key").click()
    shown = page.get_by_test_id("api-key-value")
    expect(shown).to_have_text(re.compile(r"^kluis_[A-Za-z0-9_-]{40}$"))
    key = shown.inner_text()

    status, page_of_employees = api_get(kluis_server, "/api/v1/employees/?page_size=5", key)
    assert status == 200
    assert len(page_of_employees["results"]) == 5
    assert all("iban" not in row and "wage" not in row for row in page_of_employees["results"])

    # Shown once: coming back to the page shows only its prefix.
    go_to(page, "Settings", "API keys")
    expect(page.get_by_test_id("api-key-value")).to_have_count(0)
    keys = page.get_by_test_id("api-keys")
    expect(keys).to_contain_text(key[:12])
    expect(keys).not_to_contain_text(key)

    page.get_by_test_id(f"revoke-{key[:12]}").click()
    expect(page.get_by_test_id("confirm-page")).to_contain_text(f"Revoke the key {key[:12]}")
    page.get_by_test_id("confirm").click()
    expect(
        page.get_by_test_id("api-keys").get_by_role("row", name=re.compile("Payroll sync"))
    ).to_contain_text("Revoked")
    status, problem = api_get(kluis_server, "/api/v1/employees/", key)
    assert status == 401
    assert problem["status"] == 401


def test_the_interactive_api_docs_render_from_our_own_server(
    page: Page, kluis_server: KluisServer
) -> None:
    page.goto(f"{kluis_server.url}/api/v1/docs/")
    # Swagger UI renders the whole schema (every resource) in the browser: on two busy
    # cores that has taken more than the default 5 s.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kluis API", timeout=30_000)
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/employees/" in p for p in paths)
