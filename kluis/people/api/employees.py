"""`/api/v1/employees/`: list, create, read and change employees. Thin: reads go through
the selectors (scoped to the client's company and scopes), writes through the services.

A field whose permission the client's scopes lack is absent from the response, not null.
There is no DELETE: people leave by status `left`."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.api.concurrency import etag_for, expected_version
from kluis.api.exceptions import QueryParameterError
from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.idempotency import idempotent
from kluis.api.pagination import KluisCursorPagination
from kluis.api.rowjson import with_values
from kluis.api.schema import problem_responses
from kluis.api.serializers import StrictSerializer
from kluis.api.views import ApiViewSet
from kluis.people import selectors, services
from kluis.people.api.employee_rows import (
    ALWAYS,
    PageFields,
    page_fields,
    text_rows_of,
    writable_by_database,
)
from kluis.people.fields import EMPLOYEE_FIELDS
from kluis.people.models import (
    ContractType,
    CustomFieldDefinition,
    Employee,
    EmployeeStatus,
    Gender,
    WagePeriod,
)
from kluis.people.permissions import scoped
from kluis.people.services.custom_fields import possible_keys

SELECTABLE = {*ALWAYS, *EMPLOYEE_FIELDS, "wage", "custom_fields"}
OPENED = {"wage", *(name for name, spec in EMPLOYEE_FIELDS.items() if spec.sealed)}
EDITABLE = [name for name, spec in EMPLOYEE_FIELDS.items() if spec.editable]


def _scope_note(field: str) -> str:
    group = EMPLOYEE_FIELDS[field].group
    return {
        "personal": "Only with scope personal:read.",
        "identity": "Only with scope identity:read; reading it is audited.",
        "bank": "Only with scope identity:read; reading it is audited.",
        "salary": "Only with scope wages:read.",
    }.get(group, "")


class AddressSerializer(StrictSerializer):
    street = serializers.CharField(required=False, allow_blank=True, max_length=120)
    number = serializers.CharField(required=False, allow_blank=True, max_length=120)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=120)
    city = serializers.CharField(required=False, allow_blank=True, max_length=120)
    country = serializers.CharField(
        required=False, allow_blank=True, max_length=2, help_text="ISO 3166-1 alpha-2"
    )


class WageSerializer(StrictSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Gross")
    currency = serializers.CharField(help_text="ISO 4217")
    period = serializers.ChoiceField(choices=WagePeriod.choices)
    effective_from = serializers.DateField()


# The JSON a custom field's value takes, by its type: the same rule as for the built-in
# fields (rest/serializers.py), so "yes" for a boolean or 5 for a text is a 422, not a
# guess. A number comes back as a decimal string; a JSON number is taken too.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
_Kind = CustomFieldDefinition.FieldType


def custom_value_type_error(kind: str | None, value: Any) -> str | None:
    if value is None or kind is None:
        return None  # null clears; an unknown key is the service's error
    if kind == _Kind.BOOLEAN:
        return None if isinstance(value, bool) else "Give true or false."
    if kind == _Kind.NUMBER:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return None
        if isinstance(value, str) and _DECIMAL.fullmatch(value):
            return None
        return 'Give a number, e.g. 42 or "42.5".'
    if kind == _Kind.DATE:
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            return None
        return "Give a date as YYYY-MM-DD."
    return None if isinstance(value, str) else "Give a text."


class CustomFieldsField(serializers.DictField):
    """`{"key": value}`; each value of the JSON type its definition's type takes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.JSONField(allow_null=True), **kwargs)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values: dict[str, Any] = super().to_internal_value(data)
        tenant = self.context.get("tenant")
        if tenant is None or not values:
            return values
        kinds = dict(
            CustomFieldDefinition.objects.for_tenant(tenant)
            .filter(key__in=possible_keys(values))
            .values_list("key", "field_type")
        )
        errors = {
            key: [message]
            for key, value in values.items()
            if (message := custom_value_type_error(kinds.get(key), value))
        }
        if errors:
            raise serializers.ValidationError(errors)
        return values


