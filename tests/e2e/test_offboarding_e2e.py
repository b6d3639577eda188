"""In the browser, against a real server and a real worker: HR starts the offboarding of
someone who made their own API key, cannot approve it themselves, a second HR admin
approves it, and at that moment the leaver's open browser session ends and their key
stops working (real HTTPS requests with it before and after); the profile's offboarding
page shows who asked, who approved, when it was carried out and what was revoked."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import (
    REPO_ROOT,
    KluisServer,
    _server_env,
    login,
    running_kluis,
    start_worker,
    stop_worker,
)
from tests.e2e.navigation import go_to

pytestmark = pytest.mark.e2e

LEAVER = "member1@demo-bv.test"
HR = "hr@demo-bv.test"
SECOND_HR = "member2@demo-bv.test"

# The leaver may make API keys; a second person becomes HR admin (the demo has one).
SETUP = """
from kluis.access.actor import Actor
from kluis.access.models import Role, RoleAssignment
from kluis.company.services import create_role
from kluis.tenancy.models import Membership, Tenant
tenant = Tenant.objects.get(slug="demo-bv")
owner = Actor.for_member(Membership.objects.get(tenant=tenant, user__email="owner@demo-bv.test"))
leaver = Membership.objects.get(tenant=tenant, user__email="member1@demo-bv.test")
second = Membership.objects.get(tenant=tenant, user__email="member2@demo-bv.test")
role = create_role(owner, tenant, name="Integrations", grants={
    "integrations.manage": "company", "people.view": "company"})
RoleAssignment.objects.create(tenant=tenant, membership=leaver, role=role)
hr = Role.objects.get(tenant=tenant, builtin_key="hr_admin")
RoleAssignment.objects.create(tenant=tenant, membership=second, role=hr)
print("ok")
"""


def shell(env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KluisServer]:
    """A server of its own (its roles are changed) and its background worker."""
    data_dir: Path = tmp_path_factory.mktemp("kluis-offboarding")
    with running_kluis(data_dir) as running:
        env = _server_env(data_dir)
        assert shell(env, SETUP) == "ok"
        worker = start_worker(env, data_dir / "worker.log")
        try:
            yield running
        finally:
            stop_worker(worker)


def _context(browser: Browser, server: KluisServer) -> BrowserContext:
    context = browser.new_context(ignore_https_errors=True, base_url=server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    return context


def _signed_in(browser: Browser, server: KluisServer, email: str) -> Page:
    page = _context(browser, server).new_page()
    login(page, server, email)
    return page


def api_status(server: KluisServer, key: str) -> int:
    response = requests.get(
        f"{server.url}/api/v1/employees/?page_size=1",
        headers={"Authorization": f"Bearer {key}"},
        verify=str(server.certificate),
        timeout=30,
    )
    return response.status_code


def _make_own_key(page: Page) -> str:
    go_to(page, "Settings", "API keys")
    form = page.get_by_test_id("api-key-form")
    form.get_by_role("textbox", name=re.compile(r"^Name")).fill("My own script")
    form.get_by_role("checkbox", name=re.compile(r"^employees:read\b")).check()
    page.get_by_test_id("create-api-key").click()
    shown = page.get_by_test_id("api-key-value")
    expect(shown).to_have_text(re.compile(r"^kluis_"))
    return shown.inner_text()


def test_hr_offboards_a_leaver_under_four_eyes_and_every_door_closes(
    browser: Browser, server: KluisServer
) -> None:
    leaver = _signed_in(browser, server, LEAVER)
    key = _make_own_key(leaver)
    assert api_status(server, key) == 200

    # HR starts the offboarding from the leaver's profile.
    hr = _signed_in(browser, server, HR)
    hr.goto("/people/")
    hr.get_by_role("link", name=re.compile("Lotte")).first.click()
    hr.get_by_test_id("start-offboarding").click()
    form = hr.get_by_test_id("offboarding-form")
    form.get_by_label("Last working day", exact=True).fill(time.strftime("%Y-%m-%d"))
    form.get_by_label("Reason", exact=True).fill("Resigned")
    form.get_by_label("Immediately after approval").check()
    with hr.expect_navigation():
        hr.get_by_test_id("request-offboarding").click()
    expect(hr.get_by_test_id("offboarding-status")).to_have_attribute("data-status", "requested")
    offboarding_url = hr.url
    # The requester cannot approve their own request: no button, and nothing changed.
    expect(hr.get_by_test_id("cannot-decide")).to_be_visible()
    expect(hr.get_by_test_id("approve-offboarding")).to_have_count(0)
    assert api_status(server, key) == 200
    leaver.reload()
    assert "/accounts/login/" not in leaver.url

    # A second HR admin approves it; the moment is now.
    second = _signed_in(browser, server, SECOND_HR)
    second.goto(offboarding_url)
    expect(second.get_by_test_id("pending-approval")).to_contain_text(LEAVER)
    with second.expect_navigation():
        second.get_by_test_id("approve-offboarding").click()
    approved_at = time.monotonic()

    # The worker carries it out at once: the key stops working ...
    while api_status(server, key) != 401:
        assert time.monotonic() - approved_at < 20, "the key still works 20 s after approval"
        time.sleep(0.25)
    # ... and the leaver's open browser session is over.
    leaver.reload()
    assert "/accounts/login/" in leaver.url

    # One trail on the profile's offboarding page.
    hr.goto(offboarding_url)
    expect(hr.get_by_test_id("offboarding-status")).to_have_attribute("data-status", "executed")
    expect(hr.get_by_test_id("requested-by")).to_contain_text(HR)
    expect(hr.get_by_test_id("approved-by")).to_contain_text(SECOND_HR)
    expect(hr.get_by_test_id("executed-at")).not_to_have_text("-")
    table = hr.get_by_test_id("revoked-table")
    expect(table.get_by_role("row", name=re.compile("API keys revoked"))).to_contain_text(key[:12])
    expect(table.get_by_role("row", name=re.compile("Sessions ended"))).not_to_contain_text(
        re.compile(r"^\s*Sessions ended\s+0\b")
    )
