"""People's actions under the two-person rule (kluis/approvals/), registered from
PeopleConfig.ready: a wage change of more than the company's percentage, a bank account
changed on someone's behalf, an export of employees' sensitive data. Each is applied
through its own service with the approver's actor stamped with the approval."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.approvals import registry
from kluis.approvals.models import ApprovalRequest
from kluis.approvals.services import sealed_part
from kluis.people import export_requests
from kluis.people.models import Employee
from kluis.people.services import _held


def _employee(request: ApprovalRequest) -> Employee:
    return (
        Employee.objects.for_tenant(request.tenant_id)
        .select_related("tenant")
        .get(pk=request.payload["employee"])
    )


def _apply_wage(actor: Actor, request: ApprovalRequest) -> dict[str, Any]:
    from kluis.people.services import pay

    employee = _employee(request)
    data = {**request.payload, "amount": sealed_part(request)["payload"]["amount"]}
    data.pop("employee")
    pay.set_wage(actor, employee, data)
    return {"url": reverse("people:detail", args=[employee.pk]) + "?tab=wages"}


def _wage_fingerprint(request: ApprovalRequest) -> str:
    return _held.wages_fingerprint(int(request.payload["employee"]), request.tenant_id)


def _apply_bank(actor: Actor, request: ApprovalRequest) -> dict[str, Any]:
    from kluis.people.services.employees import update_employee

    employee = _employee(request)
    data = sealed_part(request)["payload"]["data"]
    update_employee(actor, employee, data, expected_version=int(request.payload["version"]))
    return {"url": reverse("people:detail", args=[employee.pk])}


def _bank_fingerprint(request: ApprovalRequest) -> str:
    found = (
        Employee.objects.for_tenant(request.tenant_id)
        .filter(pk=request.payload["employee"])
        .values_list("version", flat=True)
        .first()
    )
    return "" if found is None else str(found)


def register() -> None:
    from kluis.audit import sentences

    sentences.register_all(
        "people",
        {
            "people.export_released": _("%(actor)s released an approved export of people's data"),
        },
    )
    registry.register(
        registry.ApprovalAction(
            key=_held.WAGE_CHANGE,
            label=_("Change a wage by more than the chosen percentage"),
            description=_(
                "A new wage that moves the amount by more than the percentage below against "
                "the wage in force (or changes its currency or period)."
            ),
            approve_permission="people.view_salary",
            also_requires=("people.edit",),
            apply=_apply_wage,
            fingerprint=_wage_fingerprint,
        )
    )
    registry.register(
        registry.ApprovalAction(
            key=_held.BANK_CHANGE,
            label=_("Change someone else's bank account"),
            description=_(
                "HR changing an employee's bank account on their behalf; an employee "
                "changing their own is not held."
            ),
            approve_permission="people.view_bank",
            also_requires=("people.edit",),
            apply=_apply_bank,
            fingerprint=_bank_fingerprint,
        )
    )
    registry.register(
        registry.ApprovalAction(
            key=export_requests.KEY,
            label=_("Export employees' sensitive data"),
            description=_(
                "An export with identity, bank account or wage columns; once approved, the "
                "person who asked downloads it once, within a day."
            ),
            approve_permission="people.view_salary",
            apply=export_requests.release,
            fingerprint=export_requests.fingerprint,
        )
    )
