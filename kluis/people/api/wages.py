"""`/api/v1/wages/`: effective-dated gross wages. Reading needs scope wages:read and is
audited: one `employee.sensitive_viewed` event per request naming the employees whose
amounts were opened. Creating (`pay.set_wage`) and deleting a planned wage
(`pay.delete_planned_wage`; one in force is history: 409) need employees:write and
wages:read. Amounts are decimal strings with an ISO 4217 currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import django_filters
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
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

from kluis.access.actor import Actor
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
from kluis.api.views import ApiViewSet, Sealed
from kluis.crypto import vault
from kluis.people import selectors
from kluis.people.fields import WAGE_PURPOSE
from kluis.people.models import Employee, Wage, WagePeriod
from kluis.people.permissions import scoped_by_employee
from kluis.people.services import pay


def audit_amounts_read(actor: Actor, employee_ids: list[int], field: str) -> None:
    """One audit event for the amounts opened in this request, naming the employees.
    Takes ids: a page of wages needs no employee rows loaded to say whose they were
    (one employee is named, as a read of one employee's values is)."""
    if not employee_ids or actor.tenant is None:
        return
    unique = sorted(set(employee_ids))
    names = dict.fromkeys(unique, "")
    if len(unique) == 1 and not actor.is_system:
        names[unique[0]] = Employee.objects.access_by_id(actor, unique[0]).display_name
    selectors.audit_opened(actor, actor.tenant, {field}, list(names.items()))


def employee_in_body(actor: Actor, pk: int) -> Employee:
    """An employee named in a request body: one the client sees, else a 422 field error."""
    employee = selectors.employees_for(actor, "people.view_salary").filter(pk=pk).first()
    if employee is None:
        raise ValidationError({"employee": ["Choose one from the list."]})
    return employee


class WageRecordSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(help_text="Employee id")
    effective_from = serializers.DateField()
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text='Gross, a decimal string: "3250.00"'
    )
    currency = serializers.CharField(required=False, help_text="ISO 4217, default EUR")
    period = serializers.ChoiceField(choices=WagePeriod.choices, required=False)
    created_at = serializers.DateTimeField(read_only=True)


SELECTABLE = set(WageRecordSerializer().fields)


def open_amount(tenant_id: int, token: str | None) -> str:
    """A wage's sealed amount as the API shows it: a decimal string."""
    amount = vault.unseal(tenant_id, WAGE_PURPOSE, token) or "0"
    return f"{Decimal(amount):.2f}"


def represent(wage: Wage) -> dict[str, Any]:
    # The sealed amount last, as on a list page written by the database.
    return {
        "id": wage.pk,
        "employee": wage.employee_id,
        "effective_from": wage.effective_from.isoformat(),
        "currency": wage.currency,
        "period": wage.period,
        "created_at": wage.created_at,
        "amount": open_amount(wage.tenant_id, wage.amount_sealed),
    }


def etag(wage: Wage) -> str:
    return content_etag(wage.pk, represent(wage))


class WageFilter(django_filters.FilterSet):
    employee = django_filters.NumberFilter(field_name="employee_id")
    updated_since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Wage
        fields: ClassVar[list[str]] = []


EXAMPLE = {
    "id": 31,
    "employee": 42,
    "effective_from": "2026-04-01",
    "amount": "3250.00",
    "currency": "EUR",
    "period": "month",
    "created_at": "2026-03-20T10:00:00Z",
}
CREATE_EXAMPLE = {"employee": 42, "effective_from": "2027-01-01", "amount": "3400.00"}
IN_FORCE = (
    "This wage is in force since 2026-04-01 and is part of the pay history; set a new wage "
    "from a later date instead."
)


