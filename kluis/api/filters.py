"""Filter and ordering backends that answer 400 for a bad query instead of ignoring it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django_filters import BooleanFilter, IsoDateTimeFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from kluis.api.exceptions import QueryParameterError
from kluis.operations.instants import parse_instant

# Query parameters that name a linked object by id: a whole number from 1 to the largest
# database id ("1.5" or an overflowing number is a 400, not a filter that matches nothing).
ID_FILTERS = frozenset({"employee", "team", "department", "parent", "role", "manager"})
MAX_ID = 2**63 - 1
WHOLE_NUMBER = re.compile(r"[1-9][0-9]{0,18}")


def bad_ids(request: Request, names: Iterable[str]) -> dict[str, list[str]]:
    errors = {}
    for name in names:
        value = request.query_params.get(name)
        if value is not None and not (WHOLE_NUMBER.fullmatch(value) and int(value) <= MAX_ID):
            errors[name] = ["Give an id: a whole number from 1."]
    return errors


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors = bad_ids(request, ID_FILTERS & set(filterset.filters))
        instants = {}
        for name, declared in filterset.filters.items():
            value = request.query_params.get(name)
            if isinstance(declared, BooleanFilter) and value not in (None, "true", "false"):
                errors[name] = ["Give true or false."]
            if isinstance(declared, IsoDateTimeFilter) and value is not None:
                # A time without its zone would be read in the server's: ambiguous.
                instants[name] = parse_instant(value)
                if instants[name] is None:
                    errors[name] = [
                        "Give a date and time with its zone, e.g. 2026-03-01T08:00:00Z "
                        "or 2026-03-01T09:00:00+01:00."
                    ]
        if errors:
            raise QueryParameterError(errors)
        if not filterset.is_valid():
            raise QueryParameterError(
                {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
            )
        # In UTC: the database may not take the offset the client wrote.
        filterset.form.cleaned_data.update(instants)
        return filterset.qs


class StrictOrderingFilter(OrderingFilter):
    def remove_invalid_fields(
        self, queryset: QuerySet[Any], fields: Iterable[str], view: Any, request: Request
    ) -> list[str]:
        fields = list(fields)
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len(fields) or len(fields) != 1:
            allowed = ", ".join(
                name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
            )
            raise QueryParameterError(
                {"ordering": [f"Order by one of: {allowed} (prefix - for descending)."]}
            )
        return valid
