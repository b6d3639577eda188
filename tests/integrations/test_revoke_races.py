"""Two revokes of the same credential at once (PostgreSQL, two connections): the row is
locked and re-read, so exactly one of them revokes it and records the audit event."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction
from oauth2_provider.models import Application

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.integrations.models import ApiClient, ApiKey, OAuthConnection
from kluis.integrations.services import (
    connect_app,
    create_api_client,
    create_api_key,
    register_oauth_app,
    revoke_api_client,
    revoke_api_key,
    revoke_connection,
)
from kluis.tenancy.models import Membership, Tenant

pytestmark = pytest.mark.django_db(transaction=True)


def _race(lock: Callable[[], object], revoke: Callable[[], object]) -> list[object]:
    """Hold the row's lock while two threads start revoking, then let them go together:
    without the services' own lock both would pass the "already revoked?" check."""
    outcomes: list[object] = []

    def attempt() -> None:
        try:
            revoke()
            outcomes.append("done")
        except Exception as error:  # the test asserts there is none
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    with transaction.atomic():
        lock()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=1.0)
        assert all(thread.is_alive() for thread in threads), "a revoke did not wait for the lock"
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.fixture
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")


def test_two_revokes_of_one_api_key_record_one_event(demo, postgresql_only):
    tenant = Tenant.objects.get(slug="demo-bv")
    actor = Actor.system("tests", tenant)
    key, _plaintext = create_api_key(actor, tenant, "Payroll", ["employees:read"])

    def revoke() -> None:
        revoke_api_key(actor, ApiKey.objects.select_related("client__tenant").get(pk=key.pk))

    def lock() -> None:
        ApiKey.objects.select_for_update().get(pk=key.pk)
        ApiClient.objects.select_for_update().get(pk=key.client_id)

    assert _race(lock, revoke) == ["done", "done"]
    assert AuditEvent.objects.filter(action="api_key.revoked", object_id=str(key.pk)).count() == 1
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None


def test_two_revokes_of_one_api_client_record_one_event(demo, postgresql_only):
    tenant = Tenant.objects.get(slug="demo-bv")
    actor = Actor.system("tests", tenant)
    client, _secret = create_api_client(actor, tenant, "Payroll", ["employees:read"])

    def revoke() -> None:
        revoke_api_client(actor, ApiClient.objects.select_related("tenant").get(pk=client.pk))

    def lock() -> None:
        ApiClient.objects.select_for_update().get(pk=client.pk)

    assert _race(lock, revoke) == ["done", "done"]
    revoked = AuditEvent.objects.filter(action="api_client.revoked", object_id=str(client.pk))
    assert revoked.count() == 1


def test_two_disconnects_of_one_app_record_one_event(demo, postgresql_only):
    owner = Membership.objects.select_related("tenant", "user").get(
        user__email="owner@demo-bv.test", tenant__slug="demo-bv"
    )
    actor = Actor.for_member(owner)
    application, _secret = register_oauth_app(
        Actor.system("tests"), "Planner", ["https://app.example.com/cb"]
    )
    made = connect_app(actor, owner.tenant, owner.user, application, ["employees:read"])

    def revoke() -> None:
        revoke_connection(
            actor,
            OAuthConnection.objects.select_related("tenant", "api_client").get(pk=made.pk),
        )

    def lock() -> None:
        OAuthConnection.objects.select_for_update().get(pk=made.pk)

    assert _race(lock, revoke) == ["done", "done"]
    disconnected = AuditEvent.objects.filter(
        action="oauth_connection.revoked", object_id=str(made.api_client_id)
    )
    assert disconnected.count() == 1
    assert Application.objects.filter(pk=application.pk).exists()
