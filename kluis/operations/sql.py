"""Running a query the ORM compiled once: its rows through the ORM's own converters."""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

Converters = dict[int, tuple[list[Any], Any]]


def converted(row: tuple[Any, ...], converters: Converters, db: BaseDatabaseWrapper) -> list[Any]:
    """`row` with the values the ORM would give (JSON decoded, datetimes parsed, ...), by the
    converters `compiler.get_converters(...)` returned when the query was compiled."""
    values = list(row)
    for position, (functions, expression) in converters.items():
        value = values[position]
        for convert in functions:
            value = convert(value, expression, db)
        values[position] = value
    return values
