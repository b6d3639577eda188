"""Incidents and maintenance: posted and updated from `kluis status` and the operator
page (operators only), shown on the page, in the Atom feed, and in the operator log."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from kluis.audit.models import OperatorEvent
from kluis.cli import main
from kluis.company.demo import OPERATOR_EMAIL
from kluis.identity.models import User
from kluis.status.models import Incident
from tests.status.helpers import fresh

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _fresh_page():
    fresh()
    yield
    fresh()


def _states(client) -> dict[str, str]:
    fresh()
    return {c["id"]: c["status"] for c in client.get("/status.json").json()["components"]}


def test_an_incident_from_open_to_resolved_on_the_command_line(demo, client, capsys):
    assert main(["status", "incident", "open", "--title", "Slow sign-in",
                 "--message", "Sign-in takes long; we are looking.", "--components", "signin,api",
                 "--impact", "degraded"]) == 0  # fmt: skip
    incident = Incident.objects.get(title="Slow sign-in")
    assert f"incident {incident.pk} opened" in capsys.readouterr().out
    assert _states(client)["signin"] == "degraded"
    html = client.get("/status").content.decode()
    assert "Current incidents" in html and "Sign-in takes long; we are looking." in html

    assert main(["status", "incident", "update", str(incident.pk), "--status", "identified",
                 "--message", "A slow disk.", "--impact", "partial_outage"]) == 0  # fmt: skip
    assert _states(client)["signin"] == "partial_outage"
    assert main(["status", "incident", "resolve", str(incident.pk), "--message", "Fixed."]) == 0
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_at is not None
    assert _states(client)["signin"] == "operational"
    html = client.get("/status").content.decode()
    assert "Past incidents" in html and "Fixed." in html and "A slow disk." in html
    actions = list(
        OperatorEvent.objects.filter(object_type="status.incident", object_id=str(incident.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        "status.incident_opened",
        "status.incident_updated",
        "status.incident_updated",
    ]


def test_bad_input_is_one_line_and_changes_nothing(demo, capsys):
    before = Incident.objects.count()
    assert main(["status", "incident", "open", "--title", "X", "--message", "Y",
                 "--components", "web,mainframe"]) == 1  # fmt: skip
    assert "Unknown component: mainframe" in capsys.readouterr().err
    assert main(["status", "incident", "resolve", "99999", "--message", "Y"]) == 1
    assert "No incident or maintenance 99999" in capsys.readouterr().err
    assert Incident.objects.count() == before


def test_maintenance_scheduled_started_and_completed(demo, client, capsys):
    starts = timezone.now() + dt.timedelta(hours=2)
    ends = starts + dt.timedelta(hours=1)
    assert main(["status", "maintenance", "schedule", "--title", "Database upgrade",
                 "--message", "PostgreSQL gets a new major version.", "--components", "database",
                 "--starts", starts.isoformat(), "--ends", ends.isoformat()]) == 0  # fmt: skip
    maintenance = Incident.objects.get(title="Database upgrade")
    assert _states(client)["database"] == "operational"  # not started yet
    assert "Planned maintenance" in client.get("/status").content.decode()
    assert main(["status", "maintenance", "start", str(maintenance.pk), "--message", "Now."]) == 0
    assert _states(client)["database"] == "maintenance"
    assert (
        main(["status", "maintenance", "complete", str(maintenance.pk), "--message", "Done"]) == 0
    )
    maintenance.refresh_from_db()
    assert maintenance.status == "completed" and maintenance.resolved_at is not None
    assert _states(client)["database"] == "operational"
    assert main(["status", "list", "--all"]) == 0
    assert "Database upgrade" in capsys.readouterr().out


def test_the_operator_page_is_for_operators_only(demo, client, login):
    response = client.get("/operator/status/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    login("owner@demo-bv.test")
    assert client.get("/operator/status/").status_code == 404
    assert client.post("/operator/status/", {"action": "incident"}).status_code == 404


def test_an_operator_posts_and_updates_an_incident_on_the_page(demo, client):
    client.force_login(User.objects.get(email=OPERATOR_EMAIL))
    page = client.get("/operator/status/")
    assert page.status_code == 200 and b'data-testid="operator-menu"' in page.content
    response = client.post("/operator/status/", {
        "action": "incident",
        "incident-title": "Webhooks delayed",
        "incident-message": "Deliveries are late.",
        "incident-components": ["webhooks"],
        "incident-impact": "major_outage",
    })  # fmt: skip
    assert response.status_code == 302
    incident = Incident.objects.get(title="Webhooks delayed")
    assert incident.components == ["webhooks"] and incident.impact == "major_outage"
    event = OperatorEvent.objects.get(action="status.incident_opened", object_id=str(incident.pk))
    assert event.actor_label == f"operator {OPERATOR_EMAIL}"
    response = client.post("/operator/status/", {
        "action": "update",
        "incident": incident.pk,
        f"u{incident.pk}-status": "resolved",
        f"u{incident.pk}-message": "All delivered.",
    })  # fmt: skip
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "resolved"
    # A form with a missing title changes nothing and says why.
    response = client.post("/operator/status/", {
        "action": "incident", "incident-message": "x", "incident-components": ["web"],
        "incident-impact": "degraded",
    })  # fmt: skip
    assert response.status_code == 200 and b"This field is required" in response.content
    assert Incident.objects.count() == 1


def test_the_atom_feed_lists_incidents_with_their_updates(demo, client):
    main(["status", "incident", "open", "--title", "API errors", "--message", "500s on /api.",
          "--components", "api"])  # fmt: skip
    incident = Incident.objects.get(title="API errors")
    main(["status", "incident", "resolve", str(incident.pk), "--message", "Rolled back."])
    response = client.get("/status/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.findtext(f"{ATOM}title") == "API errors (Resolved)"
    summary = entry.findtext(f"{ATOM}summary") or ""
    assert "Rolled back." in summary and "500s on /api." in summary
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href", "").endswith(f"/status#incident-{incident.pk}")


def test_an_operator_schedules_maintenance_in_utc_on_the_page(demo, client):
    client.force_login(User.objects.get(email=OPERATOR_EMAIL))
    response = client.post("/operator/status/", {
        "action": "maintenance",
        "maintenance-title": "Upgrade",
        "maintenance-message": "A short pause.",
        "maintenance-components": ["database", "web"],
        "maintenance-starts_at": "2030-01-10T06:00",
        "maintenance-ends_at": "2030-01-10T07:00",
    })  # fmt: skip
    assert response.status_code == 302
    maintenance = Incident.objects.get(title="Upgrade")
    assert maintenance.starts_at == dt.datetime(2030, 1, 10, 6, 0, tzinfo=dt.UTC)
    assert maintenance.components == ["web", "database"] and maintenance.status == "scheduled"
    # An end before the start is refused with the reason, and nothing is made.
    response = client.post("/operator/status/", {
        "action": "maintenance",
        "maintenance-title": "Backwards",
        "maintenance-message": "x",
        "maintenance-components": ["web"],
        "maintenance-starts_at": "2030-01-10T07:00",
        "maintenance-ends_at": "2030-01-10T06:00",
    })  # fmt: skip
    assert "The maintenance must end after it starts." in response.content.decode()
    assert not Incident.objects.filter(title="Backwards").exists()
