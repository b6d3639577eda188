"""Helpers the HR screens share: who acts, what they may do company-wide, links back to
the profile."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.people.models import CustomFieldDefinition, Employee
from kluis.people.permissions import can_on, is_self, scope_of
from kluis.people.records import sealed_value


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _company_wide(actor: Actor, *permissions: str) -> bool:
    return all(scope_of(actor, p) == Scope.COMPANY for p in permissions)


def _custom_definitions(actor: Actor, *, archived: bool = False) -> list[CustomFieldDefinition]:
    """The custom fields forms ask for; with `archived`, also the archived ones (is_active
    false), whose values profiles and history still show."""
    rows = CustomFieldDefinition.objects.for_actor(actor)
    return list(rows if archived else rows.filter(is_active=True))


def _address(employee: Employee, values: dict[str, Any]) -> dict[str, Any]:
    """The home address is personal data, not an audited secret: whoever's profile holds
    it (people.view_personal) reads it without a "Show" step."""
    if "address" not in values:
        return {}
    if isinstance(values["address"], dict):
        return values["address"]
    return sealed_value(employee, "address") if values["address"] else {}


def _detail_url(employee: Employee, tab: str = "") -> str:
    url = reverse("people:detail", args=[employee.pk])
    return f"{url}?tab={tab}" if tab else url


def _may_add_contract(actor: Actor, employee: Employee) -> bool:
    return can_on(actor, "people.edit", employee) and (
        not is_self(actor, employee) or _company_wide(actor, "people.edit")
    )


def _may_end_contract(actor: Actor, employee: Employee) -> bool:
    return can_on(actor, "people.edit", employee) and not is_self(actor, employee)


def _may_pay(actor: Actor, employee: Employee) -> bool:
    return _company_wide(actor, "people.edit", "people.view_salary") and can_on(
        actor, "people.view_salary", employee
    )
