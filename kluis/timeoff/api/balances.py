"""`/api/v1/balances/`: leave balances, one row per (employee, leave type) as of a day,
and `/api/v1/balances/<employee>/lines/`: the ledger lines behind them with the running
total. Read-only, scope timeoff:read (`timeoff.view`: an employee their own, a manager
their team's, HR and API keys the company's). Every amount is in hours, with `*_days`
beside it where the leave type counts days (days of the employee's own schedule). A page
holds the balances of `page_size` employees, read in a fixed number of queries
(kluis/timeoff/api/reads.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.api.exceptions import QueryParameterError
from kluis.api.filters import bad_ids
from kluis.api.schema import problem_responses
from kluis.api.serializers import StrictSerializer
from kluis.api.views import ApiViewSet
from kluis.people.models import Employee
from kluis.people.permissions import scoped
from kluis.timeoff import selectors
from kluis.timeoff.api.reads import balance_rows
from kluis.timeoff.models import LeaveType, Unit
from kluis.timeoff.selectors import BalanceRow

READ = "timeoff.view"
AMOUNTS = ("entitled", "taken", "planned", "pending", "remaining")


class BalanceExpirySerializer(StrictSerializer):
    date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    days = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)


class BalanceSerializer(StrictSerializer):
    id = serializers.CharField(help_text="<employee>-<leave type>")
    employee = serializers.IntegerField()
    leave_type = serializers.IntegerField()
    unit = serializers.ChoiceField(choices=Unit.choices)
    as_of = serializers.DateField()
    entitled = serializers.DecimalField(max_digits=8, decimal_places=2, help_text="Hours")
    taken = serializers.DecimalField(max_digits=8, decimal_places=2)
    planned = serializers.DecimalField(max_digits=8, decimal_places=2)
    pending = serializers.DecimalField(max_digits=8, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=8, decimal_places=2)
    expiring = BalanceExpirySerializer(many=True, help_text="Hours that expire soon, by date")
    entitled_days = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    taken_days = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    planned_days = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    pending_days = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    remaining_days = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)


class BalanceLineSerializer(StrictSerializer):
    id = serializers.IntegerField()
    leave_type = serializers.IntegerField()
    kind = serializers.CharField(help_text="grant, accrual, use, carry_over, expiry, ...")
    effective = serializers.DateField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    total = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text="The running total after this line"
    )
    expires_on = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


def shown(employee_id: int, row: BalanceRow, as_of: dt.date) -> dict[str, Any]:
    balance = row.balance
    amounts: dict[str, Decimal] = {
        "entitled": balance.entitled,
        "taken": balance.taken,
        "planned": balance.planned,
        "pending": row.pending,
        "remaining": balance.remaining,
    }
    data: dict[str, Any] = {
        "id": f"{employee_id}-{row.leave_type.pk}",
        "employee": employee_id,
        "leave_type": row.leave_type.pk,
        "unit": row.leave_type.unit,
        "as_of": as_of,
        **{name: f"{value:.2f}" for name, value in amounts.items()},
        "expiring": [
            {"date": day, "hours": f"{hours:.2f}"}
            | ({"days": f"{row.shown(hours):.2f}"} if row.in_days else {})
            for day, hours in balance.expiring
        ],
    }
    if row.in_days:
        data.update({f"{name}_days": f"{row.shown(v):.2f}" for name, v in amounts.items()})
    return data


EXAMPLE = {
    "id": "42-3",
    "employee": 42,
    "leave_type": 3,
    "unit": "days",
    "as_of": "2026-06-01",
    "entitled": "152.00",
    "taken": "38.00",
    "planned": "15.20",
    "pending": "7.60",
    "remaining": "98.80",
    "expiring": [{"date": "2026-12-31", "hours": "22.80", "days": "3.00"}],
    "entitled_days": "20.00",
    "taken_days": "5.00",
    "planned_days": "2.00",
    "pending_days": "1.00",
    "remaining_days": "13.00",
}
LINE_EXAMPLE = {
    "id": 501,
    "leave_type": 3,
    "kind": "grant",
    "effective": "2026-01-01",
    "hours": "152.00",
    "total": "152.00",
    "expires_on": None,
    "note": "",
}


def _id(request: Request, name: str) -> int | None:
    errors = bad_ids(request, [name])
    if errors:
        raise QueryParameterError(errors)
    value = request.query_params.get(name)
    return int(value) if value is not None else None


def _as_of(request: Request) -> dt.date:
    text = request.query_params.get("as_of")
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise QueryParameterError({"as_of": ["Give a date as YYYY-MM-DD."]}) from None


AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="The day (default today)")
EMPLOYEE = OpenApiParameter("employee", OpenApiTypes.INT, description="Employee id")
LEAVE_TYPE = OpenApiParameter("leave_type", OpenApiTypes.INT, description="Leave type id")


class BalanceViewSet(ApiViewSet):
    """Balances and their lines, for the employees the client may see leave of."""

    required_permissions: ClassVar[dict[str, str]] = {"GET": READ}
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "employee", "leave_type", "as_of"},
        "lines": {"leave_type", "as_of"},
    }
    ordering: ClassVar[list[str]] = ["id"]

    def employees(self) -> QuerySet[Employee]:
        return scoped(self.actor, READ, Employee.objects.all())

    @extend_schema(
        summary="List leave balances",
        description="One row per employee and counted leave type as of `as_of`: amounts in "
        "hours, and in days (`*_days`) where the type counts days. A page holds the "
        "balances of `page_size` employees. Scope timeoff:read.",
        parameters=[EMPLOYEE, LEAVE_TYPE, AS_OF],
        responses={200: BalanceSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of balances", value=EXAMPLE)],
    )
    def list(self, request: Request) -> Response:
        employee_id = _id(request, "employee")
        leave_type_id = _id(request, "leave_type")
        as_of = _as_of(request)
        people = self.employees()
        if employee_id is not None:
            people = people.filter(pk=employee_id)
        tenant = self.actor.tenant
        assert tenant is not None
        paginator = self.paginator
        assert paginator is not None
        page = paginator.paginate_queryset(people.only("pk"), request, self)
        assert page is not None
        ids = [person.pk for person in page]
        rows = balance_rows(tenant.pk, ids, as_of=as_of, leave_type_id=leave_type_id)
        return self.get_paginated_response(
            [shown(pk, row, as_of) for pk in ids for row in rows.get(pk, [])]
        )

    @extend_schema(
        summary="List an employee's balance lines",
        description="Every ledger line up to `as_of` (default: every line, planned leave "
        "included) with the running total per leave type: the balance explained line by "
        "line. `?leave_type=` for one type. Scope timeoff:read.",
        parameters=[LEAVE_TYPE, AS_OF],
        responses={
            200: BalanceLineSerializer(many=True),
            **problem_responses(400, 401, 403, 404, 429),
        },
        examples=[OpenApiExample("A balance's lines", value=LINE_EXAMPLE)],
    )
    def lines(self, request: Request, employee_pk: Any) -> Response:
        leave_type_id = _id(request, "leave_type")
        as_of = _as_of(request) if "as_of" in request.query_params else dt.date.max
        employee = self.row(self.employees, employee_pk, "No such employee")
        types = LeaveType.objects.for_tenant(employee.tenant_id)
        if leave_type_id is not None:
            types = types.filter(pk=leave_type_id)
        result = []
        for leave_type in types.order_by("position", "pk"):
            for line, total in selectors.ledger_lines(
                self.actor, employee, leave_type, as_of=as_of
            ):
                result.append(
                    {
                        "id": line.pk,
                        "leave_type": leave_type.pk,
                        "kind": line.kind,
                        "effective": line.effective,
                        "hours": f"{line.hours:.2f}",
                        "total": f"{total:.2f}",
                        "expires_on": line.expires_on,
                        "note": line.note,
                    }
                )
        if leave_type_id is not None and not types.exists():
            raise Http404("No such leave type")
        return Response({"next": None, "previous": None, "results": result})
