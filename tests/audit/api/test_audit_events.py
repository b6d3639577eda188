"""/api/v1/audit-events/: read only with audit:read; the company's events only; the UI's
filters; 404 across companies; no writes."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from kluis.audit.models import AuditEvent
from tests.api_client import assert_problem

URL = "/api/v1/audit-events/"


def body(response: Any) -> Any:
    return json.loads(response.content)


def test_listing_is_newest_first_and_only_this_company(api):
    rows = body(api(["audit:read"]).get(URL + "?page_size=200"))["results"]
    sequences = [r["sequence"] for r in rows]
    assert sequences == sorted(sequences, reverse=True)
    ids = {r["id"] for r in rows}
    assert not AuditEvent.objects.filter(pk__in=ids).exclude(tenant__slug="demo-bv").exists()
    assert {"action", "actor_label", "changes", "hash", "prev_hash"} <= set(rows[0])


def test_filters_like_the_ui(api):
    client = api(["audit:read", "employees:read", "employees:write"])
    client.post("/api/v1/teams/", {"name": "Audit probe"})
    rows = body(client.get(URL + "?action=team.created&actor=test%20client"))["results"]
    assert len(rows) == 1 and rows[0]["object_repr"] == "Audit probe"
    event = AuditEvent.objects.get(pk=rows[0]["id"])
    # The API reads dates in the server's time zone, as the UI does (not in UTC).
    day = timezone.localtime(event.occurred_at).date().isoformat()
    query = f"?object_type={event.object_type}&object_id={event.object_id}&date_from={day}"
    assert [r["id"] for r in body(client.get(URL + query + f"&date_to={day}"))["results"]] == [
        event.pk
    ]
    assert body(client.get(URL + "?date_to=2000-01-01"))["results"] == []
    assert_problem(client.get(URL + "?date_from=yesterday"), 400)
    assert_problem(client.get(URL + "?ordering=action"), 400)


def test_reading_one_with_sparse_fields_and_etag(api):
    event = AuditEvent.objects.filter(tenant__slug="demo-bv").first()
    response = api(["audit:read"]).get(f"{URL}{event.pk}/?fields=action")
    assert response.status_code == 200
    assert body(response) == {"id": event.pk, "action": event.action}
    # Named by the event's hash, and by what this client is shown of it when values are hidden.
    assert response["ETag"].startswith(f'W/"{event.pk}-{event.hash[:16]}')


def test_without_audit_read_it_is_403(api):
    assert_problem(api(["employees:read", "employees:write", "wages:read"]).get(URL), 403)


def test_another_companys_event_is_404(api):
    other = AuditEvent.objects.filter(tenant__slug="other-nv").first()
    assert_problem(api().get(f"{URL}{other.pk}/"), 404)


def test_it_is_read_only(api):
    client = api()
    event = AuditEvent.objects.filter(tenant__slug="demo-bv").first()
    count = AuditEvent.objects.count()
    assert_problem(client.post(URL, {"action": "forged"}), 405)
    assert_problem(client.patch(f"{URL}{event.pk}/", {"action": "forged"}), 405)
    assert AuditEvent.objects.count() == count
