"""An employee's emergency contacts: who may add and remove them, each change audited and
emitted as a domain event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.integrations.events import emit
from kluis.people import validation as v
from kluis.people.models import EmergencyContact, Employee
from kluis.people.services._kit import collect, missing, same_company
from kluis.people.services.employees import HIRE_FIELDS, editable_fields

# --- emergency contacts --------------------------------------------------------------------


def _may_edit_contacts(actor: Actor, employee: Employee) -> None:
    if (
        "emergency_contacts" in editable_fields(actor, employee)
        or editable_fields(actor, employee) >= HIRE_FIELDS
    ):
        return
    raise PermissionDenied(_("You do not have permission to do this."))


def add_emergency_contact(
    actor: Actor, employee: Employee, data: Mapping[str, Any]
) -> EmergencyContact:
    same_company(actor, employee.tenant)
    _may_edit_contacts(actor, employee)
    clean = collect(
        [
            ("name", lambda: v.text(data.get("name"), max_length=150, required=True)),
            ("relationship", lambda: v.text(data.get("relationship"), max_length=60)),
            ("phone", lambda: v.phone(data.get("phone")) or missing()),
            ("email", lambda: v.email(data.get("email"))),
        ]
    )
    with transaction.atomic():
        contact = EmergencyContact.objects.create(
            tenant_id=employee.tenant_id, employee=employee, **clean
        )
        record(
            actor,
            "emergency_contact.added",
            tenant=employee.tenant,
            target=contact,
            changes={"employee": {"old": None, "new": employee.pk}},
        )
        emit(
            "emergency_contact.created",
            tenant=employee.tenant,
            target=contact,
            payload={"employee": employee.pk},
        )
    return contact


def remove_emergency_contact(actor: Actor, contact: EmergencyContact) -> None:
    employee = contact.employee
    same_company(actor, employee.tenant)
    _may_edit_contacts(actor, employee)
    with transaction.atomic():
        record(actor, "emergency_contact.removed", tenant=employee.tenant, target=contact)
        emit(
            "emergency_contact.deleted",
            tenant=employee.tenant,
            target=contact,
            payload={"employee": employee.pk},
        )
        contact.delete()
