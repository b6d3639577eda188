"""What's new through real requests: shown on the next page after sign-in with what the
person's role can use, in their language, until dismissed (htmx, CSRF), never for a new
person, and dismissed for good."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import kluis
from kluis.access.models import Role
from kluis.company.services.members import add_member
from kluis.identity.models import User
from kluis.releases import notes
from kluis.releases.models import ReleaseSeen
from tests.conftest import actor_for
from tests.releases.conftest import CURRENT, EMPLOYEE_NOTES, MIDDLE, OLD

pytestmark = pytest.mark.usefixtures("releases")


def has_seen(email: str, version: str | None) -> None:
    user = User.objects.get(email=email)
    ReleaseSeen.objects.filter(user=user).delete()
    if version is not None:
        ReleaseSeen.objects.create(user=user, version=version, seen_at="2030-01-01T00:00Z")


def panel(html: str) -> str:
    match = re.search(r'<article class="kluis-whats-new".*?</article>', html, re.S)
    return match.group(0) if match else ""


def notes_in(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r'<span class="kluis-badge">[^<]*</span>([^<]*)</li>', html)
    ]


def home(client: Client) -> str:
    response = client.get("/", secure=True)
    assert response.status_code == 200
    return response.content.decode()


def test_an_employee_sees_the_new_release_for_their_role_only(demo, login) -> None:
    has_seen("employee@demo-bv.test", MIDDLE)
    client = login("employee@demo-bv.test", "demo-bv")
    shown = panel(home(client))
    assert "What's new in Kluis" in shown
    assert f"Kluis {CURRENT}" in shown
    assert notes_in(shown) == EMPLOYEE_NOTES
    for not_theirs in ("Salary history.", "Team inbox.", "Backups verified.", "Webhook replay."):
        assert not_theirs not in shown
    assert f'name="version" value="{CURRENT}"' in shown


def test_every_release_since_the_last_seen_one_newest_first(demo, login) -> None:
    has_seen("employee@demo-bv.test", OLD)
    shown = panel(home(login("employee@demo-bv.test", "demo-bv")))
    assert shown.index(f"Kluis {CURRENT}") < shown.index(f"Kluis {MIDDLE}")
    assert notes_in(shown) == [*EMPLOYEE_NOTES, "Middle self service."]
    assert "HR export fixed." not in shown  # HR's note of the middle release
    assert "Old news for all." not in shown  # seen already


@pytest.mark.parametrize(
    ("email", "theirs", "not_theirs"),
    [
        ("hr@demo-bv.test", ["Salary history.", "Request leave faster."], ["Backups verified."]),
        ("manager@demo-bv.test", ["Team inbox."], ["Salary history.", "Webhook replay."]),
        ("owner@demo-bv.test", ["Salary history.", "Team inbox.", "Webhook replay."], []),
        ("auditor@demo-bv.test", ["Passkeys for all."], ["Request leave faster.", "Team inbox."]),
    ],
)
def test_each_role_sees_what_it_can_use(demo, login, email, theirs, not_theirs) -> None:
    has_seen(email, MIDDLE)
    shown = notes_in(panel(home(login(email, "demo-bv"))))
    assert "Passkeys for all." in shown
    assert set(theirs) <= set(shown), shown
    assert not set(not_theirs) & set(shown), shown


def test_in_the_readers_language_with_english_where_there_is_no_translation(demo, login) -> None:
    has_seen("employee@demo-bv.test", MIDDLE)
    client = login("employee@demo-bv.test", "demo-bv")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "nl"
    assert notes_in(panel(home(client))) == ["Sneller verlof aanvragen.", "Passkeys voor iedereen."]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    # the security note has no French text: English
    assert notes_in(panel(home(client))) == ["Demander un congé plus vite.", "Passkeys for all."]


def test_dismissed_once_then_never_shown_again(demo, login) -> None:
    has_seen("employee@demo-bv.test", MIDDLE)
    client = login("employee@demo-bv.test", "demo-bv")
    assert panel(home(client))
    assert panel(client.get("/time-off/", secure=True, follow=True).content.decode())

    response = client.post(
        "/whats-new/dismiss/", {"version": CURRENT}, secure=True, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content == b""  # htmx swaps the panel out
    assert ReleaseSeen.objects.get(user__email="employee@demo-bv.test").version == CURRENT
    assert panel(home(client)) == ""

    # another session of the same person (another node, another browser) agrees
    again = Client()
    again.force_login(User.objects.get(email="employee@demo-bv.test"))
    assert panel(home(again)) == ""


def test_once_dismissed_a_page_costs_no_query_for_it(demo, login) -> None:
    has_seen("employee@demo-bv.test", MIDDLE)
    client = login("employee@demo-bv.test", "demo-bv")
    client.post("/whats-new/dismiss/", {"version": CURRENT}, secure=True, HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as queries:
        home(client)
    assert not [q for q in queries.captured_queries if "releases_releaseseen" in q["sql"]]


def test_without_htmx_the_dismiss_goes_back_to_the_page_and_never_off_site(demo, login) -> None:
    has_seen("employee@demo-bv.test", MIDDLE)
    client = login("employee@demo-bv.test", "demo-bv")
    back = client.post(
        "/whats-new/dismiss/", {"version": CURRENT, "next": "/time-off/"}, secure=True
    )
    assert back.status_code == 302
    assert back["Location"] == "/time-off/"
    has_seen("employee@demo-bv.test", MIDDLE)
    away = client.post(
        "/whats-new/dismiss/", {"version": CURRENT, "next": "https://evil.test/"}, secure=True
    )
    assert away["Location"] == "/"


def test_the_dismiss_needs_a_csrf_token_and_a_sign_in(demo, login) -> None:
    has_seen("employee@demo-bv.test", MIDDLE)
    user = User.objects.get(email="employee@demo-bv.test")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    refused = strict.post("/whats-new/dismiss/", {"version": CURRENT}, secure=True)
    assert refused.status_code == 403
    # with the token the page carries, it works
    html = home(strict)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', panel(html)).group(1)
    done = strict.post(
        "/whats-new/dismiss/",
        {"version": CURRENT, "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_HX_REQUEST="true",
        HTTP_REFERER="https://testserver/",
    )
    assert done.status_code == 200
    anonymous = Client().post("/whats-new/dismiss/", {"version": CURRENT}, secure=True)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert client_get_not_allowed(login("employee@demo-bv.test", "demo-bv"))


def client_get_not_allowed(client: Client) -> bool:
    return client.get("/whats-new/dismiss/", secure=True).status_code == 405


@pytest.mark.parametrize("version", ["9.9.9", "0.0.0", "nonsense", ""])
def test_an_unknown_release_is_refused_and_changes_nothing(demo, login, version) -> None:
    has_seen("employee@demo-bv.test", MIDDLE)
    client = login("employee@demo-bv.test", "demo-bv")
    response = client.post(
        "/whats-new/dismiss/", {"version": version}, secure=True, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert b"no such release" in response.content
    assert ReleaseSeen.objects.get(user__email="employee@demo-bv.test").version == MIDDLE


def test_dismissing_an_older_release_never_moves_back(demo, login) -> None:
    has_seen("employee@demo-bv.test", CURRENT)
    client = login("employee@demo-bv.test", "demo-bv")
    client.post("/whats-new/dismiss/", {"version": OLD}, secure=True, HTTP_HX_REQUEST="true")
    assert ReleaseSeen.objects.get(user__email="employee@demo-bv.test").version == CURRENT


def test_a_new_person_sees_nothing_old(demo, client) -> None:
    owner = actor_for("owner@demo-bv.test", "demo-bv")
    employee_role = Role.objects.for_tenant(owner.tenant).get(builtin_key="employee")
    membership = add_member(
        owner, owner.tenant, email="new.hire@demo-bv.test", roles=[employee_role]
    )
    assert ReleaseSeen.objects.get(user=membership.user).version == CURRENT
    client.force_login(membership.user)
    assert panel(home(client)) == ""


def test_a_person_from_before_release_notes_sees_the_running_release_only(demo, login) -> None:
    has_seen("employee@demo-bv.test", None)
    shown = panel(home(login("employee@demo-bv.test", "demo-bv")))
    assert notes_in(shown) == EMPLOYEE_NOTES
    assert f"Kluis {MIDDLE}" not in shown


def test_a_seen_version_that_is_not_a_version_counts_as_none(demo, login) -> None:
    has_seen("employee@demo-bv.test", "garbage")
    client = login("employee@demo-bv.test", "demo-bv")
    assert notes_in(panel(home(client))) == EMPLOYEE_NOTES
    client.post("/whats-new/dismiss/", {"version": CURRENT}, secure=True, HTTP_HX_REQUEST="true")
    assert ReleaseSeen.objects.get(user__email="employee@demo-bv.test").version == CURRENT


def test_a_person_with_nothing_new_signs_in_to_pages_without_a_query_for_it(demo, login) -> None:
    has_seen("employee@demo-bv.test", CURRENT)
    client = login("employee@demo-bv.test", "demo-bv")
    with CaptureQueriesContext(connection) as queries:
        home(client)
    assert not [q for q in queries.captured_queries if "releases_releaseseen" in q["sql"]]


def test_dismissing_covers_a_newer_release_with_nothing_for_the_role(
    demo, login, releases, monkeypatch
) -> None:
    newest = "0.4.0"
    document = {
        "version": newest,
        "date": "2030-09-01",
        "items": [{"type": "fix", "audience": ["hr"], "text": {"en": "Only for HR."}}],
    }
    (releases / f"{newest}.json").write_text(json.dumps(document), encoding="utf-8")
    notes._releases.cache_clear()
    monkeypatch.setattr(kluis, "__version__", newest)
    has_seen("employee@demo-bv.test", MIDDLE)
    client = login("employee@demo-bv.test", "demo-bv")
    shown = panel(home(client))
    assert notes_in(shown) == EMPLOYEE_NOTES  # of 0.3.0; 0.4.0 has nothing for them
    assert f'name="version" value="{newest}"' in shown
    client.post("/whats-new/dismiss/", {"version": newest}, secure=True, HTTP_HX_REQUEST="true")
    assert ReleaseSeen.objects.get(user__email="employee@demo-bv.test").version == newest
