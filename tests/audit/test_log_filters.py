"""Who opens the audit log and which events they read; the person, actor, kind and period
filters, on the page and in the exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.audit.services import record
from kluis.people import services
from kluis.people.models import Employee
from tests.conftest import actor_for, member

AUDITOR = "auditor@demo-bv.test"
HR = "hr@demo-bv.test"


def _employee(email: str) -> Employee:
    return Employee.objects.get(membership=member(email))


def _actions(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {e.action for e in response.context["events"]}


def _log(action: str, object_type: str = "", email: str = AUDITOR) -> AuditEvent:
    tenant = member(email).tenant
    with transaction.atomic():
        return record(Actor.system("probe", tenant), action, tenant=tenant, object_type=object_type)


def _body(response) -> str:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content).decode()


def test_hr_admin_opens_the_log_and_reads_only_the_kinds_its_permissions_cover(demo, login):
    secret = _log("crypto.data_key_created", "crypto.tenantkey")
    signin = _log("signin.failed", "identity.user")
    bob = _employee("member1@demo-bv.test")
    services.update_employee(
        actor_for(HR), bob, {"preferred_name": "Bobby"}, expected_version=bob.version
    )
    client = login(HR)
    page = client.get("/audit/", secure=True)
    assert page.status_code == 200
    assert b'data-testid="audit-partial"' in page.content
    kinds = [c[0] for c in page.context["filter"].form.fields["kind"].choices]
    assert {"people", "pay", "organisation", "timeoff", "members", "roles"} <= set(kinds)
    assert "signin" not in kinds and "company" not in kinds
    actions = _actions(client.get("/audit/", {"kind": "people"}, secure=True))
    assert "employee.updated" in actions
    every = set(
        AuditEvent.objects.filter(tenant=bob.tenant).values_list("action", flat=True).distinct()
    )
    shown = {
        e.action
        for page_number in (1, 2, 3)
        for e in client.get("/audit/", {"page": page_number}, secure=True).context["events"]
    }
    assert "crypto.data_key_created" not in shown and "signin.failed" not in shown
    assert "crypto.data_key_created" in every
    # The event pages of kinds HR does not read are not there; HR does not export.
    assert client.get(f"/audit/{secret.pk}/", secure=True).status_code == 404
    assert client.get(f"/audit/{signin.pk}/", secure=True).status_code == 404
    assert client.get("/audit/export.csv", secure=True).status_code == 403


def test_the_auditor_reads_every_kind(demo, login):
    secret = _log("crypto.data_key_created", "crypto.tenantkey")
    client = login(AUDITOR)
    assert b'data-testid="audit-partial"' not in client.get("/audit/", secure=True).content
    assert client.get(f"/audit/{secret.pk}/", secure=True).status_code == 200


def test_manager_and_employee_may_not_open_the_log(demo, login):
    event = _log("employee.hired", "people.employee")
    for email in ("manager@demo-bv.test", "employee@demo-bv.test"):
        client = login(email)
        assert client.get("/audit/", secure=True).status_code == 403
        assert client.get(f"/audit/{event.pk}/", secure=True).status_code == 403


def test_another_companys_events_are_never_shown(demo, login):
    other = _log("employee.hired", "people.employee", email="owner@other-nv.test")
    for email in (HR, AUDITOR):
        client = login(email)
        assert client.get(f"/audit/{other.pk}/", secure=True).status_code == 404
        pks = {
            e.pk for e in client.get("/audit/", {"kind": "people"}, secure=True).context["events"]
        }
        assert other.pk not in pks


def test_person_filter_finds_the_file_and_the_records_that_belong_to_it(demo, login):
    bob, lotte = _employee("member1@demo-bv.test"), _employee("member2@demo-bv.test")
    for who in (bob, lotte):
        services.update_employee(
            actor_for(HR), who, {"work_phone": "+32470000001"}, expected_version=who.version
        )
    contact = services.add_emergency_contact(
        actor_for(HR), bob, {"name": "Carla", "phone": "+32470123456"}
    )
    response = login(AUDITOR).get("/audit/", {"person": bob.last_name}, secure=True)
    events = list(response.context["events"])
    about = {(e.object_type, e.object_id) for e in events}
    assert ("people.employee", str(bob.pk)) in about
    assert ("people.emergencycontact", str(contact.pk)) in about
    assert ("people.employee", str(lotte.pk)) not in about
    nobody = login(AUDITOR).get("/audit/", {"person": "Zzyzx-nobody"}, secure=True)
    assert list(nobody.context["events"]) == []


def test_actor_filter_matches_a_name_or_an_address(demo, login):
    hr = _employee(HR)
    bob = _employee("member1@demo-bv.test")
    services.update_employee(
        actor_for(HR), bob, {"preferred_name": "Bobby"}, expected_version=bob.version
    )
    client = login(AUDITOR)
    by_name = list(client.get("/audit/", {"actor": hr.last_name}, secure=True).context["events"])
    assert by_name and {e.actor_label for e in by_name} == {HR}
    by_mail = list(client.get("/audit/", {"actor": "hr@demo"}, secure=True).context["events"])
    assert {e.pk for e in by_name} == {e.pk for e in by_mail}


def test_kind_filter_and_period(demo, login):
    _log("role.created", "access.role")
    _log("leave_type.created", "timeoff.leavetype")
    client = login(AUDITOR)
    roles = _actions(client.get("/audit/", {"kind": "roles"}, secure=True))
    assert roles and roles <= {
        "role.created",
        "role.updated",
        "role.deleted",
        "role.granted",
        "role.revoked",
    }
    today = timezone.localdate()
    later = client.get(
        "/audit/",
        {"kind": "timeoff", "date_from": (today + timedelta(days=1)).isoformat()},
        secure=True,
    )
    assert list(later.context["events"]) == []
    now = client.get(
        "/audit/",
        {"kind": "timeoff", "date_from": today.isoformat(), "date_to": today.isoformat()},
        secure=True,
    )
    assert "leave_type.created" in _actions(now)
    assert client.get("/audit/", {"kind": "nonsense"}, secure=True).context["filter"].errors


def test_exports_honour_the_filters_and_list_the_same_rows(demo, login):
    _log("role.created", "access.role")
    client = login(AUDITOR)
    page = client.get("/audit/", {"kind": "roles"}, secure=True)
    rows = list(
        csv.DictReader(
            io.StringIO(_body(client.get("/audit/export.csv", {"kind": "roles"}, secure=True)))
        )
    )
    assert [int(r["sequence"]) for r in rows][: len(page.context["events"])] == [
        e.sequence for e in page.context["events"]
    ]
    assert {r["action"] for r in rows} <= {
        "role.created",
        "role.updated",
        "role.deleted",
        "role.granted",
        "role.revoked",
    }


def test_the_list_links_to_the_event_and_the_profile(demo, login):
    bob = _employee("member1@demo-bv.test")
    services.update_employee(
        actor_for(HR), bob, {"preferred_name": "Bobby"}, expected_version=bob.version
    )
    page = login(HR).get("/audit/", {"kind": "people"}, secure=True).content.decode()
    assert f'href="/people/{bob.pk}/"' in page
    event = AuditEvent.objects.filter(action="employee.updated").order_by("-sequence").first()
    assert f'href="/audit/{event.pk}/"' in page