def _custom_fields_field() -> serializers.DictField:
    return CustomFieldsField(
        required=False,
        help_text="Values of the company's custom fields (/api/v1/custom-fields/), by key: "
        'text, number (read as a decimal string such as "42.5"; a JSON number is taken too), '
        "date (YYYY-MM-DD), choice (one of its choices) or boolean (true/false). Another JSON "
        "type is a 422. On a change only the keys sent change; null clears one.",
    )


class EmployeeSerializer(StrictSerializer):
    """An employee as the API returns it. Which fields are present depends on the scopes."""

    id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(
        read_only=True, required=False, help_text="Increases with every change; send it back."
    )
    created_at = serializers.DateTimeField(read_only=True, required=False)
    updated_at = serializers.DateTimeField(read_only=True, required=False)
    employee_number = serializers.CharField(required=False)
    status = serializers.ChoiceField(choices=EmployeeStatus.choices, required=False)
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    preferred_name = serializers.CharField(required=False, allow_blank=True)
    work_email = serializers.EmailField(required=False, allow_blank=True)
    work_phone = serializers.CharField(required=False, allow_blank=True, help_text="E.164")
    job_title = serializers.CharField(required=False, allow_blank=True)
    department = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, allow_null=True)
    manager = serializers.IntegerField(required=False, allow_null=True, help_text="Employee id")
    private_email = serializers.EmailField(
        required=False, allow_blank=True, help_text=_scope_note("private_email")
    )
    private_phone = serializers.CharField(
        required=False, allow_blank=True, help_text=_scope_note("private_phone")
    )
    birth_date = serializers.DateField(
        required=False, allow_null=True, help_text=_scope_note("birth_date")
    )
    nationality = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2. " + _scope_note("nationality"),
    )
    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, allow_blank=True, help_text=_scope_note("gender")
    )
    address = AddressSerializer(required=False, help_text=_scope_note("address"))
    national_id = serializers.CharField(
        required=False, allow_blank=True, help_text=_scope_note("national_id")
    )
    iban = serializers.CharField(required=False, allow_blank=True, help_text=_scope_note("iban"))
    wage = WageSerializer(
        required=False,
        allow_null=True,
        help_text="The wage in force today (null: none). Only with scope wages:read; "
        "reading it is audited.",
    )
    custom_fields = _custom_fields_field()


class EmploymentWriteSerializer(StrictSerializer):
    contract_type = serializers.ChoiceField(choices=ContractType.choices, required=False)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    hours_per_week = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, coerce_to_string=False
    )
    job_title = serializers.CharField(max_length=150)
    cost_centre = serializers.CharField(required=False, allow_blank=True, max_length=30)
    department = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, allow_null=True)
    manager = serializers.IntegerField(required=False, allow_null=True)


def _write_field(name: str) -> serializers.Field:
    if name == "address":
        return AddressSerializer(required=False)
    if name == "birth_date":
        return serializers.DateField(required=False, allow_null=True)
    return serializers.CharField(required=False, allow_blank=True, max_length=254)


