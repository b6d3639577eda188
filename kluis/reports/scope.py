"""Whose figures a report counts: the people the report's permission reaches for the
viewer (kluis.people.permissions: company = everyone, team = the viewer and the people
they manage). A grant for oneself only opens no report: one person is not a figure."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.people.models import Employee
from kluis.people.permissions import scope_of, scoped, scoped_by_employee

REPORT_SCOPES = (Scope.COMPANY, Scope.TEAM)


def reach_of(actor: Actor, permission: str) -> str | None:
    """COMPANY or TEAM when `permission` opens reports for the actor, else None."""
    if actor.tenant is None:
        return None
    scope = scope_of(actor, permission)
    return scope if scope in REPORT_SCOPES else None


def employees(actor: Actor, permission: str) -> QuerySet[Employee]:
    """The employees the report counts."""
    return scoped(actor, permission, Employee.objects.all())


def rows_of(actor: Actor, permission: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Rows of a model with an `employee` (contracts, absences, ledger lines) of the
    employees the report counts, read through the restricting queryset."""
    return scoped_by_employee(actor, permission, queryset.for_actor(actor))  # type: ignore[attr-defined]
