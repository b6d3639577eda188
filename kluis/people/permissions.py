"""Who may see or change which employee: the scoped permissions of kluis.access applied to
employees. Team = the employees whose current manager is the actor's own employee record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import grants_of
from kluis.access.permissions import Scope
from kluis.people.models import Employee
from kluis.tenancy.querysets import TenantQuerySet

_UNSET = -1


def actor_employee_id(actor: Actor) -> int | None:
    """The actor's own employee record in the company (cached on the actor)."""
    cached = getattr(actor, "_employee_id", _UNSET)
    if cached != _UNSET:
        return cached
    employee_id = None
    if actor.membership is not None:
        employee_id = (
            Employee.objects.for_actor(actor)
            .filter(membership=actor.membership)
            .values_list("pk", flat=True)
            .first()
        )
    actor._employee_id = employee_id  # type: ignore[attr-defined]
    return employee_id


def scope_of(actor: Actor, permission: str) -> str | None:
    if actor.is_system:
        return Scope.COMPANY
    return grants_of(actor).get(permission)


def can_on(actor: Actor, permission: str, employee: Employee) -> bool:
    if actor.is_system:
        return True
    if actor.tenant is None or employee.tenant_id != actor.tenant.pk:
        return False
    scope = scope_of(actor, permission)
    if scope is None:
        return False
    if scope == Scope.COMPANY:
        return True
    own = actor_employee_id(actor)
    if own is None:
        return False
    if employee.pk == own:
        return True
    return scope == Scope.TEAM and employee.manager_id == own


def authorize_on(actor: Actor, permission: str, employee: Employee) -> None:
    if not can_on(actor, permission, employee):
        raise PermissionDenied(_("You do not have permission to do this."))


def is_self(actor: Actor, employee: Employee) -> bool:
    return not actor.is_system and employee.pk == actor_employee_id(actor)


def scoped(actor: Actor, permission: str, queryset: QuerySet[Employee]) -> QuerySet[Employee]:
    """Narrow a queryset of the actor's company to the employees `permission` reaches."""
    if not isinstance(queryset, TenantQuerySet):
        raise TypeError("scoped() narrows a queryset of Employee.objects")
    if actor.tenant is None:
        return queryset.none()
    queryset = queryset.for_actor(actor)
    scope = scope_of(actor, permission)
    if scope == Scope.COMPANY:
        return queryset
    own = actor_employee_id(actor)
    if scope is None or own is None:
        return queryset.none()
    if scope == Scope.TEAM:
        from django.db.models import Q

        return queryset.filter(Q(pk=own) | Q(manager_id=own))
    return queryset.filter(pk=own)


def scoped_by_employee(actor: Actor, permission: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Narrow a queryset of the actor's company's rows that belong to an employee
    (contracts, wages, ...) to those of the employees `permission` reaches. Company-wide,
    every one of them does: no need to ask the database which employees those are."""
    if scope_of(actor, permission) == Scope.COMPANY:
        return queryset
    return queryset.filter(employee__in=scoped(actor, permission, Employee.objects.all()))
