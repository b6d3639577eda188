"""`/api/v1/departments/`: list, read, create, change and delete departments (scope
employees:read to read, employees:write for the rest, through `organisation`'s
create/update/delete_department). A department still in use is not deleted (409)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
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
    IF_MATCH_PARAMETER,
    linked,
    problem_example,
)
from kluis.api.views import RowViewSet
from kluis.people.models import Department
from kluis.people.services.organisation import (
    StillInUseError,
    create_department,
    delete_department,
    update_department,
)


class DepartmentSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    code = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        default=None,
        help_text="Department id of the parent department",
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
IN_USE = (
    "The department is still in use: 4 employees, 6 contracts, 1 team. Move them to another "
    "department first; a department named in past contracts stays, as part of their history."
)


@extend_schema_view(
    list=extend_schema(
        summary="List departments",
        parameters=[FIELDS_PARAMETER],
        responses={200: DepartmentSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of departments", value=EXAMPLE)],
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
    partial_update=extend_schema(
        summary="Change a department",
        description="Send only the fields to change. A department cannot move under itself "
        "or one of its own sub-departments (422 on parent).",
        parameters=[IF_MATCH_PARAMETER],
        request=DepartmentSerializer,
        responses={
            200: DepartmentSerializer,
            **problem_responses(400, 401, 403, 404, 412, 415, 422, 429),
        },
        examples=[
            OpenApiExample("Move under another", value={"parent": 1}, request_only=True),
            OpenApiExample(
                "The changed department", value={**EXAMPLE, "parent": 1}, response_only=True
            ),
        ],
    ),
    update=extend_schema(
        summary="Replace a department",
        description="The body of a POST; `code` and `parent` left out become empty.",
        parameters=[IF_MATCH_PARAMETER],
        request=DepartmentSerializer,
        responses={
            200: DepartmentSerializer,
            **problem_responses(400, 401, 403, 404, 412, 415, 422, 429),
        },
        examples=[
            OpenApiExample(
                "Rename, without a code",
                value={"name": "Finance & Control", "parent": None},
                request_only=True,
            ),
            OpenApiExample(
                "The replaced department",
                value={**EXAMPLE, "name": "Finance & Control", "code": ""},
                response_only=True,
            ),
        ],
    ),
    destroy=extend_schema(
        summary="Delete a department",
        description="Only a department that no employee, contract (also a past one), team "
        "or sub-department names; otherwise 409 saying what still does.",
        parameters=[IF_MATCH_PARAMETER],
        request=None,
        responses={
            204: OpenApiResponse(description="Deleted"),
            **problem_responses(400, 401, 403, 404, 409, 412, 429),
        },
        examples=[problem_example("Still in use", 409, IN_USE, "/api/v1/departments/2/")],
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
    required_permissions: ClassVar[dict[str, str]] = {
        "GET": "people.view",
        "POST": "people.edit",
        "PATCH": "people.edit",
        "PUT": "people.edit",
        "DELETE": "people.edit",
    }
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "parent"},
        "retrieve": {"fields"},
        "create": set(),
        "partial_update": set(),
        "update": set(),
        "destroy": set(),
    }
    conflict_errors = (StillInUseError,)

    def get_queryset(self) -> QuerySet[Department]:
        if getattr(self, "swagger_fake_view", False):
            return Department.objects.none()
        return Department.objects.for_actor(self.actor)

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

    def change(
        self,
        row: Department,
        data: dict[str, Any],
        precondition: Callable[[Department], None],
    ) -> Department:
        if "parent" in data:
            data["parent"] = linked(Department, row.tenant_id, data["parent"], "parent")
        return update_department(self.actor, row, data, precondition=precondition)

    def remove(self, row: Department, precondition: Callable[[Department], None]) -> None:
        delete_department(self.actor, row, precondition=precondition)
