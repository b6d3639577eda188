"""`POST /api/v1/memberships/<id>/roles/`: give a member a role (an app token of someone
with `access.manage_roles`; no API scope grants it, so never an API client). Granting
Owner, HR admin or Auditor may be held for a second person's approval (the two-person
rule): then the answer is 202 Accepted with the request's URL in `Location`."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.access.models import Role
from kluis.api.schema import problem_responses
from kluis.api.serializers import StrictSerializer
from kluis.api.views import ApiViewSet, check_step_up
from kluis.company.api.memberships import EXAMPLE, MembershipSerializer, represent
from kluis.company.services.roles import grant_role
from kluis.tenancy.models import Membership


class RoleGrantSerializer(StrictSerializer):
    role = serializers.IntegerField(help_text="Role id (/api/v1/roles/)")


class RoleGrantViewSet(ApiViewSet):
    # Seeing the member is needed to name them; granting needs access.manage_roles,
    # checked by the service after the member is found (another company's: 404).
    required_permissions: ClassVar[dict[str, str]] = {"POST": "tenancy.view_members"}
    query_parameters: ClassVar[dict[str, set[str]]] = {"create": set()}

    def members(self) -> QuerySet[Membership]:
        return Membership.objects.for_actor(self.actor).select_related("user", "tenant")

    @extend_schema(
        summary="Give a member a role",
        description="Needs `access.manage_roles` (an app token of an owner; no API scope "
        "grants it). Granting Owner, HR admin or Auditor can need a second person's "
        "approval (the two-person rule): the answer is then 202 Accepted, with the "
        "waiting request in `Location` (/api/v1/approvals/<id>/), and nothing is granted "
        "until someone else approves it.",
        request=RoleGrantSerializer,
        responses={
            201: MembershipSerializer,
            202: dict,
            **problem_responses(400, 401, 403, 404, 422, 429),
        },
        examples=[
            OpenApiExample("Make someone an auditor", value={"role": 5}, request_only=True),
            OpenApiExample("The member", value=EXAMPLE, response_only=True),
        ],
    )
    def create(self, request: Request, membership_pk: Any) -> Response:
        member = self.row(self.members, membership_pk, "No such membership")
        check_step_up(request)  # granting roles is a step-up action, for an app too
        body = RoleGrantSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        role = Role.objects.for_actor(self.actor).filter(pk=body.validated_data["role"]).first()
        if role is None:
            raise ValidationError({"role": ["Choose one from the list."]})
        grant_role(self.actor, member, role)  # HeldForApproval: 202 (kluis/api/exceptions.py)
        fresh = self.members().prefetch_related("role_assignments").get(pk=member.pk)
        response = Response(represent(fresh), status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/memberships/{member.pk}/"
        return response
