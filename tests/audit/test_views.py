"""The audit log viewer: who may read it, filters, pagination and the event page."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.audit.services import record
from tests.conftest import member

AUDITOR = "auditor@demo-bv.test"


def _log(count: int, action: str = "test.bulk", label: str = "bulk-writer") -> None:
    tenant = member(AUDITOR).tenant
    with transaction.atomic():
        for i in range(count):
            record(
                Actor.system(label, tenant),
                action,
                tenant=tenant,
                object_type="test.thing",
                object_id=str(i),
                changes={"n": {"old": i, "new": i + 1}},
            )


def _actions(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {e.action for e in response.context["events"]}


def test_audit_log_renders_for_auditor_with_own_company_events_only(demo, login):
    response = login(AUDITOR).get("/audit/")
    assert response.status_code == 200
    events = list(response.context["events"])
    assert events
    assert {e.tenant.slug for e in events} == {"demo-bv"}
    assert b'data-testid="export-csv"' in response.content


def test_audit_log_is_forbidden_without_audit_view(demo, login):
    assert login("manager@demo-bv.test").get("/audit/").status_code == 403


def test_audit_log_is_newest_first(demo, login):
    response = login(AUDITOR).get("/audit/")
    sequences = [e.sequence for e in response.context["events"]]
    assert sequences == sorted(sequences, reverse=True)


def test_action_filter_offers_only_actions_of_this_company(demo, login):
    other = member("owner@other-nv.test").tenant
    with transaction.atomic():
        record(Actor.system("x", other), "only.in.other", tenant=other)
    response = login(AUDITOR).get("/audit/")
    grouped = response.context["filter"].form.fields["action"].choices[1:]  # after "Any action"
    choices = [value for _kind, options in grouped for value, _label in options]
    assert "role.granted" in choices
    assert "only.in.other" not in choices


def test_filter_by_action_narrows_the_list(demo, login):
    response = login(AUDITOR).get("/audit/", {"action": "role.created"})
    assert response.status_code == 200
    assert _actions(response) == {"role.created"}
    assert len(response.context["events"]) == 5


def test_filter_by_actor_narrows_the_list(demo, login):
    _log(3, label="Someone@Example.test")
    response = login(AUDITOR).get("/audit/", {"actor": "someone@example"})
    assert [e.actor_label for e in response.context["events"]] == ["Someone@Example.test"] * 3


def test_filter_by_object_narrows_the_list(demo, login):
    _log(3)
    response = login(AUDITOR).get("/audit/", {"object_type": "test.thing", "object_id": "1"})
    assert [(e.object_type, e.object_id) for e in response.context["events"]] == [
        ("test.thing", "1")
    ]


def test_filter_by_date_range_narrows_the_list(demo, login):
    client = login(AUDITOR)
    today = timezone.localdate()
    total = AuditEvent.objects.filter(tenant__slug="demo-bv").count()
    both = client.get("/audit/", {"date_from": today.isoformat(), "date_to": today.isoformat()})
    assert both.context["page"].paginator.count == total
    later = client.get("/audit/", {"date_from": (today + timedelta(days=1)).isoformat()})
    assert later.context["page"].paginator.count == 0
    earlier = client.get("/audit/", {"date_to": (today - timedelta(days=1)).isoformat()})
    assert earlier.context["page"].paginator.count == 0


def test_invalid_date_filter_gives_a_form_error_not_a_500(demo, login):
    response = login(AUDITOR).get("/audit/", {"date_from": "31-31-2024", "action": "role.granted"})
    assert response.status_code == 200
    assert "date_from" in response.context["filter"].errors
    assert b'data-testid="filter-errors"' in response.content
    assert len(response.context["events"]) == 0


def test_unknown_action_filter_gives_a_form_error(demo, login):
    response = login(AUDITOR).get("/audit/", {"action": "no.such.action"})
    assert response.status_code == 200
    assert "action" in response.context["filter"].errors


def test_audit_log_is_paginated_by_50_and_page_links_keep_the_filter(demo, login):
    _log(120)
    client = login(AUDITOR)
    first = client.get("/audit/", {"action": "test.bulk"})
    assert len(first.context["events"]) == 50
    assert first.context["page"].paginator.num_pages == 3
    assert b'href="?action=test.bulk&amp;page=2"' in first.content
    last = client.get("/audit/", {"action": "test.bulk", "page": "3"})
    assert len(last.context["events"]) == 20
    assert _actions(last) == {"test.bulk"}
    assert b'href="?action=test.bulk&amp;page=2"' in last.content


def test_out_of_range_page_shows_the_last_page(demo, login):
    _log(60)
    response = login(AUDITOR).get("/audit/", {"action": "test.bulk", "page": "999"})
    assert response.status_code == 200
    assert response.context["page"].number == 2


def test_event_detail_shows_fields_changes_and_hashes(demo, login):
    event = AuditEvent.objects.filter(tenant__slug="demo-bv", action="role.granted").first()
    assert event is not None
    response = login(AUDITOR).get(f"/audit/{event.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert event.hash in body
    assert event.prev_hash in body
    assert event.actor_label in body
    rows = response.context["rows"]
    assert [(r.field, r.old, r.new) for r in rows] == [("role", None, event.changes["role"]["new"])]


def test_event_detail_shows_structured_changes_as_json(demo, login):
    event = AuditEvent.objects.filter(tenant__slug="demo-bv", action="role.created").first()
    assert event is not None
    response = login(AUDITOR).get(f"/audit/{event.pk}/")
    rows = {r.field: r for r in response.context["rows"]}
    assert rows["permissions"].new.startswith("{")


def test_event_detail_is_forbidden_without_audit_view(demo, login):
    event = AuditEvent.objects.filter(tenant__slug="demo-bv").first()
    assert event is not None
    assert login("manager@demo-bv.test").get(f"/audit/{event.pk}/").status_code == 403


def test_missing_event_answers_404(demo, login):
    assert login(AUDITOR).get("/audit/99999999/").status_code == 404
