"""Two writes at once on PostgreSQL: removing a choice while an employee is being given it
must not leave the employee holding a choice that no longer exists."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from kluis.access.actor import Actor
from kluis.people.models import CustomFieldDefinition, Employee
from kluis.people.services import update_employee
from kluis.people.services.custom_fields import define_custom_field, update_custom_field
from kluis.tenancy.models import Tenant

pytestmark = pytest.mark.django_db(transaction=True)


def test_removing_a_choice_waits_for_an_employee_being_given_it_and_then_refuses(demo):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    tenant = Tenant.objects.get(slug="demo-bv")
    actor = Actor.system("tests", tenant)
    definition = define_custom_field(
        actor, tenant, key="shirt_size", label="Shirt size", field_type="choice", choices=["S", "M"]
    )
    worker = Employee.objects.get(tenant=tenant, work_email="member1@demo-bv.test")
    outcome: dict[str, object] = {}

    def remove_m() -> None:
        try:
            update_custom_field(actor, definition, {"choices": ["S"]})
            outcome["result"] = "removed"
        except ValidationError as error:
            outcome["result"] = error.message_dict
        finally:
            connections.close_all()

    with transaction.atomic():
        update_employee(
            actor, worker, {"custom_fields": {"shirt_size": "M"}}, expected_version=worker.version
        )
        remover = threading.Thread(target=remove_m)
        remover.start()
        remover.join(timeout=1.0)
        assert remover.is_alive(), "the removal did not wait for the employee's write"
    remover.join(timeout=30)
    assert not remover.is_alive()
    assert isinstance(outcome["result"], dict) and "choices" in outcome["result"]
    assert CustomFieldDefinition.objects.get(pk=definition.pk).choices == ["S", "M"]
    assert Employee.objects.get(pk=worker.pk).custom_fields["shirt_size"] == "M"
