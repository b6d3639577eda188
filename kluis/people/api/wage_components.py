"""`/api/v1/wage-components/`: pay on top of the wage (meal vouchers, car, bonus). Same
rules as wages: reading needs wages:read and is audited once per request; adding
(`contracts.add_wage_component`), ending a recurring one with a PATCH of `end_date`
(`contracts.end_wage_component`; one whose end has passed is history: 409) and
withdrawing one that has not started (`contracts.delete_planned_wage_component`; a
started one is history: 409) need employees:write and wages:read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import django_filters
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.access.authorization import can
from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.idempotency import idempotent
from kluis.api.schema import problem_responses
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import (
    FIELDS_PARAMETER,
    IDEMPOTENCY_PARAMETER,
    IF_MATCH_PARAMETER,
    content_etag,
    if_match,
    pick,
    problem_example,
    requested_fields,
)
from kluis.api.views import ApiViewSet
from kluis.crypto import vault
from kluis.people.api.wages import audit_amounts_read, employee_in_body
from kluis.people.fields import WAGE_COMPONENT_PURPOSE
from kluis.people.models import WageComponent, WagePeriod
from kluis.people.permissions import scoped_by_employee
from kluis.people.services import contracts


class WageComponentSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(help_text="Employee id")
    kind = serializers.ChoiceField(choices=WageComponent.Kind.choices)
    label = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, max_length=120
    )
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text='A decimal string: "8.00"'
    )
    currency = serializers.CharField(required=False, help_text="ISO 4217, default EUR")
    recurring = serializers.BooleanField(
        required=False, default=True, help_text="false: one-off (ends on its start date)"
    )
    period = serializers.ChoiceField(choices=WagePeriod.choices, required=False)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class WageComponentEndSerializer(StrictSerializer):
    end_date = serializers.DateField(help_text="The last day the component is paid")


SELECTABLE = set(WageComponentSerializer().fields)


def represent(component: WageComponent) -> dict[str, Any]:
    amount = vault.unseal(component.tenant_id, WAGE_COMPONENT_PURPOSE, component.amount_sealed)
    return {
        "id": component.pk,
        "employee": component.employee_id,
        "kind": component.kind,
        "label": component.label,
        "amount": f"{Decimal(amount or '0'):.2f}",
        "currency": component.currency,
        "recurring": component.recurring,
        "period": component.period,
        "start_date": component.start_date.isoformat(),
        "end_date": component.end_date.isoformat() if component.end_date else None,
        "created_at": component.created_at,
    }


def etag(component: WageComponent) -> str:
    return content_etag(component.pk, represent(component))


class WageComponentFilter(django_filters.FilterSet):
    employee = django_filters.NumberFilter(field_name="employee_id")
    kind = django_filters.ChoiceFilter(choices=WageComponent.Kind.choices)
    updated_since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = WageComponent
        fields: ClassVar[list[str]] = []


EXAMPLE = {
    "id": 8,
    "employee": 42,
    "kind": "meal_vouchers",
    "label": "Meal vouchers",
    "amount": "8.00",
    "currency": "EUR",
    "recurring": True,
    "period": "month",
    "start_date": "2026-04-01",
    "end_date": None,
    "created_at": "2026-03-20T10:00:00Z",
}
CREATE_EXAMPLE = {
    "employee": 42,
    "kind": "bonus",
    "label": "Year-end bonus",
    "amount": "1500.00",
    "recurring": False,
    "start_date": "2026-12-15",
}
ENDED = "This pay component ended on 2026-06-30 and is part of the pay history."
IN_FORCE = (
    "This pay component started on 2026-04-01 and is part of the pay history; add a "
    "correcting component instead."
)


@extend_schema_view(
    list=extend_schema(
        summary="List wage components",
        description="Needs scope wages:read; the read is audited.",
        parameters=[FIELDS_PARAMETER],
        responses={
            200: WageComponentSerializer(many=True),
            **problem_responses(400, 401, 403, 429),
        },
        examples=[OpenApiExample("A page of wage components", value=EXAMPLE)],
    ),
    retrieve=extend_schema(
        summary="Read one wage component",
        description="Needs scope wages:read; the read is audited.",
        parameters=[FIELDS_PARAMETER],
        responses={200: WageComponentSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("A wage component", value=EXAMPLE)],
    ),
    create=extend_schema(
        summary="Add a wage component",
        description="Needs scopes employees:write and wages:read.",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=WageComponentSerializer,
        responses={
            201: WageComponentSerializer,
            **problem_responses(400, 401, 403, 409, 415, 422, 429),
        },
        examples=[
            OpenApiExample("A one-off bonus", value=CREATE_EXAMPLE, request_only=True),
            OpenApiExample("The added component", value=EXAMPLE, response_only=True),
        ],
    ),
    partial_update=extend_schema(
        summary="End a recurring wage component",
        description="Needs scopes employees:write and wages:read. Only `end_date` can be "
        "changed (set, or a coming end moved); a one-off component ends on its start date "
        "(422), and one whose end has passed is pay history (409).",
        parameters=[IF_MATCH_PARAMETER],
        request=WageComponentEndSerializer,
        responses={
            200: WageComponentSerializer,
            **problem_responses(400, 401, 403, 404, 409, 412, 415, 422, 429),
        },
        examples=[
            OpenApiExample("End on", value={"end_date": "2026-12-31"}, request_only=True),
            OpenApiExample(
                "The ended component",
                value={**EXAMPLE, "end_date": "2026-12-31"},
                response_only=True,
            ),
            problem_example("Ended already", 409, ENDED, "/api/v1/wage-components/8/"),
        ],
    ),
    destroy=extend_schema(
        summary="Withdraw a planned wage component",
        description="Needs scopes employees:write and wages:read. Only a component whose "
        "`start_date` is still to come; one that started is pay history (409).",
        parameters=[IF_MATCH_PARAMETER],
        request=None,
        responses={
            204: OpenApiResponse(description="Deleted"),
            **problem_responses(400, 401, 403, 404, 409, 412, 429),
        },
        examples=[problem_example("Already started", 409, IN_FORCE, "/api/v1/wage-components/8/")],
    ),
)
class WageComponentViewSet(ApiViewSet):
    serializer_class = WageComponentSerializer
    filterset_class = WageComponentFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["id", "start_date", "created_at"]
    ordering = ["id"]
    required_permissions: ClassVar[dict[str, str]] = {
        "GET": "people.view_salary",
        "POST": "people.edit",
        "PATCH": "people.edit",
        "DELETE": "people.edit",
    }
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "employee", "kind", "updated_since"},
        "retrieve": {"fields"},
        "create": set(),
        "partial_update": set(),
        "destroy": set(),
    }
    conflict_errors = (contracts.WageInForceError,)

    def get_queryset(self) -> QuerySet[WageComponent]:
        if getattr(self, "swagger_fake_view", False):
            return WageComponent.objects.none()
        return scoped_by_employee(
            self.actor, "people.view_salary", WageComponent.objects.for_actor(self.actor)
        ).select_related("employee__tenant")

    def _get(self, pk: int) -> WageComponent:
        component = self.get_queryset().filter(pk=pk).first()
        if component is None:
            raise Http404("No such wage component")
        return component

    def _one(self, component: WageComponent, code: int = status.HTTP_200_OK) -> Response:
        only = requested_fields(self.request, SELECTABLE)
        row = represent(component)
        if only is None or "amount" in only:
            audit_amounts_read(self.actor, [component.employee_id], "wage_components")
        response = Response(pick(row, only), status=code)
        response["ETag"] = content_etag(component.pk, row)
        return response

    def list(self, request: Request) -> Response:
        only = requested_fields(request, SELECTABLE)
        # The rows alone: no employee (nor its company) loaded per component.
        page = self.page(lambda: self.get_queryset().select_related(None))
        if only is None or "amount" in only:
            audit_amounts_read(self.actor, [c.employee_id for c in page], "wage_components")
        return self.get_paginated_response([pick(represent(c), only) for c in page])

    def retrieve(self, request: Request, wage_component_pk: int) -> Response:
        return self._one(self._get(wage_component_pk))

    @idempotent
    def create(self, request: Request) -> Response:
        if not can(self.actor, "people.view_salary"):
            raise PermissionDenied("Adding pay needs scope wages:read as well.")
        serializer = WageComponentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        employee = employee_in_body(self.actor, data.pop("employee"))
        data["amount"] = str(data["amount"])
        component = contracts.add_wage_component(self.actor, employee, data)
        component = WageComponent.objects.select_related("employee__tenant").get(pk=component.pk)
        response = self._one(component, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/wage-components/{component.pk}/"
        return response

    def partial_update(self, request: Request, wage_component_pk: int) -> Response:
        if not can(self.actor, "people.view_salary"):
            raise PermissionDenied("Changing pay needs scope wages:read as well.")
        component = self._get(wage_component_pk)
        stale = if_match(request, etag)
        serializer = WageComponentEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        end_date = serializer.validated_data["end_date"]
        try:
            contracts.end_wage_component(self.actor, component, end_date, precondition=stale)
        except ObjectDoesNotExist:  # withdrawn by someone else in between
            raise Http404("No such wage component") from None
        return self._one(self.get_queryset().get(pk=component.pk))

    def destroy(self, request: Request, wage_component_pk: int) -> Response:
        if not can(self.actor, "people.view_salary"):
            raise PermissionDenied("Withdrawing pay needs scope wages:read as well.")
        component = self._get(wage_component_pk)
        stale = if_match(request, etag)
        try:
            contracts.delete_planned_wage_component(self.actor, component, precondition=stale)
        except ObjectDoesNotExist:  # deleted by someone else in between
            raise Http404("No such wage component") from None
        return Response(status=status.HTTP_204_NO_CONTENT)
