"""Filter and ordering backends that answer 400 for a bad query instead of ignoring it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_filters import (
    BooleanFilter,
    CharFilter,
    ChoiceFilter,
    DateFilter,
    Filter,
    FilterSet,
    IsoDateTimeFilter,
    NumberFilter,
)
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from kluis.api.compiled import NotCompilable, Slots
from kluis.api.exceptions import QueryParameterError
from kluis.operations.instants import parse_instant

# Query parameters that name a linked object by id: a whole number from 1 to the largest
# database id ("1.5" or an overflowing number is a 400, not a filter that matches nothing).
ID_FILTERS = frozenset(
    {"employee", "team", "department", "parent", "role", "manager", "leave_type"}
)
MAX_ID = 2**63 - 1
WHOLE_NUMBER = re.compile(r"[1-9][0-9]{0,18}")


def bad_ids(request: Request, names: Iterable[str]) -> dict[str, list[str]]:
    errors = {}
    for name in names:
        value = request.query_params.get(name)
        if value is not None and not (WHOLE_NUMBER.fullmatch(value) and int(value) <= MAX_ID):
            errors[name] = ["Give an id: a whole number from 1."]
    return errors


# How each kind of declared filter's value takes a slot in a compiled query
# (kluis/api/compiled.py); a filter of another class (or with a method) is not compiled.
_SLOT_KINDS: dict[type[Filter], str] = {
    NumberFilter: "decimal",
    CharFilter: "text",
    ChoiceFilter: "text",
    IsoDateTimeFilter: "datetime",
    DateFilter: "date",
}


@dataclass(frozen=True)
class ChosenFilters:
    """The filters a list request asked for, validated: what to apply to the rows with
    each value in a slot (`apply`), the values, and what they add to the query's shape."""

    filters: tuple[tuple[str, Filter], ...]
    values: dict[str, Any]
    shape: tuple[Any, ...]

    def apply(self, queryset: QuerySet[Any], slots: Slots) -> QuerySet[Any]:
        for name, declared in self.filters:
            if isinstance(declared, _Fixed):
                queryset = declared.filter(queryset, None)
                continue
            kind = _SLOT_KINDS.get(type(declared))
            if kind is None or declared.method is not None:
                raise NotCompilable(name)
            queryset = declared.filter(queryset, slots(f"filter:{name}", kind))
        return queryset

    def apply_values(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The filters applied with the request's values (a shape not compiled)."""
        for name, declared in self.filters:
            queryset = declared.filter(queryset, self.values.get(name))
        return queryset

    def slot_values(self) -> dict[str, Any]:
        return {f"filter:{name}": value for name, value in self.values.items()}


def declared_filters(filterset_class: type[FilterSet]) -> dict[str, Filter]:
    """The filters of a filter set class, bound to its model once per process: a filter
    is a pure description (its form field made once too), so a request validates and
    applies only the filters it names, instead of copying every filter and form field
    into a filter set and a form of its own."""
    found = _declared.get(filterset_class)
    if found is None:
        model = filterset_class._meta.model
        found = dict(filterset_class(data=None, queryset=model._default_manager.none()).filters)
        for declared in found.values():
            declared.field  # noqa: B018 (made once, here, not by two requests at once)
        _declared[filterset_class] = found
    return found


_declared: dict[type[FilterSet], dict[str, Filter]] = {}


class StrictFilterBackend(DjangoFilterBackend):
    """The view's declared filters (`filterset_class`), their values checked as the filter
    set's form would check them, and more strictly (ids, booleans, instants with a zone):
    a bad value is a 400 naming the parameter, never a filter that is ignored."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        return self.chosen(request, view).apply_values(queryset)

    def chosen(self, request: Request, view: Any) -> ChosenFilters:
        """The filters this list request asked for, validated, ready to be compiled."""
        filterset_class = getattr(view, "filterset_class", None)
        params = request.query_params
        if filterset_class is None or not (filterset_class.base_filters.keys() & params.keys()):
            return ChosenFilters((), {}, ())  # nothing asked: nothing to validate or apply
        declared = declared_filters(filterset_class)
        asked = [name for name in declared if name in params]
        # A number filter on a link's column (`..._id`) names an object by id, whatever
        # the parameter is called (`leave_type`, `employee`, ...).
        ids = ID_FILTERS.intersection(asked) | {
            name
            for name in asked
            if isinstance(declared[name], NumberFilter)
            and str(declared[name].field_name).endswith("_id")
        }
        errors = bad_ids(request, ids)
        instants: dict[str, Any] = {}
        for name in asked:
            sent = params.get(name)
            if isinstance(declared[name], BooleanFilter) and sent not in ("true", "false"):
                errors[name] = ["Give true or false."]
            if isinstance(declared[name], IsoDateTimeFilter):
                # A time without its zone would be read in the server's: ambiguous.
                instants[name] = parse_instant(sent or "")
                if instants[name] is None:
                    errors[name] = [
                        "Give a date and time with its zone, e.g. 2026-03-01T08:00:00Z "
                        "or 2026-03-01T09:00:00+01:00."
                    ]
        if errors:
            raise QueryParameterError(errors)
        filters: list[tuple[str, Filter]] = []
        shape: list[Any] = []
        values = {}
        for name in asked:
            field = declared[name].field
            try:
                value = field.clean(field.widget.value_from_datadict(params, {}, name))
            except ValidationError as error:
                errors[name] = [str(message) for message in error.messages]
                continue
            if name in instants:
                value = instants[name]  # in UTC: the database may not take the offset sent
            if isinstance(declared[name], BooleanFilter):
                # Two values: part of the shape, not a slot.
                shape.append((name, value))
                filters.append((name, _Fixed(declared[name], value)))
                continue
            shape.append(name)
            filters.append((name, declared[name]))
            values[name] = value
        if errors:
            raise QueryParameterError(errors)
        return ChosenFilters(tuple(filters), values, tuple(shape))


class _Fixed(Filter):
    """A filter applied with the value the shape already holds (a boolean)."""

    def __init__(self, declared: Filter, value: Any) -> None:
        super().__init__()
        self.declared, self.value = declared, value

    def filter(self, qs: Any, value: Any) -> Any:
        return self.declared.filter(qs, self.value)


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
