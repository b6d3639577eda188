"""`/api/v1/teams/`: list, read, create, change and delete teams (scope employees:read
to read, employees:write for the rest, through `organisation`'s create/update/
delete_team). A team still named by a contract or an employee is not deleted (409)."""

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
from kluis.people.models import Department, Team
from kluis.people.services.organisation import (
    StillInUseError,
    create_team,
    delete_team,
    update_team,
)


class TeamSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    department = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Department id"
    )


SELECTABLE = set(TeamSerializer().fields)


def represent(team: Team) -> dict[str, Any]:
    return {"id": team.pk, "name": team.name, "department": team.department_id}


class TeamFilter(django_filters.FilterSet):
    department = django_filters.NumberFilter(field_name="department_id")

    class Meta:
        model = Team
        fields: ClassVar[list[str]] = []


EXAMPLE = {"id": 5, "name": "Payroll", "department": 2}
CREATE_EXAMPLE = {"name": "Payroll", "department": 2}
IN_USE = (
    "The team is still in use: 3 employees, 5 contracts. Move them to another team first; "
    "a team named in past contracts stays, as part of their history."
)


@extend_schema_view(
    list=extend_schema(
        summary="List teams",
        parameters=[FIELDS_PARAMETER],
        responses={200: TeamSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of teams", value=EXAMPLE)],
    ),
    retrieve=extend_schema(
        summary="Read one team",
        parameters=[FIELDS_PARAMETER],
        responses={200: TeamSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("A team", value=EXAMPLE)],
    ),
    create=extend_schema(
        summary="Create a team",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=TeamSerializer,
        responses={201: TeamSerializer, **problem_responses(400, 401, 403, 409, 415, 422, 429)},
        examples=[
            OpenApiExample("A new team", value=CREATE_EXAMPLE, request_only=True),
            OpenApiExample("The created team", value=EXAMPLE, response_only=True),
        ],
    ),
    partial_update=extend_schema(
        summary="Change a team",
        description="Send only the fields to change.",
        parameters=[IF_MATCH_PARAMETER],
        request=TeamSerializer,
        responses={
            200: TeamSerializer,
            **problem_responses(400, 401, 403, 404, 412, 415, 422, 429),
        },
        examples=[
            OpenApiExample("Rename", value={"name": "Payroll & benefits"}, request_only=True),
            OpenApiExample(
                "The changed team",
                value={**EXAMPLE, "name": "Payroll & benefits"},
                response_only=True,
            ),
        ],
    ),
    update=extend_schema(
        summary="Replace a team",
        description="The body of a POST; a `department` left out becomes null.",
        parameters=[IF_MATCH_PARAMETER],
        request=TeamSerializer,
        responses={
            200: TeamSerializer,
            **problem_responses(400, 401, 403, 404, 412, 415, 422, 429),
        },
        examples=[
            OpenApiExample(
                "Move to department 3",
                value={**CREATE_EXAMPLE, "department": 3},
                request_only=True,
            ),
            OpenApiExample(
                "The replaced team", value={**EXAMPLE, "department": 3}, response_only=True
            ),
        ],
    ),
    destroy=extend_schema(
        summary="Delete a team",
        description="Only a team that no contract (also a past one) or employee names; "
        "otherwise 409 saying what still does.",
        parameters=[IF_MATCH_PARAMETER],
        request=None,
        responses={
            204: OpenApiResponse(description="Deleted"),
            **problem_responses(400, 401, 403, 404, 409, 412, 429),
        },
        examples=[problem_example("Still in use", 409, IN_USE, "/api/v1/teams/5/")],
    ),
)
class TeamViewSet(RowViewSet):
    selectable = SELECTABLE
    object_url_kwarg = "team_pk"
    not_found = "No such team"
    represent = staticmethod(represent)  # type: ignore[assignment]
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["id", "name"]
    ordering = ["id"]
    required_permissions: ClassVar[dict[str, str]] = {
        "GET": "people.view",
        "POST": "people.edit",
        "PATCH": "people.edit",
        "PUT": "people.edit",
        "DELETE": "people.edit",
    }
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "department"},
        "retrieve": {"fields"},
        "create": set(),
        "partial_update": set(),
        "update": set(),
        "destroy": set(),
    }
    conflict_errors = (StillInUseError,)

    def get_queryset(self) -> QuerySet[Team]:
        if getattr(self, "swagger_fake_view", False):
            return Team.objects.none()
        return Team.objects.for_actor(self.actor)

    @idempotent
    def create(self, request: Request) -> Response:
        serializer = TeamSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tenant = self.actor.tenant
        assert tenant is not None
        department = linked(Department, tenant.pk, data.get("department"), "department")
        team = create_team(self.actor, tenant, name=data["name"], department=department)
        response = self.one(team, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/teams/{team.pk}/"
        return response

    def change(self, row: Team, data: dict[str, Any], precondition: Callable[[Team], None]) -> Team:
        if "department" in data:
            data["department"] = linked(Department, row.tenant_id, data["department"], "department")
        return update_team(self.actor, row, data, precondition=precondition)

    def remove(self, row: Team, precondition: Callable[[Team], None]) -> None:
        delete_team(self.actor, row, precondition=precondition)
