"""Querysets compiled once per shape, run with each request's values.

Building a list page's queryset (the company, the filters, the ordering, the cursor's
position, the page's slice) and compiling it to SQL cost more than running it: on a
20-row page about two thirds of the view's time. The SQL depends only on the request's
*shape* (which filters, which ordering, forward or back, the page size, the client's
scopes); the values (the company, the filter values, the position) are parameters.

So a resource's queryset is built and compiled once per shape with sentinel values in
place of the request's, the places ("slots") where each sentinel's parameter landed are
noted, and every request of that shape runs the same SQL with its own values in those
places, through Django's own iteration (model instances, select_related, prefetches,
converters, the query counters all as before). A sentinel is found by the parameter the
ORM made of it and a value is adapted by the same rule (`Slot.adapt`); a shape whose
sentinels cannot all be found (a lookup that rewrites its value, e.g. `icontains`) is
never compiled and takes the plain queryset path each time.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, QuerySet
from django.db.models.sql.query import Query
from django.utils.dateparse import parse_date, parse_datetime

from kluis.operations.sql import Converters, Statement, compiled, converted, fetch

# Plans kept per process (a plan is a pure function of the code and the shape).
MAX_PLANS = 2048
_MISSING = object()


@dataclass(frozen=True)
class Slot:
    """One variable of a compiled query: its sentinel and how a value becomes the
    parameter the ORM would have made of it."""

    name: str
    kind: str  # "int", "uint", "decimal", "text", "datetime", "date"
    index: int

    def sentinel(self) -> Any:
        base = 7_346_291 + self.index
        if self.kind == "int":
            return -base
        if self.kind == "uint":
            # Within every positive integer field's range: a value out of a field's range
            # makes the ORM drop the comparison (Django answers it without asking).
            return 30_011 + 7 * self.index
        if self.kind == "decimal":
            return decimal.Decimal(-base)
        if self.kind == "text":
            return f"\x00kluis-slot-{base}"
        if self.kind == "datetime":
            return dt.datetime(1001, 1, 1, 0, 0, 0, self.index + 1, tzinfo=dt.UTC)
        if self.kind == "date":
            return dt.date(1001, 1, 1) + dt.timedelta(days=self.index)
        raise ValueError(f"no sentinel for {self.kind}")

    def adapt(self, value: Any, db: BaseDatabaseWrapper) -> Any:
        if self.kind in ("int", "uint", "decimal"):
            return int(value)
        if self.kind == "text":
            return str(value)
        if self.kind == "datetime":
            # A cursor's position is the text of the value (`str(datetime)`).
            moment = parse_datetime(value) if isinstance(value, str) else value
            return db.ops.adapt_datetimefield_value(moment)
        if self.kind == "date":
            day = parse_date(value) if isinstance(value, str) else value
            return db.ops.adapt_datefield_value(day)
        raise ValueError(f"cannot adapt {self.kind}")


class Slots:
    """The slots of one shape, handed out while its queryset is built."""

    def __init__(self) -> None:
        self.taken: dict[str, Slot] = {}

    def __call__(self, name: str, kind: str) -> Any:
        """The sentinel standing for the request's value `name` of this kind."""
        slot = self.taken.get(name)
        if slot is None:
            slot = self.taken[name] = Slot(name, kind, len(self.taken))
        return slot.sentinel()


@dataclass(frozen=True)
class Plan:
    queryset: QuerySet[Any]  # as built with the sentinels (not to be run itself)
    query: Query
    sql: str
    params: tuple[Any, ...]
    # (parameter position, slot, the driver's type the value is wrapped in, if any)
    places: tuple[tuple[int, Slot, type | None], ...]
    state: dict[str, Any]  # the compiler's attributes after compiling
    # For rows that are tuples of plain values (no model instances, no prefetches): the
    # statement as the driver takes it, the converters of its columns and the names the
    # iterable gives them; such a plan is fetched by `kluis.operations.sql.fetch`.
    flat: tuple[Statement, Converters, tuple[str, ...]] | None = None


_plans: OrderedDict[Hashable, Plan | None] = OrderedDict()
_lock = threading.Lock()


class NotCompilable(Exception):
    """Raised while building a shape that cannot be compiled with sentinels."""


