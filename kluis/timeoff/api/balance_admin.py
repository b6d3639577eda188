"""HR's writes to one employee's balances, in the API (kluis/timeoff/services/balances.py):

- `/api/v1/balance-corrections/`: the ledger lines HR wrote by hand. A correction is
  never changed or deleted (another correction corrects it): list, read and create only.
- `/api/v1/holiday-certificates/`: a Belgian joiner's holiday certificate from a previous
  employer; creating one for an employee and year that has one replaces it (the year is
  granted again with it).
- `POST /api/v1/balances/<employee>/not-takeable/`: Dutch statutory leave that could not
  be taken keeps 5 years; answered with the correction line that records it.

Read with scope timeoff:read (`timeoff.view`: an employee their own, a manager their
team's, HR and API keys the company's); write with timeoff:write (`timeoff.manage`, HR
only). Every write is audited; a correction emits `balance.corrected`."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.access.actor import Actor
from kluis.api.declaration import Declaration
from kluis.api.idempotency import idempotent
from kluis.api.schema import problem_responses
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import linked
from kluis.api.views import ApiViewSet
from kluis.people.models import Employee
from kluis.people.permissions import scoped, scoped_by_employee
from kluis.tenancy.models import Tenant
from kluis.timeoff.api import examples
from kluis.timeoff.models import BalanceCorrection, HolidayCertificate, LeaveType
from kluis.timeoff.services import balances

READ = "timeoff.view"
MANAGE = "timeoff.manage"
AMOUNT: dict[str, Any] = {"max_digits": 8, "decimal_places": 2}


class CorrectionSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField()
    leave_type = serializers.IntegerField()
    hours = serializers.DecimalField(
        **AMOUNT, help_text="Signed: positive adds to the balance, negative takes from it"
    )
    effective = serializers.DateField()
    year = serializers.IntegerField(read_only=True)
    tranche = serializers.CharField(
        allow_blank=True, help_text='The part of the balance it belongs to ("2026-statutory")'
    )
    expires_on = serializers.DateField(read_only=True, allow_null=True)
    note = serializers.CharField(help_text="Why (kept in the audit log)")
    created_by = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class CorrectionCreateSerializer(StrictSerializer):
    employee = serializers.IntegerField(help_text="Employee id")
    leave_type = serializers.IntegerField(help_text="A leave type that keeps a balance")
    hours = serializers.DecimalField(**AMOUNT, required=False, help_text="Signed hours; or `days`")
    days = serializers.DecimalField(
        **AMOUNT,
        required=False,
        help_text="Signed days of the employee's schedule on `effective` (a type counted in days)",
    )
    effective = serializers.DateField(required=False, help_text="Default today")
    note = serializers.CharField(max_length=300, help_text="Why (kept in the audit log)")
    tranche = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="Default: added hours land in the effective year's own tranche",
    )


SHOWN: tuple[str, ...] = tuple(CorrectionSerializer().fields)
COLUMNS = {
    name: {
        "employee": "employee_id",
        "leave_type": "leave_type_id",
        "created_by": "actor_label",
    }.get(name, name)
    for name in SHOWN
}


def represent(row: Any) -> dict[str, Any]:
    data = {name: getattr(row, column) for name, column in COLUMNS.items()}
    data["hours"] = f"{row.hours:.2f}"  # as a page written by the database shows it
    return data


def _corrections(actor: Actor) -> QuerySet[BalanceCorrection]:
    return scoped_by_employee(actor, READ, BalanceCorrection.objects.for_actor(actor))


def _correct(actor: Actor, tenant: Tenant, data: dict[str, Any]) -> Any:
    employee, leave_type = data.pop("employee"), data.pop("leave_type")
    return balances.correct_balance(actor, employee, leave_type, data)


BALANCE_CORRECTIONS = Declaration(
    prefix="balance-corrections",
    singular="balance correction",
    model=BalanceCorrection,
    serializer=CorrectionSerializer,
    create_serializer=CorrectionCreateSerializer,
    columns=COLUMNS,
    represent=represent,
    rows=_corrections,
    about=(
        "The balance lines HR wrote by hand: corrections, and Dutch statutory leave marked "
        "as not takeable. Never changed or deleted: a wrong correction is corrected by "
        "another. Read with scope timeoff:read; create with timeoff:write (HR)."
    ),
    read=READ,
    write=MANAGE,
    filters={
        "employee": django_filters.NumberFilter(field_name="employee_id"),
        "leave_type": django_filters.NumberFilter(field_name="leave_type_id"),
        "from": django_filters.DateFilter(field_name="effective", lookup_expr="gte"),
        "to": django_filters.DateFilter(field_name="effective", lookup_expr="lte"),
        "updated_since": django_filters.IsoDateTimeFilter(
            field_name="created_at", lookup_expr="gte"
        ),
    },
    orderings=("id", "effective", "created_at"),
    links={"employee": Employee, "leave_type": LeaveType},
    create=_correct,
    events=("balance.corrected",),
    example=examples.BALANCE_CORRECTION,
    create_example={
        "employee": 42,
        "leave_type": 3,
        "days": "2",
        "effective": "2026-03-01",
        "note": "Two days agreed at hiring",
    },
    summaries={"create": "Correct a balance"},
    descriptions={
        "create": "Needs scope timeoff:write (HR). `hours`, or `days` for a type counted in "
        "days; a `note` saying why. Refused (422) inside a locked month."
    },
    fields_example="id,employee,hours",
)


class YearFilter(django_filters.NumberFilter):
    """A year: a whole number (`?year=2025.5` is a 400, not a filter matching nothing)."""

    field_class = forms.IntegerField


class CertificateSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(help_text="Employee id")
    year = serializers.IntegerField(help_text="The year of service the certificate covers")
    days = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="0 to 20 days")
    employer = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="The previous employer"
    )
    created_at = serializers.DateTimeField(read_only=True)


CERTIFICATE_FIELDS: tuple[str, ...] = tuple(CertificateSerializer().fields)
CERTIFICATE_COLUMNS = {
    name: "employee_id" if name == "employee" else name for name in CERTIFICATE_FIELDS
}


def represent_certificate(row: HolidayCertificate) -> dict[str, Any]:
    data = {name: getattr(row, column) for name, column in CERTIFICATE_COLUMNS.items()}
    data["days"] = f"{row.days:.2f}"
    return data


def _certificates(actor: Actor) -> QuerySet[HolidayCertificate]:
    return scoped_by_employee(actor, READ, HolidayCertificate.objects.for_actor(actor))


def _record(actor: Actor, tenant: Tenant, data: dict[str, Any]) -> HolidayCertificate:
    return balances.record_certificate(
        actor, data["employee"], data["year"], data["days"], data.get("employer", "")
    )


HOLIDAY_CERTIFICATES = Declaration(
    prefix="holiday-certificates",
    singular="holiday certificate",
    model=HolidayCertificate,
    serializer=CertificateSerializer,
    columns=CERTIFICATE_COLUMNS,
    represent=represent_certificate,
    rows=_certificates,
    about=(
        "Belgian joiners' holiday certificates (vakantieattest) from a previous employer: "
        "the legal holiday days that employer's service gives for a year. Read with scope "
        "timeoff:read; record with timeoff:write (HR)."
    ),
    read=READ,
    write=MANAGE,
    filters={
        "employee": django_filters.NumberFilter(field_name="employee_id"),
        "year": YearFilter(field_name="year"),
    },
    orderings=("id", "year"),
    links={"employee": Employee},
    create=_record,
    example=examples.HOLIDAY_CERTIFICATE,
    create_example={"employee": 42, "year": 2025, "days": "12", "employer": "Vorige BV"},
    summaries={"create": "Record a holiday certificate"},
    descriptions={
        "create": "Needs scope timeoff:write (HR). One certificate per employee and year: "
        "recording another for the same year replaces it. The employee's legal holiday of "
        "the next year is granted again with it."
    },
    fields_example="id,employee,year,days",
)


class NotTakeableSerializer(StrictSerializer):
    leave_type = serializers.IntegerField(help_text="The Dutch statutory leave type")
    tranche = serializers.RegexField(
        r"^\d{4}-statutory$", help_text='The statutory tranche of a year, "2025-statutory"'
    )
    reason = serializers.CharField(max_length=300, help_text="Why it could not be taken")


class NotTakeableViewSet(ApiViewSet):
    """Dutch statutory leave that could not reasonably be taken keeps 5 years."""

    required_permissions: ClassVar[dict[str, str]] = {"POST": MANAGE}
    query_parameters: ClassVar[dict[str, set[str]]] = {"create": set()}

    def employees(self) -> QuerySet[Employee]:
        # The employees HR reaches (a write-only key too, as for a correction); self.actor:
        # a compiled lookup builds this for a company standing in for the client's.
        return scoped(self.actor, MANAGE, Employee.objects.all())

    @extend_schema(
        summary="Mark statutory leave as not takeable",
        description="Dutch statutory leave the employee could not reasonably take (long "
        "illness, the employer refused) keeps 5 years after its year (BW 7:640a) instead of "
        "expiring on 1 July of the next year; what already expired of it comes back. "
        "Answered with the balance correction that records it (201). Needs scope "
        "timeoff:write (HR); 422 for a tranche that is not statutory or that the balance "
        "lacks.",
        request=NotTakeableSerializer,
        responses={
            201: CorrectionSerializer,
            **problem_responses(400, 401, 403, 404, 422, 429),
        },
        examples=[
            OpenApiExample(
                "Statutory days of 2025 that illness kept from being taken",
                value={
                    "leave_type": 5,
                    "tranche": "2025-statutory",
                    "reason": "Sick from March to December 2025",
                },
                request_only=True,
            ),
            OpenApiExample(
                "The correction that records it",
                value=examples.BALANCE_CORRECTION
                | {
                    "hours": "0.00",
                    "tranche": "2025-statutory",
                    "expires_on": "2030-12-31",
                    "note": "not takeable: Sick from March to December 2025",
                },
                response_only=True,
            ),
        ],
    )
    @idempotent
    def create(self, request: Request, employee_pk: Any) -> Response:
        employee = self.row(self.employees, employee_pk, "No such employee")
        body = NotTakeableSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        leave_type = linked(LeaveType, employee.tenant_id, data["leave_type"], "leave_type")
        assert leave_type is not None  # the field is required
        entry = balances.mark_not_takeable(
            self.actor, employee, leave_type, data["tranche"], data["reason"]
        )
        response = Response(represent(entry), status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/balance-corrections/{entry.pk}/"
        return response
