"""Rows whose JSON object the database writes.

Building a dict per row in Python and encoding the page with `json.dumps` was the
larger part of a list page's cost once its query was compiled (kluis/api/compiled.py).
Where a resource's fields are columns the database can write as the API writes them, the
page selects each row as the text of its JSON object (SQLite's `json_object`,
PostgreSQL's `json_build_object`), with the resource's keys in its order, and the page
body is joined from those texts (`KluisCursorPagination.get_text_paginated_response`).
Values are the ones the serializer writes; spacing and escaping may differ, both valid
JSON for the same values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Func, TextField
from django.db.models.query import BaseIterable
from django.db.models.sql.compiler import SQLCompiler
from rest_framework.utils.encoders import JSONEncoder

_JSON_KEY = re.compile(r"[a-z_]+")
# Columns whose values the database writes into JSON as the API does: numbers and ids,
# text, dates (ISO 8601 on both). Datetimes and JSON columns have their own expressions;
# decimals are written as strings with their places (DecimalText), booleans as true and
# false (BooleanJson); anything else leaves the row to Python.
_AS_IS = (models.IntegerField, models.ForeignKey, models.CharField, models.TextField)


class UtcIsoText(Func):
    """A datetime column as the API writes it, e.g. "2026-01-05T09:00:00.123456Z" (the
    microseconds left out when they are 0, as `datetime.isoformat` does), made by the
    database. SQLite stores UTC datetimes as that text with a space for the T;
    PostgreSQL formats its timestamp in UTC."""

    template = "%(expressions)s"
    output_field = TextField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        template = "(REPLACE(%(expressions)s, ' ', 'T') || 'Z')"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        utc = "(%(expressions)s AT TIME ZONE 'UTC')"
        template = (
            f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            f" || CASE WHEN to_char({utc}, 'US') = '000000' THEN ''"
            f" ELSE to_char({utc}, '.US') END || 'Z')"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


class DecimalText(Func):
    """A decimal column as the API writes it: a string with the field's decimal places
    ("38.00"), null for none. SQLite keeps the number (38 or 38.5); PostgreSQL's numeric
    of that scale is written with its places already."""

    output_field = TextField()

    def __init__(self, column: str, places: int) -> None:
        super().__init__(models.F(column))
        self.places = int(places)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        template = (
            "(CASE WHEN %(expressions)s IS NULL THEN NULL"
            # `%%%%`: a literal `%` in SQL that is run with parameters is written `%%`.
            f" ELSE printf('%%%%.{self.places}f', %(expressions)s) END)"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        template = f"(ROUND(%(expressions)s, {self.places}))::text"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class BooleanJson(Func):
    """A boolean column as JSON's true or false (SQLite stores 0 and 1); null for none."""

    output_field = TextField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        template = (
            "json(CASE WHEN %(expressions)s IS NULL THEN 'null'"
            " WHEN %(expressions)s THEN 'true' ELSE 'false' END)"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        return self.as_sql(compiler, connection, template="%(expressions)s", **extra_context)


class JsonArrayOrEmpty(Func):
    """A JSON column holding a list, to embed in a row's object: `[]` for none."""

    template = "json(COALESCE(NULLIF(%(expressions)s, 'null'), '[]'))"
    output_field = TextField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        template = "COALESCE(NULLIF(%(expressions)s, 'null'::jsonb), '[]'::jsonb)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class JsonObjectOrEmpty(Func):
    """A JSON column to embed in a row's object: `{}` for none."""

    template = "json(COALESCE(NULLIF(%(expressions)s, 'null'), '{}'))"
    output_field = TextField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        template = "COALESCE(NULLIF(%(expressions)s, 'null'::jsonb), '{}'::jsonb)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class RowJson(Func):
    """A row as the text of its JSON object, the keys `names` in that order."""

    output_field = TextField()

    def __init__(self, names: tuple[str, ...], *values: Any) -> None:
        assert all(_JSON_KEY.fullmatch(name) for name in names), names  # written as literals
        super().__init__(*values)
        self.names = names

    def as_sql(  # type: ignore[override]
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str = "json_object",
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        parts: list[str] = []
        params: list[Any] = []
        for name, value in zip(self.names, self.get_source_expressions(), strict=True):
            sql, value_params = compiler.compile(value)
            parts.append(f"'{name}', {sql}")
            params.extend(value_params)
        return f"{function}({', '.join(parts)})", tuple(params)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = self.as_sql(compiler, connection, function="json_build_object")
        return f"({sql})::text", params  # the text as written, not decoded by the driver


def row_json(
    model: type[models.Model], names: tuple[str, ...], columns: dict[str, str]
) -> RowJson | None:
    """The expression writing a row of `model` as the API's JSON object of the fields
    `names` (`columns` maps an API name to its column where they differ); None where a
    field is not one the database writes as the API does."""
    values: list[Any] = []
    for name in names:
        column = columns.get(name, name)
        field = model._meta.get_field(column)
        if isinstance(field, models.DateTimeField):
            values.append(UtcIsoText(column))
        elif isinstance(field, models.JSONField):
            empty = JsonArrayOrEmpty if field.default is list else JsonObjectOrEmpty
            values.append(empty(column))
        elif isinstance(field, models.BooleanField):
            values.append(BooleanJson(column))
        elif isinstance(field, models.DecimalField):
            values.append(DecimalText(column, field.decimal_places))
        elif isinstance(field, (*_AS_IS, models.DateField)):
            values.append(models.F(column))
        else:
            return None
    return RowJson(names, *values)


class TextRows(BaseIterable):
    """Rows of `values_list(RowJson(...), <ordering column>)` as {"json": text, <ordering
    name>: value}: the text for the page, the value for the cursor (`names` is set on a
    subclass)."""

    names: ClassVar[tuple[str, ...]] = ()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        queryset = self.queryset
        compiler = queryset.query.get_compiler(queryset.db)
        names = self.names
        for row in compiler.results_iter(
            chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size
        ):
            yield dict(zip(names, row, strict=True))


def text_rows(
    queryset: models.QuerySet[Any],
    expression: RowJson,
    ordering: str,
    extra: tuple[str, ...] = (),
    computed: dict[str, Any] | None = None,
) -> Any:
    """`queryset`'s rows as `TextRows` of `expression`, with the `ordering` column, the
    `extra` columns and the `computed` expressions by name (what the page needs besides
    the JSON, e.g. sealed values to open)."""
    extra = tuple(column for column in extra if column != ordering)
    computed = computed or {}
    rows = queryset.values_list(expression, ordering, *extra, *computed.values())
    names = ("json", ordering, *extra, *computed)
    rows._iterable_class = type("TextRowsOf", (TextRows,), {"names": names})
    return rows


# Strings (most opened values) are written by the json module's C encoder, without an
# encoder object per row; each field name's `"name":` is written once per process.
_STRING = json.JSONEncoder(ensure_ascii=False).encode
_KEYS: dict[str, str] = {}


def with_values(text: str, values: dict[str, Any]) -> str:
    """The text of a row's JSON object (as the database wrote it) with `values` added, each
    written as the API's renderer writes it (dates in ISO 8601, decimals as text)."""
    if not values:
        return text
    parts = []
    for name, value in values.items():
        key = _KEYS.get(name)
        if key is None:
            key = _KEYS[name] = _STRING(name) + ":"
        if type(value) is str:
            parts.append(key + _STRING(value))
        elif value is None:
            parts.append(key + "null")
        else:
            parts.append(
                key + json.dumps(value, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))
            )
    added = ",".join(parts)
    stripped = text.rstrip()
    if stripped == "{}":
        return "{" + added + "}"
    return f"{stripped[:-1]},{added}}}"
