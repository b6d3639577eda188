"""Running a query the ORM compiled once: its rows through the ORM's own converters.

The API's hottest statements (the key lookup, a list's page) are compiled by the
ORM once per process (`compiled`) and run by `fetch`, which does what Django's cursor
does around a statement, minus what is per call there and the same every time here:
rewriting the placeholders for the driver (SQLite's `?`), and the wrapper objects. When
anything watches queries (DEBUG, `assertNumQueries`, `CaptureQueriesContext`, execute
wrappers), `fetch` runs the statement through Django's cursor instead, so they see it:
the same statement, counted the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

Converters = dict[int, tuple[list[Any], Any]]

# Django's SQLite backend turns `%s` into `?` (and `%%` into `%`) on every execute.
_FORMAT_PLACEHOLDER = re.compile(r"(?<!%)%s")


@dataclass(frozen=True)
class Statement:
    """SQL compiled by the ORM (with its `%s` placeholders), and the same SQL as the
    database driver takes it; None where `fetch` always goes through Django's cursor."""

    sql: str
    driver_sql: str | None


def compiled(sql: str, db: BaseDatabaseWrapper) -> Statement:
    if db.vendor == "sqlite":
        return Statement(sql, _FORMAT_PLACEHOLDER.sub("?", sql).replace("%%", "%"))
    if db.vendor == "postgresql":
        return Statement(sql, sql)  # psycopg takes the ORM's placeholders as they are
    return Statement(sql, None)


def fetch(
    db: BaseDatabaseWrapper, statement: Statement, params: list[Any], *, one: bool = False
) -> Any:
    """All rows of `statement` (or the first, or None, with `one`), as Django's cursor
    would return them, with the same checks and error translation around it."""
    if statement.driver_sql is None or db.queries_logged or db.execute_wrappers:
        with db.cursor() as cursor:
            cursor.execute(statement.sql, params)
            return cursor.fetchone() if one else cursor.fetchall()
    # What `db.cursor()` and `CursorWrapper.execute` check before a statement runs.
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        # SQLite: the driver's own cursor (Django's wrapper class would rewrite the
        # placeholders again); PostgreSQL: the backend's cursor, with its time zone.
        cursor = db.connection.cursor() if db.vendor == "sqlite" else db.create_cursor()
        try:
            cursor.execute(statement.driver_sql, params)
            return cursor.fetchone() if one else cursor.fetchall()
        finally:
            cursor.close()


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


@dataclass(frozen=True)
class Prepared:
    """A one-row lookup compiled by the ORM once, run with each request's values in the
    places (`slots`) where the markers it was built with landed."""

    statement: Statement
    params: tuple[Any, ...]
    slots: dict[str, list[int]]
    converters: Converters
    width: int  # the queryset's own columns (a statement may add some after them)


def prepare(
    queryset: Any, db: BaseDatabaseWrapper, markers: dict[str, Any], *, rewrite: Any = None
) -> Prepared:
    """Compile `queryset` (built with `markers`' values, each as the ORM adapts it for `db`)
    once; `rewrite(sql)` may add to the statement (columns after the queryset's own)."""
    compiler = queryset.query.get_compiler(connection=db)
    sql, params = compiler.as_sql()
    slots = {
        name: [place for place, param in enumerate(params) if param == marker]
        for name, marker in markers.items()
    }
    missing = [name for name, places in slots.items() if not places]
    if missing:
        raise ValueError(f"markers not found in the compiled statement: {missing}")
    expressions = [column[0] for column in compiler.select[: compiler.col_count]]
    return Prepared(
        statement=compiled(rewrite(sql) if rewrite else sql, db),
        params=tuple(params),
        slots=slots,
        converters=compiler.get_converters(expressions),
        width=compiler.col_count,
    )


def fetch_prepared(
    db: BaseDatabaseWrapper, prepared: Prepared, values: dict[str, Any]
) -> list[Any] | None:
    """The one row of `prepared` with `values` (adapted as the markers were), converted as
    the ORM would; None when there is none."""
    params = list(prepared.params)
    for name, places in prepared.slots.items():
        for place in places:
            params[place] = values[name]
    row = fetch(db, prepared.statement, params, one=True)
    if row is None:
        return None
    return converted(row[: prepared.width], prepared.converters, db)
