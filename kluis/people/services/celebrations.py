"""An employee's own choice: whether colleagues see their birthday (day and month only)
and work anniversary on the dashboard (kluis/people/selectors_dashboard.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.integrations.events import emit
from kluis.people.models import Employee
from kluis.people.permissions import is_self
from kluis.people.services._kit import same_company


def set_show_celebrations(actor: Actor, employee: Employee, show: bool) -> Employee:
    """Only the employee chooses, for their own file; saving the same choice changes
    nothing and records nothing."""
    same_company(actor, employee.tenant_id)
    if not is_self(actor, employee):
        raise PermissionDenied(_("Only the employee chooses this, on their own profile."))
    with transaction.atomic():
        current = Employee.objects.select_for_update().select_related("tenant").get(pk=employee.pk)
        if current.show_celebrations == show:
            return current
        current.show_celebrations = show
        current.updated_at = timezone.now()
        current.save(update_fields=["show_celebrations", "updated_at"])
        record(
            actor,
            "employee.celebrations_changed",
            tenant=current.tenant,
            target=current,
            changes={"show_celebrations": {"old": not show, "new": show}},
        )
        emit(
            "employee.updated",
            tenant=current.tenant,
            target=current,
            payload={"fields": ["show_celebrations"]},
        )
    employee.show_celebrations = show
    return current
