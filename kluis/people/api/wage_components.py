"""`/api/v1/wage-components/`: pay on top of the wage (meal vouchers, car, bonus). Same
rules as wages: reading needs wages:read and is audited once per request; adding
(`pay.add_wage_component`), ending a recurring one with a PATCH of `end_date`
(`pay.end_wage_component`; one whose end has passed is history: 409) and
withdrawing one that has not started (`pay.delete_planned_wage_component`; a
started one is history: 409) need employees:write and wages:read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers

from kluis.access.actor import Actor
from kluis.api.declaration import Declaration
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import problem_example
from kluis.api.views import Sealed
from kluis.crypto import vault
from kluis.people.api.wages import audit_amounts_read, employee_in_body
from kluis.people.fields import WAGE_COMPONENT_PURPOSE
from kluis.people.models import WageComponent, WagePeriod
from kluis.people.permissions import scoped_by_employee
from kluis.people.services import pay
from kluis.tenancy.models import Tenant


class WageComponentSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(help_text="Employee id")
    kind = serializers.ChoiceField(choices=WageComponent.Kind.choices)
    label = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, max_length=120
    )
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text='A decimal string: "8.00"'
    )
    currency = serializers.CharField(required=False, help_text="ISO 4217, default EUR")
    recurring = serializers.BooleanField(
        required=False, default=True, help_text="false: one-off (ends on its start date)"
    )
    period = serializers.ChoiceField(choices=WagePeriod.choices, required=False)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class WageComponentEndSerializer(StrictSerializer):
    end_date = serializers.DateField(help_text="The last day the component is paid")


SELECTABLE = set(WageComponentSerializer().fields)


def open_amount(tenant_id: int, token: str | None) -> str:
    """A component's sealed amount as the API shows it: a decimal string."""
    amount = vault.unseal(tenant_id, WAGE_COMPONENT_PURPOSE, token)
    return f"{Decimal(amount or '0'):.2f}"


def represent(component: WageComponent) -> dict[str, Any]:
    # The sealed amount last, as on a list page written by the database.
    return {
        "id": component.pk,
        "employee": component.employee_id,
        "kind": component.kind,
        "label": component.label,
        "currency": component.currency,
        "recurring": component.recurring,
        "period": component.period,
        "start_date": component.start_date.isoformat(),
        "end_date": component.end_date.isoformat() if component.end_date else None,
        "created_at": component.created_at,
        "amount": open_amount(component.tenant_id, component.amount_sealed),
    }


EXAMPLE = {
    "id": 8,
    "employee": 42,
    "kind": "meal_vouchers",
    "label": "Meal vouchers",
    "amount": "8.00",
    "currency": "EUR",
    "recurring": True,
    "period": "month",
    "start_date": "2026-04-01",
    "end_date": None,
    "created_at": "2026-03-20T10:00:00Z",
}
CREATE_EXAMPLE = {
    "employee": 42,
    "kind": "bonus",
    "label": "Year-end bonus",
    "amount": "1500.00",
    "recurring": False,
    "start_date": "2026-12-15",
}
ENDED = "This pay component ended on 2026-06-30 and is part of the pay history."
IN_FORCE = (
    "This pay component started on 2026-04-01 and is part of the pay history; add a "
    "correcting component instead."
)


def _rows(actor: Actor) -> QuerySet[WageComponent]:
    return scoped_by_employee(actor, "people.view_salary", WageComponent.objects.for_actor(actor))


def _add(actor: Actor, tenant: Tenant, data: dict[str, Any]) -> WageComponent:
    employee = employee_in_body(actor, data.pop("employee"))
    return pay.add_wage_component(actor, employee, {**data, "amount": str(data["amount"])})


def _end(
    actor: Actor, component: WageComponent, data: dict[str, Any], *, precondition: Any
) -> WageComponent:
    return pay.end_wage_component(actor, component, data["end_date"], precondition=precondition)


def _audit(actor: Actor, components: list[Any]) -> None:
    """The components shown (or a database-written page's rows: their `employee_id`)."""
    audit_amounts_read(actor, [c.employee_id for c in components], "wage_components")


WAGE_COMPONENTS = Declaration(
    prefix="wage-components",
    singular="wage component",
    model=WageComponent,
    serializer=WageComponentSerializer,
    change_serializer=WageComponentEndSerializer,
    replace=False,
    columns={
        name: f"{name}_id" if name == "employee" else name
        for name in SELECTABLE
        if name != "amount"  # sealed: opened, its reading audited
    },
    sealed={"amount": Sealed("amount_sealed", open_amount)},
    opening_columns=("employee_id",),
    represent=represent,
    rows=_rows,
    about=(
        "Pay on top of the wage (meal vouchers, car, bonus). Reading needs scope wages:read "
        "and is audited once per request; writes need employees:write and wages:read."
    ),
    read="people.view_salary",
    write="people.edit",
    write_also="people.view_salary",
    audited=frozenset({"amount"}),
    audit_read=_audit,
    filters={
        "employee": django_filters.NumberFilter(field_name="employee_id"),
        "kind": django_filters.ChoiceFilter(choices=WageComponent.Kind.choices),
        "updated_since": django_filters.IsoDateTimeFilter(
            field_name="created_at", lookup_expr="gte"
        ),
    },
    orderings=("id", "start_date", "created_at"),
    create=_add,
    change=_end,
    remove=pay.delete_planned_wage_component,
    conflicts=(pay.WageInForceError,),
    events=("wage_component.created", "wage_component.updated", "wage_component.deleted"),
    example=EXAMPLE,
    create_example=CREATE_EXAMPLE,
    change_example=("End on", {"end_date": "2026-12-31"}),
    summaries={
        "create": "Add a wage component",
        "partial_update": "End a recurring wage component",
        "destroy": "Withdraw a planned wage component",
    },
    descriptions={
        "list": "Needs scope wages:read; the read is audited.",
        "retrieve": "Needs scope wages:read; the read is audited.",
        "create": "Needs scopes employees:write and wages:read.",
        "partial_update": "Needs scopes employees:write and wages:read. Only `end_date` can "
        "be changed (set, or a coming end moved); a one-off component ends on its start "
        "date (422), and one whose end has passed is pay history (409).",
        "destroy": "Needs scopes employees:write and wages:read. Only a component whose "
        "`start_date` is still to come; one that started is pay history (409).",
    },
    examples={
        "partial_update": (
            problem_example("Ended already", 409, ENDED, "/api/v1/wage-components/8/"),
        ),
    },
    conflict_example=IN_FORCE,
)
