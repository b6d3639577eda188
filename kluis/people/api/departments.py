"""`/api/v1/departments/`: list, read and create departments (scope employees:read to
read, employees:write to create through `organisation.create_department`)."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.integrations.rest.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.integrations.rest.idempotency import idempotent
from kluis.integrations.rest.schema import problem_responses
from kluis.integrations.rest.sparse import (
    FIELDS_PARAMETER,
    IDEMPOTENCY_PARAMETER,
    linked,
)
from kluis.integrations.rest.views import RowViewSet
from kluis.people.models import Department
from kluis.people.organisation import create_department


class DepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    code = serializers.CharField(required=False, allow_blank=True, max_length=30)
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, allow_null=True, help_text="Department id of the parent department"
    )


SELECTABLE = set(DepartmentSerializer().fields)


def represent(department: Department) -> dict[str, Any]:
    return {
        "id": department.pk,
        "name": department.name,
        "code": department.code,
        "parent": department.parent_id,
    }


class DepartmentFilter(django_filters.FilterSet):
    parent = django_filters.NumberFilter(field_name="parent_id")

    class Meta:
        model = Department
        fields: ClassVar[list[str]] = []


EXAMPLE = {"id": 2, "name": "Finance", "code": "FIN", "parent": None}
CREATE_EXAMPLE = {"name": "Finance", "code": "FIN"}


@extend_schema_view(
    list=extend_schema(
        summary="List departments",
        parameters=[FIELDS_PARAMETER],
        responses={200: DepartmentSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of departments", value=[EXAMPLE])],
    ),
    retrieve=extend_schema(
        summary="Read one department",
        parameters=[FIELDS_PARAMETER],
        responses={200: DepartmentSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("A department", value=EXAMPLE)],
    ),
    create=extend_schema(
        summary="Create a department",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=DepartmentSerializer,
        responses={
            201: DepartmentSerializer,
            **problem_responses(400, 401, 403, 409, 415, 422, 429),
        },
        examples=[
            OpenApiExample("A new department", value=CREATE_EXAMPLE, request_only=True),
            OpenApiExample("The created department", value=EXAMPLE, response_only=True),
        ],
    ),
)
class DepartmentViewSet(RowViewSet):
    selectable = SELECTABLE
    object_url_kwarg = "department_pk"
    not_found = "No such department"
    represent = staticmethod(represent)  # type: ignore[assignment]
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["id", "name", "code"]
    ordering = ["id"]
    required_permissions: ClassVar[dict[str, str]] = {"GET": "people.view", "POST": "people.edit"}
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "parent"},
        "retrieve": {"fields"},
        "create": set(),
    }

    def get_queryset(self) -> QuerySet[Department]:
        if getattr(self, "swagger_fake_view", False):
            return Department.objects.none()
        return Department.objects.filter(tenant=self.actor.tenant)

    @idempotent
    def create(self, request: Request) -> Response:
        serializer = DepartmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tenant = self.actor.tenant
        assert tenant is not None
        parent = linked(Department, tenant.pk, data.get("parent"), "parent")
        department = create_department(
            self.actor, tenant, name=data["name"], code=data.get("code", ""), parent=parent
        )
        response = self.one(department, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/departments/{department.pk}/"
        return response
