"""The employee list's plain pages: the fields read straight from columns, each row's
JSON object written by the database (kluis/api/rowjson.py)."""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import QuerySet

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.api.rowjson import row_json, text_rows
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


def plain_fields(actor: Actor, only: set[str] | None) -> list[str] | None:
    """The fields of a list page read straight from the columns, in the order `represent`
    gives them; None when the page needs `represent`: a sealed field or the wage is asked
    for and may be seen (opening them is audited), or a permission reaches only some
    employees (a member's team or self scope; API clients have none)."""
    fields = []
    for name, spec in EMPLOYEE_FIELDS.items():
        scope = scope_of(actor, spec.permission)
        if scope is None or (only is not None and name not in only):
            continue
        if scope != Scope.COMPANY or spec.sealed:
            return None
        fields.append(name)
    wage_scope = scope_of(actor, "people.view_salary")
    if wage_scope is not None and (only is None or "wage" in only):
        return None
    names = [name for name in ALWAYS if only is None or name in only]
    names += fields
    if only is None or "custom_fields" in only:
        names.append("custom_fields")
    return names


@functools.lru_cache(maxsize=128)
def text_rows_of(names: tuple[str, ...], ordering: str) -> QuerySet[Any] | None:
    """All employees as the text of their JSON objects of the fields `names`, with the
    `ordering` column for the cursor; None where the database cannot write one of them.
    Made once per set of fields and ordering (a queryset is never changed in place)."""
    expression = row_json(Employee, names, PLAIN_COLUMNS)
    if expression is None:
        return None
    return text_rows(Employee.objects.all(), expression, PLAIN_COLUMNS.get(ordering, ordering))