_INT_FIELDS = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "ForeignKey"}
_UINT_FIELDS = {"PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField"}
_TEXT_FIELDS = {"CharField", "TextField", "SlugField", "EmailField"}


def kind_of(field: Field[Any, Any]) -> str:
    """The slot kind for a value compared with `field` (NotCompilable for others)."""
    internal = field.get_internal_type()
    if internal in _INT_FIELDS:
        return "int"
    if internal in _UINT_FIELDS:
        return "uint"
    if internal in _TEXT_FIELDS:
        return "text"
    if internal == "DateTimeField":
        return "datetime"
    if internal == "DateField":
        return "date"
    raise NotCompilable(internal)


def _compile(build: Callable[[Slots], QuerySet[Any]], alias: str) -> Plan | None:
    slots = Slots()
    db = connections[alias]
    try:
        queryset = build(slots).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
    except (NotCompilable, EmptyResultSet, FullResultSet):
        return None
    places: list[tuple[int, Slot, type | None]] = []
    for slot in slots.taken.values():
        expected = slot.adapt(slot.sentinel(), db)
        found = [i for i, param in enumerate(params) if _same(param, expected)]
        if not found:
            return None  # the ORM rewrote the value (e.g. `%value%`): not compilable
        # The driver's own integer types (psycopg's Int8 for a big integer field) kept.
        places.extend(
            (i, slot, type(params[i]) if type(params[i]) is not type(expected) else None)
            for i in found
        )
    if len(places) != len({place[0] for place in places}):
        return None
    state = {
        key: value
        for key, value in compiler.__dict__.items()
        if key not in ("query", "connection", "using", "elide_empty")
    }
    # The converters of the selected columns are the same for every run: found once (the
    # ORM would look them up column by column on every iteration).
    columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
    converters = compiler.get_converters(columns)
    state["get_converters"] = lambda expressions: converters
    flat = None
    names = getattr(queryset._iterable_class, "names", None)
    if names and not queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
        flat = (compiled(sql, db), converters, tuple(names))
    return Plan(queryset, queryset.query, sql, tuple(params), tuple(places), state, flat)


def _same(param: Any, expected: Any) -> bool:
    if type(param) is type(expected):
        return bool(param == expected)
    # An int subclass of the driver's (psycopg's Int8) for the same number.
    return (
        type(expected) is int
        and isinstance(param, int)
        and not isinstance(param, bool)
        and param == expected
    )


def plan_for(
    key: Hashable, build: Callable[[Slots], QuerySet[Any]], alias: str = "default"
) -> Plan | None:
    """The compiled plan of one shape (made on its first request); None when the shape
    cannot be compiled."""
    key = (alias, connections[alias].vendor, key)
    plan = _plans.get(key, _MISSING)
    if plan is _MISSING:
        plan = _compile(build, alias)
        with _lock:
            _plans[key] = plan
            if len(_plans) > MAX_PLANS:
                _plans.popitem(last=False)
    return plan  # type: ignore[return-value]


def run(plan: Plan, values: dict[str, Any], alias: str = "default") -> list[Any]:
    """The rows of `plan` with the request's `values` in its slots."""
    db = connections[alias]
    params = list(plan.params)
    for position, slot, wrap in plan.places:
        value = slot.adapt(values[slot.name], db)
        params[position] = value if wrap is None else wrap(value)
    if plan.flat is not None:
        statement, converters, names = plan.flat
        rows = fetch(db, statement, params)
        if converters:
            rows = [converted(row, converters, db) for row in rows]
        return [dict(zip(names, row, strict=True)) for row in rows]
    query = copy.copy(plan.query)
    query.__class__ = _PrecompiledQuery
    query._kluis_compiled = (plan.sql, tuple(params), plan.state)  # type: ignore[attr-defined]
    queryset = plan.queryset._chain()  # type: ignore[attr-defined]
    queryset._query = query  # not the setter: it would reset a values_list's iterable class
    return list(queryset)


class _PrecompiledQuery(Query):
    """A query whose compiler gives the SQL and parameters it was handed, with the
    compiled state of the plan, instead of compiling again."""

    def get_compiler(self, using: Any = None, connection: Any = None, elide_empty: bool = True):
        compiler = super().get_compiler(using, connection, elide_empty)
        sql, params, state = self._kluis_compiled  # type: ignore[attr-defined]
        compiler.__dict__.update(state)
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        return compiler
