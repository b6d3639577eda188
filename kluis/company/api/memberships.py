"""`/api/v1/memberships/`: who has access to the company and with which roles, read only
(scope roles:read)."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.schema import problem_responses
from kluis.api.sparse import FIELDS_PARAMETER
from kluis.api.views import RowViewSet
from kluis.tenancy.models import Membership


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(help_text="The login's email address")
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    job_title = serializers.CharField(allow_blank=True)
    manager = serializers.IntegerField(allow_null=True, help_text="Membership id")
    employee = serializers.IntegerField(allow_null=True, help_text="Employee id, if linked")
    roles = serializers.ListField(child=serializers.IntegerField(), help_text="Role ids")
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


SELECTABLE = set(MembershipSerializer().fields)


def represent(membership: Membership) -> dict[str, Any]:
    employee = getattr(membership, "employee", None)
    return {
        "id": membership.pk,
        "email": membership.user.email,
        "first_name": membership.user.first_name,
        "last_name": membership.user.last_name,
        "job_title": membership.job_title,
        "manager": membership.manager_id,
        "employee": employee.pk if employee is not None else None,
        "roles": sorted(a.role_id for a in membership.role_assignments.all()),
        "is_active": membership.is_active,
        "created_at": membership.created_at,
    }


class MembershipFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()
    role = django_filters.NumberFilter(field_name="role_assignments__role_id")

    class Meta:
        model = Membership
        fields: ClassVar[list[str]] = []


EXAMPLE = {
    "id": 12,
    "email": "anna.peeters@example.com",
    "first_name": "Anna",
    "last_name": "Peeters",
    "job_title": "Payroll officer",
    "manager": 3,
    "employee": 42,
    "roles": [4],
    "is_active": True,
    "created_at": "2026-01-05T09:00:00Z",
}


@extend_schema_view(
    list=extend_schema(
        summary="List memberships",
        description="Needs scope roles:read.",
        parameters=[FIELDS_PARAMETER],
        responses={200: MembershipSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of memberships", value=EXAMPLE)],
    ),
    retrieve=extend_schema(
        summary="Read one membership",
        parameters=[FIELDS_PARAMETER],
        responses={200: MembershipSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("A membership", value=EXAMPLE)],
    ),
)
class MembershipViewSet(RowViewSet):
    selectable = SELECTABLE
    object_url_kwarg = "membership_pk"
    not_found = "No such membership"
    represent = staticmethod(represent)  # type: ignore[assignment]
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["id", "created_at"]
    ordering = ["id"]
    required_permissions: ClassVar[dict[str, str]] = {"GET": "tenancy.view_members"}
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "is_active", "role"},
        "retrieve": {"fields"},
    }

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return (
            Membership.objects.for_actor(self.actor)
            .select_related("user", "employee")
            .prefetch_related("role_assignments")
            .distinct()
        )
