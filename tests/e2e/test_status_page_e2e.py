"""The public status page in the browser: its 90-day history and an open incident, on a
phone without sideways scrolling, and the same page while the database is down (a second
server whose database URL points at a closed port, serving what the worker last wrote)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from playwright.sync_api import Page, expect

from tests.e2e.conftest import REPO_ROOT, KluisServer, _server_env
from tests.status.offline_server import database_down_server

PHONE = {"width": 390, "height": 844}

PREPARE = """
import datetime as dt
from django.utils import timezone
from kluis.access.actor import Actor
from kluis.operations.health import beat
from kluis.status import incidents
from kluis.status.models import ComponentDay
from kluis.status.sampling import sample

today = timezone.now().astimezone(dt.UTC).date()
for back, good in [(1, 1440), (2, 1400), (3, 1438), (4, 0)]:
    for component in ["web", "database"]:
        ComponentDay.objects.update_or_create(
            component=component, day=today - dt.timedelta(days=back),
            defaults={"good": good, "total": 1440},
        )
incidents.open_incident(
    Actor.system("e2e"), title="Slow pages", message="Pages load slowly; we are looking.",
    components=["web"], impact="degraded",
)
beat("e2e-worker", "e2e", 1, timezone.now())
sample()
"""


def _prepare(server: KluisServer) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PREPARE],
        cwd=REPO_ROOT,
        env=_server_env(server.data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _no_sideways_scroll(page: Page) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{page.url} scrolls sideways ({scroll} > {client})"


def test_the_status_page_with_history_an_incident_and_the_database_down(
    page: Page, kluis_server: KluisServer, tmp_path
) -> None:
    _prepare(kluis_server)
    page.set_viewport_size(PHONE)
    page.goto("/status")
    expect(page.get_by_role("heading", name="Current incidents")).to_be_visible()
    expect(page.get_by_text("Pages load slowly; we are looking.")).to_be_visible()
    web = page.get_by_test_id("component-web")
    expect(web.get_by_test_id("state")).to_have_text("Degraded performance")
    days = web.get_by_role("listitem")
    expect(days).to_have_count(90)
    # Four days ago nothing was up (its text equivalent says so); today's one sample was
    # taken during the incident (degraded is not up).
    expect(web.locator(".status-day-down")).to_have_count(2)
    expect(web.locator(".status-day-partial")).to_have_count(1)  # 1400 of 1440 (97.2 %)
    expect(web.get_by_role("list", name="Daily uptime of Web app")).to_be_visible()
    expect(web.get_by_text("0.0% up (0 of 1440 minutes)")).to_be_attached()
    _no_sideways_scroll(page)

    # The subscription form answers the same whatever the address.
    page.get_by_label("E-mail address").fill("reader@example.test")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()

    # The database stops: a server with an unreachable database and the worker's last file.
    data_dir = tmp_path / "down"
    (data_dir / "status").mkdir(parents=True)
    shutil.copy(kluis_server.data_dir / "status" / "last.json", data_dir / "status" / "last.json")
    with database_down_server(data_dir, None) as url:
        page.goto(f"{url}/status")
        expect(page.get_by_test_id("offline")).to_be_visible()
        database = page.get_by_test_id("component-database")
        expect(database.get_by_test_id("state")).to_have_text("Major outage")
        expect(page.get_by_test_id("overall")).to_contain_text("Major outage")
        expect(page.get_by_text("Pages load slowly; we are looking.")).to_be_visible()
        expect(page.get_by_test_id("component-web").locator(".status-day-down")).to_have_count(2)
        _no_sideways_scroll(page)
