"""The employee list's plain pages: the fields read straight from columns, each row's
JSON object written by the database (kluis/api/rowjson.py)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.api.rowjson import RowJson, row_json, text_rows
from kluis.people.fields import EMPLOYEE_FIELDS
from kluis.people.models import Employee
from kluis.people.permissions import scope_of

ALWAYS = ("id", "version", "created_at", "updated_at")
# The column behind each plain (not sealed) field; job fields are links, given as ids.
PLAIN_COLUMNS = {
    name: f"{name}_id" if name in ("department", "team", "manager") else name
    for name, spec in EMPLOYEE_FIELDS.items()
    if not spec.sealed
}


@dataclass(frozen=True)
class PageFields:
    """The fields of a list page: `plain` written by the database (in `represent`'s order),
    `sealed` opened by the vault, and whether the wage in force is shown."""

    plain: tuple[str, ...]
    sealed: tuple[str, ...] = ()
    wage: bool = False


def page_fields(actor: Actor, only: set[str] | None) -> PageFields | None:
    """The fields of a list page when the actor sees each of them of every employee of
    their company (API clients always: their scopes are company-wide); None when a
    permission reaches only some employees (a member's team or self scope), and
    `represent` decides row by row."""
    plain: list[str] = []
    sealed: list[str] = []
    for name, spec in EMPLOYEE_FIELDS.items():
        scope = scope_of(actor, spec.permission)
        if scope is None or (only is not None and name not in only):
            continue
        if scope != Scope.COMPANY:
            return None
        (sealed if spec.sealed else plain).append(name)
    wage_scope = scope_of(actor, "people.view_salary")
    wage = wage_scope is not None and (only is None or "wage" in only)
    if wage and wage_scope != Scope.COMPANY:
        return None
    names = [name for name in ALWAYS if only is None or name in only]
    names += plain
    if only is None or "custom_fields" in only:
        names.append("custom_fields")
    return PageFields(tuple(names), tuple(sealed), wage)


def text_rows_of(
    names: tuple[str, ...],
    ordering: str,
    extra: tuple[str, ...] = (),
    computed: dict[str, Any] | None = None,
) -> QuerySet[Any] | None:
    """All employees as the text of their JSON objects of the fields `names`, with the
    `ordering` column for the cursor, the `extra` columns and the `computed` expressions;
    None where the database cannot write one of them."""
    expression = _expression(names)
    if expression is None:
        return None
    return text_rows(
        Employee.objects.all(), expression, PLAIN_COLUMNS.get(ordering, ordering), extra, computed
    )


@functools.lru_cache(maxsize=128)
def _expression(names: tuple[str, ...]) -> RowJson | None:
    return row_json(Employee, names, PLAIN_COLUMNS)


def writable_by_database(names: tuple[str, ...]) -> bool:
    """Whether the database can write rows of these fields (decided once per field set)."""
    return _expression(names) is not None
