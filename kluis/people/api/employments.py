"""`/api/v1/employments/`: contracts, a declared resource (kluis/api/declared.py). List and
read (scope employees:read), add a contract (`contracts.add_employment`) and change its
dates with a PATCH of `end_date` and/or `probation_end_date`
(`contracts.change_employment`, If-Match checked on the locked contract), both with
employees:write. Contracts of employees the client cannot see do not
exist for it (404)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from rest_framework import serializers

from kluis.access.actor import Actor
from kluis.api.declaration import Declaration
from kluis.api.serializers import StrictSerializer
from kluis.people import selectors
from kluis.people.api.employees import EmploymentWriteSerializer
from kluis.people.models import ContractType, Employment
from kluis.people.permissions import scoped_by_employee
from kluis.people.services import contracts
from kluis.tenancy.models import Tenant


class EmploymentSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(help_text="Employee id")
    contract_type = serializers.ChoiceField(choices=ContractType.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True, help_text="null: open-ended")
    probation_end_date = serializers.DateField(
        allow_null=True, help_text="The last day of the probation period; null: none"
    )
    hours_per_week = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text='Decimal string, e.g. "38.00"'
    )
    job_title = serializers.CharField()
    cost_centre = serializers.CharField(allow_blank=True)
    department = serializers.IntegerField(allow_null=True)
    team = serializers.IntegerField(allow_null=True)
    manager = serializers.IntegerField(allow_null=True, help_text="Employee id")
    created_at = serializers.DateTimeField(read_only=True)


class EmploymentCreateSerializer(EmploymentWriteSerializer):
    employee = serializers.IntegerField(help_text="Employee id")


class EmploymentChangeSerializer(StrictSerializer):
    end_date = serializers.DateField(required=False, help_text="The last day of the contract")
    probation_end_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The last day of the probation period (null: none); on or after the "
        "contract's start, not after its end",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(
                {"end_date": ["Send end_date, probation_end_date or both."]}
            )
        return attrs


SELECTABLE = set(EmploymentSerializer().fields)


def represent(contract: Employment) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "employee": contract.employee_id,
        "contract_type": contract.contract_type,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat() if contract.end_date else None,
        "probation_end_date": (
            contract.probation_end_date.isoformat() if contract.probation_end_date else None
        ),
        "hours_per_week": f"{contract.hours_per_week:.2f}",
        "job_title": contract.job_title,
        "cost_centre": contract.cost_centre,
        "department": contract.department_id,
        "team": contract.team_id,
        "manager": contract.manager_id,
        "created_at": contract.created_at,
    }


EXAMPLE = {
    "id": 12,
    "employee": 42,
    "contract_type": "permanent",
    "start_date": "2026-04-01",
    "end_date": None,
    "probation_end_date": "2026-09-30",
    "hours_per_week": "38.00",
    "job_title": "Payroll officer",
    "cost_centre": "",
    "department": 2,
    "team": 5,
    "manager": 7,
    "created_at": "2026-03-20T10:00:00Z",
}
# A former employee comes back (the harness creates it in the demo company).
CREATE_EXAMPLE = {"employee": 43, "start_date": "2027-01-01", "job_title": "Payroll lead"}


def _rows(actor: Actor) -> QuerySet[Employment]:
    return scoped_by_employee(actor, "people.view", Employment.objects.for_actor(actor))


def _add(actor: Actor, tenant: Tenant, data: dict[str, Any]) -> Employment:
    employee = selectors.employees_for(actor).filter(pk=data.pop("employee")).first()
    if employee is None:
        raise ValidationError({"employee": ["Choose one from the list."]})
    return contracts.add_employment(actor, employee, data)


def _change(
    actor: Actor, contract: Employment, data: dict[str, Any], *, precondition: Any
) -> Employment:
    return contracts.change_employment(actor, contract, data, precondition=precondition)


EMPLOYMENTS = Declaration(
    prefix="employments",
    singular="contract",
    plural="contracts",
    about="The contracts of the company's employees: type, dates, hours and job.",
    lookup_name="employment_pk",
    model=Employment,
    serializer=EmploymentSerializer,
    create_serializer=EmploymentCreateSerializer,
    change_serializer=EmploymentChangeSerializer,
    replace=False,
    columns={
        **{name: name for name in SELECTABLE},
        **{name: f"{name}_id" for name in ("employee", "department", "team", "manager")},
    },
    represent=represent,
    rows=_rows,
    read="people.view",
    write="people.edit",
    filters={
        "employee": django_filters.NumberFilter(field_name="employee_id"),
        "contract_type": django_filters.ChoiceFilter(choices=ContractType.choices),
        "created_since": django_filters.IsoDateTimeFilter(
            field_name="created_at", lookup_expr="gte"
        ),
    },
    orderings=("id", "start_date", "created_at"),
    create=_add,
    change=_change,
    events=("employment.created", "employment.ended", "employment.updated", "employee.left"),
    example=EXAMPLE,
    create_example=CREATE_EXAMPLE,
    change_example=("End on", {"end_date": "2026-12-31"}),
    summaries={
        "create": "Add a contract",
        "partial_update": "End a contract or change its probation",
    },
    descriptions={
        "create": "Contract periods of one employee may not overlap (422 on start_date). "
        "`probation_end_date` lies on or after `start_date` and not after `end_date` (422).",
        "partial_update": "Only `end_date` (set or moved, never cleared) and "
        "`probation_end_date` (null clears it) can be changed; other changes are a new "
        "contract. The end of probation stays within the contract (422).",
    },
)
