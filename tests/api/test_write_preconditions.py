"""The If-Match check of PATCH, PUT and DELETE is race-free: each service runs it inside
its transaction on the row it has just locked and read again, not on the copy the view
read before, so a change landing in between is caught and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.api.exceptions import PreconditionFailed
from kluis.api.sparse import content_etag, if_match
from kluis.audit.models import AuditEvent
from kluis.integrations.models import DomainEvent
from kluis.people.api.departments import DEPARTMENTS
from kluis.people.models import CustomFieldDefinition, Department, Employee, Team
from kluis.people.services import custom_fields, organisation, pay
from kluis.tenancy.models import Tenant


class Refused(Exception):
    pass


def planned_wage(actor: Actor, tenant: Tenant) -> Any:
    employee = Employee.objects.get(tenant=tenant, work_email="member1@demo-bv.test")
    start = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    return pay.set_wage(actor, employee, {"amount": "3500", "effective_from": start})


def planned_component(actor: Actor, tenant: Tenant) -> Any:
    employee = Employee.objects.get(tenant=tenant, work_email="member1@demo-bv.test")
    start = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    return pay.add_wage_component(
        actor, employee, {"kind": "bonus", "amount": "100", "start_date": start}
    )


def unused_department(actor: Actor, tenant: Tenant) -> Any:
    return organisation.create_department(actor, tenant, name="Unused")


def unused_team(actor: Actor, tenant: Tenant) -> Any:
    return organisation.create_team(actor, tenant, name="Unused")


def a_department(actor: Actor, tenant: Tenant) -> Any:
    return Department.objects.get(tenant=tenant, name="Finance")


def a_team(actor: Actor, tenant: Tenant) -> Any:
    return Team.objects.get(tenant=tenant, name="Accounting")


def a_field(actor: Actor, tenant: Tenant) -> Any:
    return CustomFieldDefinition.objects.get(tenant=tenant, key="tshirt_size")


WRITES: dict[str, tuple[Callable[[Actor, Tenant], Any], Callable[..., Any]]] = {
    "update_department": (
        a_department,
        lambda actor, row, check: organisation.update_department(
            actor, row, {"code": "X"}, precondition=check
        ),
    ),
    "delete_department": (
        unused_department,
        lambda actor, row, check: organisation.delete_department(actor, row, precondition=check),
    ),
    "update_team": (
        a_team,
        lambda actor, row, check: organisation.update_team(
            actor, row, {"name": "X"}, precondition=check
        ),
    ),
    "delete_team": (
        unused_team,
        lambda actor, row, check: organisation.delete_team(actor, row, precondition=check),
    ),
    "update_custom_field": (
        a_field,
        lambda actor, row, check: custom_fields.update_custom_field(
            actor, row, {"label": "X"}, precondition=check
        ),
    ),
    "delete_custom_field": (
        a_field,
        lambda actor, row, check: custom_fields.delete_custom_field(actor, row, precondition=check),
    ),
    "delete_planned_wage": (
        planned_wage,
        lambda actor, row, check: pay.delete_planned_wage(actor, row, precondition=check),
    ),
    "delete_planned_wage_component": (
        planned_component,
        lambda actor, row, check: pay.delete_planned_wage_component(actor, row, precondition=check),
    ),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_each_write_checks_its_precondition_on_the_locked_row_and_a_refusal_writes_nothing(
    demo, write
):
    tenant = demo["demo-bv"]
    actor = Actor.system("precondition test", tenant)
    target, call = WRITES[write]
    row = target(actor, tenant)
    seen: list[tuple[Any, bool]] = []

    def refuse(locked: Any) -> None:
        seen.append((locked, transaction.get_connection().in_atomic_block))
        raise Refused

    audit, events = AuditEvent.objects.count(), DomainEvent.objects.count()
    with pytest.raises(Refused):
        call(actor, row, refuse)
    [(locked, in_transaction)] = seen
    assert in_transaction and locked is not row and locked.pk == row.pk
    assert type(row).objects.filter(pk=row.pk).exists()
    assert (AuditEvent.objects.count(), DomainEvent.objects.count()) == (audit, events)


def test_a_change_between_the_views_read_and_the_services_lock_is_a_412(demo):
    tenant = demo["demo-bv"]
    department = Department.objects.get(tenant=tenant, name="Finance")  # what the view read
    etag = content_etag(department.pk, DEPARTMENTS.show(department))  # and the client holds
    Department.objects.filter(pk=department.pk).update(code="MEANWHILE")  # someone else
    request = RequestFactory().patch("/", headers={"If-Match": etag})
    check = if_match(request, lambda row: content_etag(row.pk, DEPARTMENTS.show(row)))
    with pytest.raises(PreconditionFailed):
        organisation.update_department(
            Actor.system("test", tenant), department, {"code": "MINE"}, precondition=check
        )
    assert Department.objects.get(pk=department.pk).code == "MEANWHILE"
