"""`/api/v1/closing-days/`: days the company is closed (never counted as leave), read
with scope timeoff:read (`timeoff.view_calendar`), added and removed with timeoff:write
(`timeoff.manage`); and `/api/v1/public-holidays/`: the public holidays of the company's
country and region with its closing days, computed (kluis/timeoff/calendar.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.api.declaration import Declaration
from kluis.api.exceptions import QueryParameterError
from kluis.api.schema import problem_responses
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import problem_example
from kluis.api.views import ApiViewSet
from kluis.timeoff import calendar, services
from kluis.timeoff.api import examples
from kluis.timeoff.models import ClosingDay

LONGEST = 3 * 366  # days a public-holidays range may span


class ClosingDaySerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField()
    name = serializers.CharField(max_length=100)


CLOSING_DAYS = Declaration(
    prefix="closing-days",
    singular="closing day",
    model=ClosingDay,
    serializer=ClosingDaySerializer,
    columns={"id": "id", "date": "date", "name": "name"},
    about=(
        "Days the company is closed: never counted as leave. Read with scope timeoff:read; "
        "add and remove with timeoff:write. Not inside a locked month; not on a day leave "
        "is already taken (422, saying how many requests fall on it)."
    ),
    read="timeoff.view_calendar",
    write="timeoff.manage",
    filters={
        "from": django_filters.DateFilter(field_name="date", lookup_expr="gte"),
        "to": django_filters.DateFilter(field_name="date", lookup_expr="lte"),
    },
    orderings=("date", "id"),
    create=services.add_closing_day,
    remove=services.remove_closing_day,  # If-Match checked on the row it locks
    events=("closing_day.created", "closing_day.deleted"),
    example=examples.CLOSING_DAY,
    create_example={"date": "2026-12-24", "name": "Christmas Eve"},
    examples={
        "destroy": (
            problem_example(
                "Changed since you read it",
                412,
                "The object changed since you read it; read it again.",
                "/api/v1/closing-days/4/",
            ),
        )
    },
    fields_example="id,date",
)


class HolidaySerializer(StrictSerializer):
    date = serializers.DateField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=["public", "closing"], help_text="A public holiday or a company closing day"
    )


class HolidayPageSerializer(StrictSerializer):
    next = serializers.CharField(allow_null=True, help_text="Always null: one page")
    previous = serializers.CharField(allow_null=True, help_text="Always null: one page")
    results = HolidaySerializer(many=True)


def _date(request: Request, name: str, default: dt.date) -> dt.date:
    text = request.query_params.get(name)
    if text is None:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise QueryParameterError({name: ["Give a date as YYYY-MM-DD."]}) from None


HOLIDAYS_EXAMPLE = {
    "next": None,
    "previous": None,
    "results": [
        {"date": "2026-12-24", "name": "Christmas Eve", "kind": "closing"},
        {"date": "2026-12-25", "name": "Kerstmis", "kind": "public"},
    ],
}


class PublicHolidayViewSet(ApiViewSet):
    """The days off of everyone in the company between two dates."""

    required_permissions: ClassVar[dict[str, str]] = {"GET": "timeoff.view_calendar"}
    query_parameters: ClassVar[dict[str, set[str]]] = {"index": {"from", "to"}}

    @extend_schema(
        summary="List public holidays and closing days",
        description="Every public holiday of the company's country (and region) and every "
        "closing day between `from` and `to` (inclusive; by default this calendar year, "
        "at most three years), oldest first, in one page. Scope timeoff:read.",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD)"),
        ],
        responses={200: HolidayPageSerializer, **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("Days off at the end of the year", value=HOLIDAYS_EXAMPLE)],
    )
    def index(self, request: Request) -> Response:
        today = dt.date.today()
        first = _date(request, "from", today.replace(month=1, day=1))
        last = _date(request, "to", today.replace(month=12, day=31))
        if last < first:
            raise QueryParameterError({"to": ["The last day cannot be before the first."]})
        if (last - first).days > LONGEST:
            raise QueryParameterError({"to": ["Ask for at most three years at once."]})
        tenant = self.actor.tenant
        assert tenant is not None
        public = calendar.public_holidays(tenant, first, last)
        closing = dict(
            ClosingDay.objects.for_tenant(tenant)
            .filter(date__gte=first, date__lte=last)
            .values_list("date", "name")
        )
        days: list[dict[str, Any]] = [
            {"date": day, "name": name, "kind": "public"} for day, name in public.items()
        ] + [
            {"date": day, "name": name, "kind": "closing"}
            for day, name in closing.items()
            if day not in public
        ]
        days.sort(key=lambda d: str(d["date"]))
        return Response({"next": None, "previous": None, "results": days})
