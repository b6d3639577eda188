"""Two workers reach the same due offboarding at once (PostgreSQL, two connections): the
row moves from approved to executed by a conditional update, so exactly one of them
carries it out and records it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from kluis.audit.models import AuditEvent
from kluis.offboarding import revocation
from kluis.offboarding.models import Offboarding
from tests.offboarding.support import LEAVER, approve, employee_of, request_offboarding

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")


def test_two_workers_carry_out_one_offboarding_once(postgresql_only, demo):
    offboarding = approve(request_offboarding(employee_of(LEAVER)))
    outcomes: list[object] = []

    def worker() -> None:
        try:
            outcomes.append(revocation.execute(offboarding.pk))
        except Exception as error:  # the test asserts there is none
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    with transaction.atomic():  # both start while the row is locked, then go together
        Offboarding.objects.select_for_update().get(pk=offboarding.pk)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=1.0)
        assert all(thread.is_alive() for thread in threads), "a worker did not wait"
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes, key=str) == [False, True]
    executed = AuditEvent.objects.filter(
        action="offboarding.executed", object_id=str(offboarding.pk)
    )
    assert executed.count() == 1
