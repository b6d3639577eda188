"""In the browser, on a phone, with a real worker: an HR admin makes a webhook to a receiver
on loopback, watches its ping arrive and the webhook turn active without reloading, changes
an employee in another tab and sees the delivery and its attempt appear, replays it and
sees a second attempt; the receiver checks every request's signature with the secret the
page showed once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    KluisServer,
    _server_env,
    login,
    running_kluis,
    start_worker,
    stop_worker,
)
from tests.e2e.navigation import go_to
from tests.integrations.webhooks.receiver import Receiver, running_receiver

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
# What a development machine sets to try webhooks against a receiver on itself; retries
# after a second instead of the day-long schedule.
ENVIRONMENT = {
    "KLUIS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
    "KLUIS_WEBHOOK_RETRY_SCHEDULE": "1,1,1,1,1,1,1,1,1",
    "KLUIS_WEBHOOK_SWEEP_SECONDS": "2",
}
SLOW = 30_000  # ms: the worker polls its queue every second, the page every three


@pytest.fixture(scope="module")
def kluis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KluisServer]:
    """This module's own server (granian) and background worker (`kluis worker`), as
    `kluis up` runs them, sharing one database."""
    data_dir: Path = tmp_path_factory.mktemp("kluis-webhooks-e2e")
    with running_kluis(data_dir, **ENVIRONMENT) as server:
        worker = start_worker({**_server_env(data_dir), **ENVIRONMENT}, data_dir / "worker.log")
        try:
            yield server
        finally:
            stop_worker(worker)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def change_an_employee(page: Page) -> str:
    """HR renames the first person of the People list; returns the new first name."""
    page.goto("/people/")
    link = page.get_by_test_id("people").locator('th a[href^="/people/"]').first
    href = link.get_attribute("href")
    assert href and re.fullmatch(r"/people/\d+/", href), href
    page.goto(f"{href}edit/")
    form = page.get_by_test_id("employee-form")
    name = "Webhooka"
    form.get_by_label("First name", exact=True).fill(name)
    with page.expect_navigation():
        page.get_by_test_id("save-employee").click()
    expect(page.get_by_test_id("form-errors")).to_have_count(0)
    return name


def test_hr_admin_makes_a_webhook_sees_the_ping_a_change_and_a_replay(
    page: Page, kluis_server: KluisServer, receiver: Receiver
) -> None:
    page.set_viewport_size(PHONE)
    login(page, kluis_server, "hr@demo-bv.test")
    go_to(page, "Settings", "Webhooks")
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    no_sideways_scroll(page)

    page.get_by_test_id("new-webhook").click()
    form = page.get_by_test_id("webhook-form")
    form.get_by_label("Target URL").fill(receiver.url)
    form.get_by_label("Description").fill("Payroll sync (e2e)")
    form.get_by_role("checkbox", name=re.compile(r"^employee\.updated\b")).check()
    no_sideways_scroll(page)
    page.get_by_test_id("save-webhook").click()

    secret = page.get_by_test_id("webhook-secret")
    expect(secret).to_have_text(re.compile(r"^whsec_[A-Za-z0-9+/=]+$"))
    secret_value = secret.inner_text()
    expect(page.get_by_test_id("webhook-state")).to_have_text("Waiting for ping")
    no_sideways_scroll(page)

    # The worker pings; the page redraws itself (no reload) once the answer is recorded.
    state = page.get_by_test_id("webhook-state")
    expect(state).to_have_text("Active", timeout=SLOW)
    ping = page.locator('[data-testid=delivery][data-event-type="ping"]')
    expect(ping.get_by_test_id("delivery-status")).to_have_text("delivered")
    [pinged] = receiver.wait_for(1, pings=True)
    assert pinged.verify(secret_value)["type"] == "ping"

    # A change in another tab reaches the receiver and shows up here, again without reload.
    other = page.context.new_page()
    change_an_employee(other)
    other.close()
    delivery = page.locator('[data-testid=delivery][data-event-type="employee.updated"]')
    expect(delivery.get_by_test_id("attempt-count")).to_have_text("1 attempt", timeout=SLOW)
    [event] = receiver.wait_for(1)
    body = event.verify(secret_value)
    assert body["type"] == "employee.updated" and "first_name" in body["data"]["changed_fields"]
    message_id = event.headers["webhook-id"]
    expect(delivery).to_have_attribute("data-message-id", message_id)
    delivery.get_by_test_id("attempt-count").click()
    expect(delivery.get_by_test_id("attempt")).to_have_count(1)
    expect(delivery.get_by_test_id("attempt-status")).to_have_text("HTTP 200")
    no_sideways_scroll(page)

    # Replay: sent again with the same webhook-id, a second attempt is recorded and shown.
    delivery.get_by_test_id("replay-delivery").click()
    expect(page.get_by_role("status").first).to_contain_text("with the same webhook-id")
    replayed = page.locator(f'[data-testid=delivery][data-message-id="{message_id}"]')
    expect(replayed.get_by_test_id("attempt-count")).to_have_text("2 attempts", timeout=SLOW)
    _first, again = receiver.wait_for(2)
    assert again.headers["webhook-id"] == message_id
    assert again.verify(secret_value)["type"] == "employee.updated"
    replayed.get_by_test_id("attempt-count").click()
    expect(replayed.get_by_test_id("attempt")).to_have_count(2)
    no_sideways_scroll(page)

    # The list shows it active with its last delivery.
    page.get_by_role("link", name="All webhooks").click()
    row = page.get_by_test_id("webhook-row").filter(has_text="Payroll sync (e2e)")
    expect(row.get_by_test_id("webhook-state")).to_have_text("Active")
    expect(row.get_by_test_id("delivery-status")).to_have_text("delivered")
    expect(page.get_by_test_id("webhook-secret")).to_have_count(0)
    no_sideways_scroll(page)
