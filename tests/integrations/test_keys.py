"""API keys: made by owners and HR admins (UI, CLI, service), shown once, stored as a
peppered digest, audited without the key, revocable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.access.models import Role, RolePermission
from kluis.audit.models import AuditEvent
from kluis.cli import main
from kluis.integrations.keys import digest_of, find_key
from kluis.integrations.models import ApiKey, DomainEvent
from kluis.integrations.services import create_api_key, revoke_api_key
from kluis.people.models import Employee
from tests.conftest import actor_for


def test_owner_creates_a_key_that_is_returned_once_and_stored_only_as_a_digest(demo):
    owner = actor_for("owner@demo-bv.test")
    key, plaintext = create_api_key(owner, demo["demo-bv"], "Payroll", ["employees:read"])
    assert plaintext.startswith("kluis_") and len(plaintext) == 46
    assert key.prefix == plaintext[:12]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM integrations_apikey WHERE id = %s", [key.pk])
        row = cursor.fetchone()
    assert plaintext not in [str(v) for v in row]
    assert digest_of(plaintext) in row
    assert find_key(plaintext) == key


def test_key_creation_is_audited_with_name_scopes_and_prefix_but_never_the_key(demo):
    owner = actor_for("owner@demo-bv.test")
    key, plaintext = create_api_key(owner, demo["demo-bv"], "Payroll", ["employees:read"])
    event = AuditEvent.objects.get(action="api_key.created", object_id=str(key.pk))
    assert event.changes["scopes"]["new"] == ["employees:read"]
    assert event.changes["prefix"]["new"] == key.prefix
    assert event.changes["name"]["new"] == "Payroll"
    assert plaintext not in str(event.changes)
    assert DomainEvent.objects.filter(name="api_key.created", object_id=str(key.pk)).exists()


def test_hr_admin_may_manage_keys_and_an_employee_may_not(demo):
    assert can(actor_for("hr@demo-bv.test"), "integrations.manage")
    employee = actor_for("member1@demo-bv.test")
    with pytest.raises(PermissionDenied):
        create_api_key(employee, demo["demo-bv"], "Mine", ["employees:read"])


def test_existing_owner_and_hr_admin_roles_hold_integrations_manage(demo):
    holders = set(
        RolePermission.objects.filter(permission="integrations.manage").values_list(
            "role__builtin_key", flat=True
        )
    )
    assert holders == {"owner", "hr_admin"}


def test_nobody_grants_a_key_more_than_they_may_do_themselves(demo):
    hr = actor_for("hr@demo-bv.test")  # HR admins do not read the audit log
    with pytest.raises(ValidationError) as error:
        create_api_key(hr, demo["demo-bv"], "Auditor sync", ["audit:read"])
    assert "scopes" in error.value.message_dict


def test_unknown_scopes_and_past_expiry_are_refused(demo):
    owner = actor_for("owner@demo-bv.test")
    with pytest.raises(ValidationError) as error:
        create_api_key(
            owner,
            demo["demo-bv"],
            "",
            ["employees:delete"],
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"name", "scopes", "expires_at"}


def test_a_member_of_another_company_cannot_make_keys_for_it(demo):
    with pytest.raises(PermissionDenied):
        create_api_key(
            actor_for("owner@other-nv.test"), demo["demo-bv"], "Sneaky", ["employees:read"]
        )


def test_revoking_is_audited_and_emits_an_event(demo):
    owner = actor_for("owner@demo-bv.test")
    key, _plaintext = create_api_key(owner, demo["demo-bv"], "Payroll", ["employees:read"])
    revoke_api_key(owner, key)
    key.refresh_from_db()
    assert key.revoked_at is not None and key.client.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_key.revoked", object_id=str(key.pk)).exists()
    assert DomainEvent.objects.filter(name="api_key.revoked", object_id=str(key.pk)).exists()


def test_cli_creates_a_key_and_prints_it_once(demo, capsys):
    code = main(
        [
            "apikey",
            "create",
            "--tenant",
            "demo-bv",
            "--name",
            "Payroll",
            "--scopes",
            "employees:read,employees:write",
            "--expires-days",
            "90",
        ]
    )
    assert code == 0
    out, err = capsys.readouterr()
    plaintext = out.strip()
    assert plaintext.startswith("kluis_") and len(plaintext) == 46
    assert plaintext not in err and "shown once" in err
    key = find_key(plaintext)
    assert key is not None
    assert key.client.scopes == ["employees:read", "employees:write"]
    assert key.expires_at is not None
    assert AuditEvent.objects.filter(action="api_key.created", actor_label="cli:apikey").exists()


def test_cli_refuses_an_unknown_scope_in_one_line(demo, capsys):
    code = main(["apikey", "create", "--tenant", "demo-bv", "--name", "X", "--scopes", "nope"])
    assert code == 1
    assert "scopes: Unknown scope: nope." in capsys.readouterr().err


def test_cli_revokes_a_key_by_prefix(demo, capsys):
    owner = actor_for("owner@demo-bv.test")
    key, _plaintext = create_api_key(owner, demo["demo-bv"], "Payroll", ["employees:read"])
    assert main(["apikey", "revoke", "--tenant", "demo-bv", "--prefix", key.prefix]) == 0
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert main(["apikey", "revoke", "--tenant", "other-nv", "--prefix", key.prefix]) == 1


def test_api_keys_page_creates_shows_the_key_once_lists_and_revokes(demo, login):
    client = login("owner@demo-bv.test")
    page = client.get("/integrations/api-keys/")
    assert page.status_code == 200
    form = {
        "name": "Payroll",
        "scopes": ["employees:read", "wages:read"],
        "expires_in_days": "30",
        "once": page.context["once"],
    }
    response = client.post("/integrations/api-keys/", form)
    assert response.status_code == 200
    plaintext = response.context["new_key"]
    assert plaintext and plaintext in response.content.decode()
    key = find_key(plaintext)
    assert key is not None and key.client.created_by_label == "owner@demo-bv.test"
    listing = client.get("/integrations/api-keys/").content.decode()
    assert key.prefix in listing and plaintext not in listing
    # Sending the same form again (a reload after the POST) makes no second key.
    again = client.post("/integrations/api-keys/", form, follow=True)
    assert again.context["new_key"] is None
    assert "sent already" in again.content.decode()
    assert ApiKey.objects.filter(client__name="Payroll").count() == 1
    asked = client.post(f"/integrations/api-keys/{key.pk}/revoke/")
    assert f"Revoke the key {key.prefix}…?" in asked.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None  # asked, not done
    revoked = client.post(f"/integrations/api-keys/{key.pk}/revoke/", {"confirmed": "1"})
    assert revoked.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_api_keys_page_is_in_the_navigation_only_for_those_who_manage_keys(demo, login):
    assert "/integrations/api-keys/" in login("owner@demo-bv.test").get("/").content.decode()
    employee = login("member1@demo-bv.test")
    assert "/integrations/api-keys/" not in employee.get("/").content.decode()
    assert employee.get("/integrations/api-keys/").status_code == 403


def test_api_client_actor_holds_exactly_its_scopes(demo):
    owner = actor_for("owner@demo-bv.test")
    key, _plaintext = create_api_key(owner, demo["demo-bv"], "Payroll", ["identity:read"])
    actor = Actor.for_api_client(key.client)
    assert actor.kind == "api_client" and actor.label == "api:Payroll"
    assert can(actor, "people.view_identity") and can(actor, "people.view_bank")
    assert not can(actor, "people.view") and not can(actor, "integrations.manage")
    assert ApiKey.objects.filter(client=key.client).count() == 1


def test_api_keys_page_speaks_dutch(demo, login):
    from django.utils import translation

    client = login("owner@demo-bv.test")
    try:
        html = client.get("/integrations/api-keys/", headers={"accept-language": "nl"}).content
    finally:
        translation.deactivate()
    assert "Nieuwe API-sleutel" in html.decode()


def test_data_migration_grants_integrations_manage_to_existing_owner_and_hr_admin(demo):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("kluis.access.migrations.0004_grant_integrations_manage")
    RolePermission.objects.filter(permission="integrations.manage").delete()
    grant = migration.Migration.operations[0].code
    grant(apps, None)
    granted = RolePermission.objects.filter(permission="integrations.manage")
    assert set(granted.values_list("role__builtin_key", flat=True)) == {"owner", "hr_admin"}
    builtin = Role.objects.filter(builtin_key__in=["owner", "hr_admin"]).count()
    assert granted.count() == builtin
    assert set(granted.values_list("scope", flat=True)) == {"company"}
    grant(apps, None)  # idempotent
    assert RolePermission.objects.filter(permission="integrations.manage").count() == builtin


def test_a_refused_key_leaves_the_connection_open_to_the_next_companys_key(demo, client):
    """The key lookup narrows the database connection to the key's company (row-level
    security on PostgreSQL) before the digest is compared: a refused key must widen it
    again, or the next request on the connection could not find another company's key."""
    from tests.api_client import make_key

    demo_key = make_key("demo-bv", ["employees:read"])
    other_key = make_key("other-nv", ["employees:read"])
    forged = demo_key[:-4] + ("aaaa" if not demo_key.endswith("aaaa") else "bbbb")
    refused = client.get("/api/v1/employees/", headers={"authorization": f"Bearer {forged}"})
    assert refused.status_code == 401
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('kluis.tenant_id', true)")
            assert cursor.fetchone()[0] in ("", None)
    listed = client.get("/api/v1/employees/", headers={"authorization": f"Bearer {other_key}"})
    assert listed.status_code == 200
    tenants = {
        e.tenant.slug
        for e in Employee.objects.filter(pk__in=[r["id"] for r in listed.json()["results"]])
    }
    assert tenants == {"other-nv"}