@extend_schema_view(
    list=extend_schema(
        summary="List wages",
        description="Needs scope wages:read; the read is audited.",
        parameters=[FIELDS_PARAMETER],
        responses={200: WageRecordSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of wages", value=EXAMPLE)],
    ),
    retrieve=extend_schema(
        summary="Read one wage",
        description="Needs scope wages:read; the read is audited.",
        parameters=[FIELDS_PARAMETER],
        responses={200: WageRecordSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("A wage", value=EXAMPLE)],
    ),
    create=extend_schema(
        summary="Set a wage from a date on",
        description="Needs scopes employees:write and wages:read.",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=WageRecordSerializer,
        responses={
            201: WageRecordSerializer,
            **problem_responses(400, 401, 403, 409, 415, 422, 429),
        },
        examples=[
            OpenApiExample("A raise", value=CREATE_EXAMPLE, request_only=True),
            OpenApiExample("The new wage", value=EXAMPLE, response_only=True),
        ],
    ),
    destroy=extend_schema(
        summary="Withdraw a planned wage",
        description="Needs scopes employees:write and wages:read. Only a wage whose "
        "`effective_from` is still to come; one in force is pay history (409).",
        parameters=[IF_MATCH_PARAMETER],
        request=None,
        responses={
            204: OpenApiResponse(description="Deleted"),
            **problem_responses(400, 401, 403, 404, 409, 412, 429),
        },
        examples=[problem_example("Already in force", 409, IN_FORCE, "/api/v1/wages/31/")],
    ),
)
class WageViewSet(ApiViewSet):
    serializer_class = WageRecordSerializer
    filterset_class = WageFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["id", "effective_from", "created_at"]
    ordering = ["id"]
    required_permissions: ClassVar[dict[str, str]] = {
        "GET": "people.view_salary",
        "POST": "people.edit",
        "DELETE": "people.edit",
    }
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "employee", "updated_since"},
        "retrieve": {"fields"},
        "create": set(),
        "destroy": set(),
    }
    conflict_errors = (pay.WageInForceError,)
    columns: ClassVar[dict[str, str]] = {
        name: "employee_id" if name == "employee" else name for name in SELECTABLE - {"amount"}
    }
    sealed_columns: ClassVar[dict[str, Sealed]] = {"amount": Sealed("amount_sealed", open_amount)}
    opening_columns: ClassVar[tuple[str, ...]] = ("employee_id",)

    def get_queryset(self) -> QuerySet[Wage]:
        if getattr(self, "swagger_fake_view", False):
            return Wage.objects.none()
        return scoped_by_employee(
            self.actor, "people.view_salary", Wage.objects.for_actor(self.actor)
        ).select_related("employee__tenant")

    def _one(self, wage: Wage, code: int = status.HTTP_200_OK) -> Response:
        only = requested_fields(self.request, SELECTABLE)
        row = represent(wage)
        if only is None or "amount" in only:
            audit_amounts_read(self.actor, [wage.employee_id], "wages")
        response = Response(pick(row, only), status=code)
        response["ETag"] = content_etag(wage.pk, row)
        return response

    def opened(self, rows: list[dict[str, Any]], fields: list[str]) -> None:
        audit_amounts_read(self.actor, [row["employee_id"] for row in rows], "wages")

    def list(self, request: Request) -> Response:
        only = requested_fields(request, SELECTABLE)
        text = self.text_page(only)
        if text is not None:
            return text  # type: ignore[return-value]
        # The rows alone: no employee (nor its company) loaded per wage.
        page = self.page(lambda: self.get_queryset().select_related(None))
        if only is None or "amount" in only:
            audit_amounts_read(self.actor, [w.employee_id for w in page], "wages")
        return self.get_paginated_response([pick(represent(w), only) for w in page])

    def retrieve(self, request: Request, wage_pk: int) -> Response:
        wage = self.get_queryset().filter(pk=wage_pk).first()
        if wage is None:
            raise Http404("No such wage")
        return self._one(wage)

    @idempotent
    def create(self, request: Request) -> Response:
        if not can(self.actor, "people.view_salary"):
            raise PermissionDenied("Setting a wage needs scope wages:read as well.")
        serializer = WageRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        employee = employee_in_body(self.actor, data.pop("employee"))
        wage = pay.set_wage(self.actor, employee, data)
        wage = Wage.objects.select_related("employee__tenant").get(pk=wage.pk)
        response = self._one(wage, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/wages/{wage.pk}/"
        return response

    def destroy(self, request: Request, wage_pk: int) -> Response:
        if not can(self.actor, "people.view_salary"):
            raise PermissionDenied("Deleting a wage needs scope wages:read as well.")
        wage = self.get_queryset().filter(pk=wage_pk).first()
        if wage is None:
            raise Http404("No such wage")
        stale = if_match(request, etag)
        try:
            pay.delete_planned_wage(self.actor, wage, precondition=stale)
        except ObjectDoesNotExist:  # deleted by someone else in between
            raise Http404("No such wage") from None
        return Response(status=status.HTTP_204_NO_CONTENT)
