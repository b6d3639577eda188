"""`/api/v1/employments/`: contracts. List and read (scope employees:read), add a contract
(`contracts.add_employment`) and end one with a PATCH of `end_date`
(`contracts.end_employment`), both with employees:write. Contracts of employees the
client cannot see do not exist for it (404)."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.idempotency import idempotent
from kluis.api.schema import problem_responses
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import (
    FIELDS_PARAMETER,
    IDEMPOTENCY_PARAMETER,
    check_if_match,
    content_etag,
    pick,
    requested_fields,
)
from kluis.api.views import ApiViewSet
from kluis.people import selectors
from kluis.people.api.employees import EmploymentWriteSerializer
from kluis.people.models import ContractType, Employee, Employment
from kluis.people.permissions import scoped_by_employee
from kluis.people.services import contracts


class EmploymentSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(help_text="Employee id")
    contract_type = serializers.ChoiceField(choices=ContractType.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True, help_text="null: open-ended")
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


class EmploymentEndSerializer(StrictSerializer):
    end_date = serializers.DateField(help_text="The last day of the contract")


SELECTABLE = set(EmploymentSerializer().fields)


def represent(contract: Employment) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "employee": contract.employee_id,
        "contract_type": contract.contract_type,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat() if contract.end_date else None,
        "hours_per_week": f"{contract.hours_per_week:.2f}",
        "job_title": contract.job_title,
        "cost_centre": contract.cost_centre,
        "department": contract.department_id,
        "team": contract.team_id,
        "manager": contract.manager_id,
        "created_at": contract.created_at,
    }


class EmploymentFilter(django_filters.FilterSet):
    employee = django_filters.NumberFilter(field_name="employee_id")
    contract_type = django_filters.ChoiceFilter(choices=ContractType.choices)
    created_since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Employment
        fields: ClassVar[list[str]] = []


EXAMPLE = {
    "id": 12,
    "employee": 42,
    "contract_type": "permanent",
    "start_date": "2026-04-01",
    "end_date": None,
    "hours_per_week": "38.00",
    "job_title": "Payroll officer",
    "cost_centre": "",
    "department": 2,
    "team": 5,
    "manager": 7,
    "created_at": "2026-03-20T10:00:00Z",
}
CREATE_EXAMPLE = {"employee": 42, "start_date": "2027-01-01", "job_title": "Payroll lead"}


@extend_schema_view(
    list=extend_schema(
        summary="List contracts",
        parameters=[FIELDS_PARAMETER],
        responses={200: EmploymentSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of contracts", value=EXAMPLE)],
    ),
    retrieve=extend_schema(
        summary="Read one contract",
        parameters=[FIELDS_PARAMETER],
        responses={200: EmploymentSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("A contract", value=EXAMPLE)],
    ),
    create=extend_schema(
        summary="Add a contract",
        description="Contract periods of one employee may not overlap (422 on start_date).",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=EmploymentCreateSerializer,
        responses={
            201: EmploymentSerializer,
            **problem_responses(400, 401, 403, 409, 415, 422, 429),
        },
        examples=[
            OpenApiExample("A new contract", value=CREATE_EXAMPLE, request_only=True),
            OpenApiExample("The added contract", value=EXAMPLE, response_only=True),
        ],
    ),
    partial_update=extend_schema(
        summary="End a contract",
        description="Only `end_date` can be changed; other changes are a new contract.",
        request=EmploymentEndSerializer,
        responses={
            200: EmploymentSerializer,
            **problem_responses(400, 401, 403, 404, 412, 415, 422, 429),
        },
        examples=[
            OpenApiExample("End on", value={"end_date": "2026-12-31"}, request_only=True),
            OpenApiExample(
                "The ended contract",
                value={**EXAMPLE, "end_date": "2026-12-31"},
                response_only=True,
            ),
        ],
    ),
)
class EmploymentViewSet(ApiViewSet):
    serializer_class = EmploymentSerializer
    columns: ClassVar[dict[str, str]] = {
        **{name: name for name in SELECTABLE},
        **{name: f"{name}_id" for name in ("employee", "department", "team", "manager")},
    }
    filterset_class = EmploymentFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["id", "start_date", "created_at"]
    ordering = ["id"]
    required_permissions: ClassVar[dict[str, str]] = {
        "GET": "people.view",
        "POST": "people.edit",
        "PATCH": "people.edit",
    }
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {
            "cursor",
            "page_size",
            "ordering",
            "fields",
            "employee",
            "contract_type",
            "created_since",
        },
        "retrieve": {"fields"},
        "create": set(),
        "partial_update": set(),
    }

    def get_queryset(self) -> QuerySet[Employment]:
        if getattr(self, "swagger_fake_view", False):
            return Employment.objects.none()
        return scoped_by_employee(
            self.actor, "people.view", Employment.objects.for_actor(self.actor)
        ).select_related("employee__tenant")

    def _get(self, pk: Any) -> Employment:
        contract = self.get_queryset().filter(pk=pk).first()
        if contract is None:
            raise Http404("No such contract")
        return contract

    def _one(self, contract: Employment, code: int = status.HTTP_200_OK) -> Response:
        row = represent(contract)
        response = Response(pick(row, requested_fields(self.request, SELECTABLE)), status=code)
        response["ETag"] = content_etag(contract.pk, row)
        return response

    def list(self, request: Request) -> Response:
        only = requested_fields(request, SELECTABLE)
        text = self.text_page(only)
        if text is not None:
            return text  # type: ignore[return-value]
        # The rows alone: `represent` gives the employee's id, no employee row is loaded.
        page = self.page(lambda: self.get_queryset().select_related(None))
        return self.get_paginated_response([pick(represent(c), only) for c in page])

    def retrieve(self, request: Request, employment_pk: int) -> Response:
        return self._one(self._get(employment_pk))

    @idempotent
    def create(self, request: Request) -> Response:
        serializer = EmploymentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        employee: Employee | None = (
            selectors.employees_for(self.actor).filter(pk=data.pop("employee")).first()
        )
        if employee is None:
            raise ValidationError({"employee": ["Choose one from the list."]})
        contract = contracts.add_employment(self.actor, employee, data)
        response = self._one(self._get(contract.pk), status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/employments/{contract.pk}/"
        return response

    def partial_update(self, request: Request, employment_pk: int) -> Response:
        contract = self._get(employment_pk)
        check_if_match(request, content_etag(contract.pk, represent(contract)))
        serializer = EmploymentEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contracts.end_employment(self.actor, contract, serializer.validated_data["end_date"])
        return self._one(self._get(employment_pk))
