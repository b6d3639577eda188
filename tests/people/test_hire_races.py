"""Two hires at once on PostgreSQL (two nodes, two threads), neither giving an employee
number: both are hired, with two different numbers, instead of one failing on the unique
number (found by the several-node load test)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from kluis.access.actor import Actor
from kluis.people.models import Employee
from kluis.people.services import hire_employee
from kluis.tenancy.models import Tenant

pytestmark = pytest.mark.django_db(transaction=True)


def _hire(actor: Actor, tenant: Tenant, name: str) -> Employee:
    return hire_employee(
        actor,
        tenant,
        {
            "first_name": name,
            "last_name": "Parallel",
            "employment": {"start_date": "2027-01-04", "job_title": "Tester"},
        },
    )


def test_a_hire_waits_for_one_under_way_and_takes_the_next_number(demo):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    tenant = Tenant.objects.get(slug="demo-bv")
    actor = Actor.system("tests", tenant)
    outcome: dict[str, object] = {}

    def second_hire() -> None:
        try:
            outcome["employee"] = _hire(actor, tenant, "Second")
        except Exception as error:  # reported below, with its type
            outcome["error"] = repr(error)
        finally:
            connections.close_all()

    with transaction.atomic():
        first = _hire(actor, tenant, "First")
        other = threading.Thread(target=second_hire)
        other.start()
        other.join(timeout=1.0)
        assert other.is_alive(), "the second hire did not wait for the first's numbering"
    other.join(timeout=30)
    assert not other.is_alive()
    assert "error" not in outcome, outcome.get("error")
    second = outcome["employee"]
    assert isinstance(second, Employee)
    assert int(second.employee_number) == int(first.employee_number) + 1