class EmployeeUpdateSerializer(StrictSerializer):
    """Fields to change; absent fields stay as they are. Job data changes with a contract."""

    version = serializers.IntegerField(
        required=False, help_text="The version you read; alternative to If-Match."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name in EDITABLE:
            fields[name] = _write_field(name)
        fields["custom_fields"] = _custom_fields_field()
        return fields


class EmployeeCreateSerializer(EmployeeUpdateSerializer):
    """A new employee and their first contract."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields.pop("version")
        fields["first_name"] = serializers.CharField(max_length=100)
        fields["last_name"] = serializers.CharField(max_length=100)
        fields["employment"] = EmploymentWriteSerializer()
        return fields


class EmployeeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=EmployeeStatus.choices)
    team = django_filters.NumberFilter(field_name="team_id")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Employee
        fields: ClassVar[list[str]] = []


FIELDS_PARAMETER = OpenApiParameter(
    "fields",
    OpenApiTypes.STR,
    description="Comma-separated fields to return (id is always returned), e.g. "
    "`first_name,last_name,status`.",
)

EMPLOYEE_EXAMPLE = {
    "id": 42,
    "version": 3,
    "created_at": "2026-01-05T09:00:00Z",
    "updated_at": "2026-03-01T14:12:00Z",
    "employee_number": "00042",
    "status": "active",
    "first_name": "Anna",
    "last_name": "Peeters",
    "preferred_name": "",
    "work_email": "anna.peeters@example.com",
    "work_phone": "+3225550101",
    "job_title": "Payroll officer",
    "department": 2,
    "team": 5,
    "manager": 7,
    "custom_fields": {"shirt_size": "M"},
}
CREATE_EXAMPLE = {
    "first_name": "Anna",
    "last_name": "Peeters",
    "work_email": "anna.peeters@example.com",
    "employment": {"start_date": "2026-04-01", "job_title": "Payroll officer"},
}


@extend_schema_view(
    list=extend_schema(
        summary="List employees",
        parameters=[FIELDS_PARAMETER],
        responses={200: EmployeeSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of employees", value=EMPLOYEE_EXAMPLE)],
    ),
    retrieve=extend_schema(
        summary="Read one employee",
        parameters=[FIELDS_PARAMETER],
        responses={200: EmployeeSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("An employee", value=EMPLOYEE_EXAMPLE)],
    ),
    create=extend_schema(
        summary="Hire an employee",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Retry safely: the same key and body within 24 h returns the "
                "first response instead of hiring twice.",
            )
        ],
        request=EmployeeCreateSerializer,
        responses={201: EmployeeSerializer, **problem_responses(400, 401, 403, 409, 415, 422, 429)},
        examples=[
            OpenApiExample("A new hire", value=CREATE_EXAMPLE, request_only=True),
            OpenApiExample("The hired employee", value=EMPLOYEE_EXAMPLE, response_only=True),
        ],
    ),
    partial_update=extend_schema(
        summary="Change an employee",
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description='The ETag you read, e.g. W/"42-3"; 412 when it is stale.',
            )
        ],
        request=EmployeeUpdateSerializer,
        responses={
            200: EmployeeSerializer,
            **problem_responses(400, 401, 403, 404, 412, 415, 422, 429),
        },
        examples=[
            OpenApiExample(
                "Change the work phone",
                value={"work_phone": "+3225550199", "version": 3},
                request_only=True,
            ),
            OpenApiExample("The changed employee", value=EMPLOYEE_EXAMPLE, response_only=True),
        ],
    ),
)
class EmployeeViewSet(ApiViewSet):
    serializer_class = EmployeeSerializer
    filterset_class = EmployeeFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = [
        "id",
        "last_name",
        "first_name",
        "employee_number",
        "created_at",
        "updated_at",
    ]
    ordering = ["id"]
    required_permissions: ClassVar[dict[str, str]] = {
        "GET": "people.view",
        "POST": "people.edit",
        "PATCH": "people.edit",
    }
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "status", "team", "updated_since"},
        "retrieve": {"fields"},
        "create": set(),
        "partial_update": set(),
    }

    def get_queryset(self) -> QuerySet[Employee]:
        if getattr(self, "swagger_fake_view", False):
            return Employee.objects.none()
        # Linked job fields are given as ids: no department, team or manager rows to load,
        # and no company row per employee (the client's own is at hand).
        return scoped(self.actor, "people.view", Employee.objects.all())

    def _write_context(self) -> dict[str, Any]:
        return {"tenant": self.actor.tenant}

    def _only(self) -> set[str] | None:
        raw = self.request.query_params.get("fields")
        if raw is None:
            return None
        wanted = {f.strip() for f in raw.split(",") if f.strip()}
        unknown = sorted(wanted - SELECTABLE)
        if unknown or not wanted:
            raise QueryParameterError(
                {"fields": [f"Unknown field(s): {', '.join(unknown) or '(none given)'}."]}
            )
        return wanted | {"id"}

    def represent(self, employees: list[Employee]) -> list[dict[str, Any]]:
        only = self._only()
        rows = selectors.profiles(self.actor, employees, only=only)
        out = []
        for employee, values in zip(employees, rows, strict=True):
            row: dict[str, Any] = {
                name: getattr(employee, name) for name in ALWAYS if only is None or name in only
            }
            # The plain fields, custom fields, then what was opened (the wage, sealed
            # fields): the order of a page written by the database (`_text_list`).
            row.update((k, v) for k, v in values.items() if k not in OPENED)
            if only is None or "custom_fields" in only:
                row["custom_fields"] = dict(employee.custom_fields or {})
            row.update((k, v) for k, v in values.items() if k in OPENED)
            out.append(row)
        return out

    def _one(self, employee: Employee, code: int = status.HTTP_200_OK) -> Response:
        response = Response(self.represent([employee])[0], status=code)
        response["ETag"] = etag_for(employee)
        return response

    def _text_list(self, fields: PageFields) -> HttpResponse | None:
        """A page whose rows' JSON the database writes (the plain fields `page_fields`
        chose), the sealed values and the wage opened and added to each row's text (one
        audit event for the page); None where it cannot, and `represent` answers."""
        ordering = (self.request.query_params.get("ordering") or self.ordering[0]).lstrip("-")
        if ordering not in self.ordering_fields:
            return None  # the paginator answers the 400
        opening = fields.wage or bool(fields.sealed)
        extra = (
            (*selectors.OPENING_COLUMNS, *(f"{name}_sealed" for name in fields.sealed))
            if opening
            else ()
        )
        if not writable_by_database(fields.plain):
            return None

        def rows() -> QuerySet[Employee]:
            actor = self.actor  # (a stand-in's company while the query is compiled)
            assert actor.tenant is not None  # a page of a company's rows: `page_fields`
            computed = (
                {"wage": selectors.wage_in_force(actor.tenant, self.variable("today", "date"))}
                if fields.wage
                else None
            )
            found = text_rows_of(fields.plain, ordering, extra, computed)
            assert found is not None
            return scoped(actor, "people.view", found)

        page = self.page(
            rows,
            shape=(fields.plain, extra, fields.wage),
            variables={"today": timezone.localdate()} if fields.wage else None,
        )
        texts = [row["json"] for row in page]
        if opening:
            opened = selectors.opened_values(self.actor, page, fields.sealed, fields.wage)
            texts = [with_values(text, values) for text, values in zip(texts, opened, strict=True)]
        paginator = self.paginator
        assert isinstance(paginator, KluisCursorPagination)
        return paginator.get_text_paginated_response(texts)

    def list(self, request: Request) -> Response:
        fields = page_fields(self.actor, self._only())
        if fields is not None:
            text = self._text_list(fields)
            if text is not None:
                return text  # type: ignore[return-value]
        return self.get_paginated_response(self.represent(self.page()))

    def retrieve(self, request: Request, pk: int) -> Response:
        self._only()
        return self._one(self.row(self.get_queryset, pk, "No such employee"))

    @idempotent
    def create(self, request: Request) -> Response:
        serializer = EmployeeCreateSerializer(data=request.data, context=self._write_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        employment = dict(data.pop("employment"))
        data["employment"] = employment
        employee = services.hire_employee(self.actor, self.actor.tenant, data)  # type: ignore[arg-type]
        employee = selectors.employee_for(self.actor, employee.pk)
        response = self._one(employee, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/employees/{employee.pk}/"
        return response

    def partial_update(self, request: Request, pk: int) -> Response:
        employee = self.row(self.get_queryset, pk, "No such employee")
        serializer = EmployeeUpdateSerializer(
            data=request.data, partial=True, context=self._write_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = expected_version(request, employee, data.pop("version", None))
        changed = services.update_employee(self.actor, employee, data, expected_version=version)
        # The service's row, as it wrote it (locked, changed and saved in its transaction).
        return self._one(changed)
