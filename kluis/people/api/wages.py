"""`/api/v1/wages/`: effective-dated gross wages, a declared resource
(kluis/api/declared.py). Reading needs scope wages:read and is audited: one
`employee.sensitive_viewed` event per request naming the employees whose amounts were
opened. Creating (`pay.set_wage`) and deleting a planned wage
(`pay.delete_planned_wage`; one in force is history: 409) need employees:write and
wages:read. Amounts are decimal strings with an ISO 4217 currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from rest_framework import serializers

from kluis.access.actor import Actor
from kluis.api.declaration import Declaration
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import (
    content_etag,
    problem_example,
)
from kluis.api.views import Sealed
from kluis.crypto import vault
from kluis.people import selectors
from kluis.people.fields import WAGE_PURPOSE
from kluis.people.models import Employee, Wage, WagePeriod
from kluis.people.permissions import scoped_by_employee
from kluis.people.services import pay
from kluis.tenancy.models import Tenant


def audit_amounts_read(actor: Actor, employee_ids: list[int], field: str) -> None:
    """One audit event for the amounts opened in this request, naming the employees.
    Takes ids: a page of wages needs no employee rows loaded to say whose they were
    (one employee is named, as a read of one employee's values is)."""
    if not employee_ids or actor.tenant is None:
        return
    unique = sorted(set(employee_ids))
    names = dict.fromkeys(unique, "")
    if len(unique) == 1 and not actor.is_system:
        names[unique[0]] = Employee.objects.access_by_id(actor, unique[0]).display_name
    selectors.audit_opened(actor, actor.tenant, {field}, list(names.items()))


def employee_in_body(actor: Actor, pk: int) -> Employee:
    """An employee named in a request body: one the client sees, else a 422 field error."""
    employee = selectors.employees_for(actor, "people.view_salary").filter(pk=pk).first()
    if employee is None:
        raise ValidationError({"employee": ["Choose one from the list."]})
    return employee


class WageRecordSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(help_text="Employee id")
    effective_from = serializers.DateField()
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text='Gross, a decimal string: "3250.00"'
    )
    currency = serializers.CharField(required=False, help_text="ISO 4217, default EUR")
    period = serializers.ChoiceField(choices=WagePeriod.choices, required=False)
    created_at = serializers.DateTimeField(read_only=True)


SELECTABLE = set(WageRecordSerializer().fields)


def open_amount(tenant_id: int, token: str | None) -> str:
    """A wage's sealed amount as the API shows it: a decimal string."""
    amount = vault.unseal(tenant_id, WAGE_PURPOSE, token) or "0"
    return f"{Decimal(amount):.2f}"


def represent(wage: Wage) -> dict[str, Any]:
    # The sealed amount last, as on a list page written by the database.
    return {
        "id": wage.pk,
        "employee": wage.employee_id,
        "effective_from": wage.effective_from.isoformat(),
        "currency": wage.currency,
        "period": wage.period,
        "created_at": wage.created_at,
        "amount": open_amount(wage.tenant_id, wage.amount_sealed),
    }


def etag(wage: Wage) -> str:
    return content_etag(wage.pk, represent(wage))


EXAMPLE = {
    "id": 31,
    "employee": 42,
    "effective_from": "2026-04-01",
    "amount": "3250.00",
    "currency": "EUR",
    "period": "month",
    "created_at": "2026-03-20T10:00:00Z",
}
CREATE_EXAMPLE = {"employee": 42, "effective_from": "2027-01-01", "amount": "3400.00"}
IN_FORCE = (
    "This wage is in force since 2026-04-01 and is part of the pay history; set a new wage "
    "from a later date instead."
)


def _rows(actor: Actor) -> QuerySet[Wage]:
    return scoped_by_employee(actor, "people.view_salary", Wage.objects.for_actor(actor))


def _add(actor: Actor, tenant: Tenant, data: dict[str, Any]) -> Wage:
    employee = employee_in_body(actor, data.pop("employee"))
    return pay.set_wage(actor, employee, data)


def _audit(actor: Actor, wages: list[Any]) -> None:
    """The wages shown (or a database-written page's rows: their `employee_id`)."""
    audit_amounts_read(actor, [wage.employee_id for wage in wages], "wages")


WAGES = Declaration(
    prefix="wages",
    singular="wage",
    model=Wage,
    serializer=WageRecordSerializer,
    columns={
        name: "employee_id" if name == "employee" else name
        for name in SELECTABLE
        if name != "amount"  # sealed: opened, its reading audited
    },
    sealed={"amount": Sealed("amount_sealed", open_amount)},
    opening_columns=("employee_id",),
    represent=represent,
    rows=_rows,
    about=(
        "Effective-dated gross wages. Reading needs scope wages:read and is audited once "
        "per request; writes need employees:write and wages:read."
    ),
    read="people.view_salary",
    write="people.edit",
    write_also="people.view_salary",
    audited=frozenset({"amount"}),
    audit_read=_audit,
    filters={
        "employee": django_filters.NumberFilter(field_name="employee_id"),
        "updated_since": django_filters.IsoDateTimeFilter(
            field_name="created_at", lookup_expr="gte"
        ),
    },
    orderings=("id", "effective_from", "created_at"),
    create=_add,
    remove=pay.delete_planned_wage,
    conflicts=(pay.WageInForceError,),
    events=("wage.created", "wage.deleted", "wage.changed"),
    example=EXAMPLE,
    create_example=CREATE_EXAMPLE,
    summaries={
        "create": "Set a wage from a date on",
        "destroy": "Withdraw a planned wage",
    },
    descriptions={
        "list": "Needs scope wages:read; the read is audited.",
        "retrieve": "Needs scope wages:read; the read is audited.",
        "create": "Needs scopes employees:write and wages:read.",
        "destroy": "Needs scopes employees:write and wages:read. Only a wage whose "
        "`effective_from` is still to come; one in force is pay history (409).",
    },
    examples={
        "destroy": (problem_example("Already in force", 409, IN_FORCE, "/api/v1/wages/31/"),),
    },
)
