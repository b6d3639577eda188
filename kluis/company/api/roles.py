"""`/api/v1/roles/`: the company's roles and what each grants, read only (scope
roles:read)."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from kluis.access.models import SCOPE_CHOICES, Role
from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.schema import problem_responses
from kluis.api.sparse import FIELDS_PARAMETER
from kluis.api.views import RowViewSet


class GrantSerializer(serializers.Serializer):
    permission = serializers.CharField(help_text="e.g. people.view")
    scope = serializers.ChoiceField(choices=SCOPE_CHOICES, help_text="How far it reaches")


class RoleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    builtin_key = serializers.CharField(
        allow_blank=True, help_text="owner, hr_admin, employee, ...; empty for a custom role"
    )
    grants = GrantSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


SELECTABLE = set(RoleSerializer().fields)


def represent(role: Role) -> dict[str, Any]:
    return {
        "id": role.pk,
        "name": role.name,
        "description": role.description,
        "builtin_key": role.builtin_key,
        "grants": [
            {"permission": grant.permission, "scope": grant.scope}
            for grant in role.permissions.all()
        ],
        "created_at": role.created_at,
        "updated_at": role.updated_at,
    }


class RoleFilter(django_filters.FilterSet):
    builtin_key = django_filters.CharFilter()
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Role
        fields: ClassVar[list[str]] = []


EXAMPLE = {
    "id": 4,
    "name": "HR admin",
    "description": "Manages the HR file",
    "builtin_key": "hr_admin",
    "grants": [{"permission": "people.view", "scope": "company"}],
    "created_at": "2026-01-05T09:00:00Z",
    "updated_at": "2026-01-05T09:00:00Z",
}


@extend_schema_view(
    list=extend_schema(
        summary="List roles",
        description="Needs scope roles:read.",
        parameters=[FIELDS_PARAMETER],
        responses={200: RoleSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of roles", value=EXAMPLE)],
    ),
    retrieve=extend_schema(
        summary="Read one role",
        parameters=[FIELDS_PARAMETER],
        responses={200: RoleSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("A role", value=EXAMPLE)],
    ),
)
class RoleViewSet(RowViewSet):
    selectable = SELECTABLE
    object_url_kwarg = "role_pk"
    not_found = "No such role"
    represent = staticmethod(represent)  # type: ignore[assignment]
    serializer_class = RoleSerializer
    filterset_class = RoleFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["id", "name", "updated_at"]
    ordering = ["id"]
    required_permissions: ClassVar[dict[str, str]] = {"GET": "access.view_roles"}
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "builtin_key", "updated_since"},
        "retrieve": {"fields"},
    }

    def get_queryset(self) -> QuerySet[Role]:
        if getattr(self, "swagger_fake_view", False):
            return Role.objects.none()
        return Role.objects.for_actor(self.actor).prefetch_related("permissions")
