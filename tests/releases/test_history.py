"""/whats-new/: every release, newest first, with the notes of the reader's role; reachable
from every page's footer; an operator sees the operators' notes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from kluis.access.authorization import grants_of
from kluis.identity.models import User
from kluis.releases.audiences import audiences_of
from tests.conftest import actor_for
from tests.releases.conftest import CURRENT, MIDDLE, OLD
from tests.releases.test_whats_new import has_seen, notes_in

pytestmark = pytest.mark.usefixtures("releases")


def history(client: Client) -> str:
    response = client.get("/whats-new/", secure=True)
    assert response.status_code == 200
    html = response.content.decode()
    return html.split('<main class="container" id="main"', 1)[1]


def releases_in(html: str) -> list[str]:
    return re.findall(r'data-testid="release-([0-9.]+)"', html)


def test_every_release_with_the_readers_notes_even_after_dismissing(demo, login) -> None:
    has_seen("employee@demo-bv.test", CURRENT)  # What's new dismissed: nothing in a panel
    html = history(login("employee@demo-bv.test", "demo-bv"))
    assert "kluis-whats-new" not in html
    assert releases_in(html) == [CURRENT, MIDDLE, OLD]
    assert notes_in(html) == [
        "Request leave faster.",
        "Passkeys for all.",
        "Middle self service.",
        "Old news for all.",
    ]
    assert "HR export fixed." not in html
    assert "Salary history." not in html


def test_hr_reads_hr_notes_in_dutch_where_translated(demo, login) -> None:
    has_seen("hr@demo-bv.test", CURRENT)
    client = login("hr@demo-bv.test", "demo-bv")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "nl"
    shown = notes_in(history(client))
    assert "HR export fixed." in shown  # no Dutch text: English
    assert "Salary history." in shown
    assert "Passkeys voor iedereen." in shown


def test_an_operator_without_a_company_reads_operator_notes(demo) -> None:
    operator = User.objects.create_user("ops@kluis.test", "a long operator passphrase")
    operator.is_staff = True
    operator.save()
    client = Client()
    client.force_login(operator)
    shown = notes_in(history(client))
    assert shown == ["Backups verified.", "Passkeys for all.", "Old news for all."]


def test_the_footer_links_to_it_and_it_needs_a_sign_in(demo, login) -> None:
    has_seen("manager@demo-bv.test", CURRENT)
    page = login("manager@demo-bv.test", "demo-bv").get("/", secure=True).content.decode()
    footer = page.split('<footer class="container kluis-footer">', 1)[1]
    assert 'href="/whats-new/"' in footer
    anonymous = Client().get("/whats-new/", secure=True)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_audiences_follow_the_permissions_of_the_builtin_roles(demo) -> None:
    expected = {
        "owner@demo-bv.test": {"employee", "manager", "hr", "owner", "auditor", "integrator"},
        "hr@demo-bv.test": {"employee", "manager", "hr", "integrator"},
        "manager@demo-bv.test": {"manager", "employee"},  # managers keep their own leave too
        "member1@demo-bv.test": {"employee"},
        "auditor@demo-bv.test": {"auditor"},
    }
    for email, audiences in expected.items():
        actor = actor_for(email, "demo-bv")
        grants_of(actor)
        user = User.objects.get(email=email)
        assert audiences_of(actor, user) == frozenset({"everyone", *audiences}), email
