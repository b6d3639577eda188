"""Audit events appended from several connections at once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from kluis.audit.models import AuditEvent
from kluis.audit.services import record, verify_tenant
from tests.conftest import actor_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_appends_keep_one_chain(demo):
    """Appends from several connections at once: each gets its own sequence, linked to
    the one before (PostgreSQL locks the head; SQLite writes one at a time)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    tenant = demo["demo-bv"]
    owner = actor_for("owner@demo-bv.test")
    errors: list[BaseException] = []

    def append() -> None:
        try:
            for _ in range(10):
                with transaction.atomic():
                    record(owner, "test.concurrent", tenant=tenant)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEvent.objects.filter(tenant=tenant, action="test.concurrent").count() == 40
    assert verify_tenant(tenant).ok
