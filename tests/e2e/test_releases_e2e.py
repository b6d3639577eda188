"""What's new after an upgrade: an employee who last used the previous release signs in,
reads the notes that concern them on the first page, dismisses them (htmx), does not see
them again, and finds them in the footer's help link."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

import kluis
from tests.e2e.conftest import KluisServer, _manage, _server_env, login

EMAIL = "member3@other-nv.test"  # an employee no other browser test signs in as
NOTES = Path(kluis.__file__).resolve().parent / "releases" / "notes"

# This person used Kluis before the upgrade: they had seen the release before this one.
SAW_AN_OLDER_RELEASE = """
from django.utils import timezone
from kluis.releases.models import ReleaseSeen
from kluis.identity.models import User
ReleaseSeen.objects.update_or_create(
    user=User.objects.get(email="{email}"),
    defaults={{"version": "0.0.1", "seen_at": timezone.now()}},
)
"""


def current_notes() -> list[dict[str, object]]:
    document = json.loads((NOTES / f"{kluis.__version__}.json").read_text(encoding="utf-8"))
    return list(document["items"])


def only_for(audience: str) -> str:
    return next(
        str(n["text"]["en"])  # type: ignore[index]
        for n in current_notes()
        if n["audience"] == [audience]
    )


def test_whats_new_once_after_the_upgrade_then_in_the_help_menu(
    page: Page, kluis_server: KluisServer
) -> None:
    _manage(
        _server_env(kluis_server.data_dir), "shell", "-c", SAW_AN_OLDER_RELEASE.format(email=EMAIL)
    )
    employee_note, hr_note = only_for("employee"), only_for("hr")

    login(page, kluis_server, EMAIL)
    panel = page.get_by_test_id("whats-new")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name="What's new in Kluis")).to_be_visible()
    expect(panel).to_contain_text(f"Kluis {kluis.__version__}")
    expect(panel).to_contain_text(employee_note)
    expect(panel).not_to_contain_text(hr_note)

    url = page.url
    panel.get_by_test_id("whats-new-dismiss").click()
    expect(page.get_by_test_id("whats-new")).to_have_count(0)
    assert page.url == url  # htmx took the panel away; no page load

    page.reload()
    expect(page.locator("main h1")).to_be_visible()
    expect(page.get_by_test_id("whats-new")).to_have_count(0)
    page.goto(f"{kluis_server.url}/time-off/")
    expect(page.get_by_test_id("whats-new")).to_have_count(0)

    page.get_by_test_id("help-whats-new").click()
    expect(page).to_have_url(f"{kluis_server.url}/whats-new/")
    expect(page.locator("main h1")).to_have_text("What's new")
    release = page.get_by_test_id(f"release-{kluis.__version__}")
    expect(release).to_contain_text(employee_note)
    expect(release).not_to_contain_text(hr_note)
