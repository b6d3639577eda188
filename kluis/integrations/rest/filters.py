"""Filter and ordering backends that answer 400 for a bad query instead of ignoring it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from kluis.integrations.rest.exceptions import QueryParameterError


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise QueryParameterError(
                {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
            )
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
