"""`/api/v1/teams/`: list, read and create teams (scope employees:read to read,
employees:write to create through `organisation.create_team`)."""

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
from kluis.people.models import Department, Team
from kluis.people.organisation import create_team


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    department = serializers.IntegerField(
        required=False, allow_null=True, help_text="Department id"
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


@extend_schema_view(
    list=extend_schema(
        summary="List teams",
        parameters=[FIELDS_PARAMETER],
        responses={200: TeamSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of teams", value=[EXAMPLE])],
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
    required_permissions: ClassVar[dict[str, str]] = {"GET": "people.view", "POST": "people.edit"}
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "department"},
        "retrieve": {"fields"},
        "create": set(),
    }

    def get_queryset(self) -> QuerySet[Team]:
        if getattr(self, "swagger_fake_view", False):
            return Team.objects.none()
        return Team.objects.filter(tenant=self.actor.tenant)

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
