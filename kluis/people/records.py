"""Reading and writing the sealed parts of an employee, and snapshots for the history.

Kept apart from services so selectors (reads) and services (writes) share one way of
turning an Employee row into field values.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from kluis.crypto import vault
from kluis.people.fields import EMPLOYEE_FIELDS, SNAPSHOT_PURPOSE, purpose
from kluis.people.models import Employee

SEALED_FIELDS = [name for name, spec in EMPLOYEE_FIELDS.items() if spec.sealed]
SENSITIVE_FIELDS = frozenset(name for name, spec in EMPLOYEE_FIELDS.items() if spec.sensitive)


def jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def sealed_value(employee: Employee, field: str) -> Any:
    """Unseal one sealed field (no permission check: callers check and audit)."""
    return open_sealed(employee.tenant_id, field, getattr(employee, f"{field}_sealed"))


def open_sealed(tenant_id: int, field: str, token: str | None) -> Any:
    """The value of an employee's sealed `field` from its stored token."""
    value = vault.unseal(tenant_id, purpose(field), token or None)
    if field == "address":
        return json.loads(value) if value else {}
    return value or ""


def seal_value(employee: Employee, field: str, value: Any) -> None:
    if field == "address":
        plaintext = json.dumps(value, sort_keys=True) if value else ""
    else:
        plaintext = value or ""
    setattr(
        employee,
        f"{field}_sealed",
        vault.seal(employee.tenant_id, purpose(field), plaintext) if plaintext else "",
    )


def plain_values(employee: Employee) -> dict[str, Any]:
    """Every non-sealed field, JSON-ready (job fields as ids and names)."""
    values: dict[str, Any] = {}
    for name, spec in EMPLOYEE_FIELDS.items():
        if spec.sealed:
            continue
        if name in ("department", "team", "manager"):
            related = getattr(employee, name)
            values[name] = str(related) if related else ""
            values[f"{name}_id"] = getattr(employee, f"{name}_id")
        else:
            values[name] = jsonable(getattr(employee, name))
    values["custom_fields"] = dict(employee.custom_fields)
    return values


def sensitive_values(employee: Employee) -> dict[str, Any]:
    return {name: sealed_value(employee, name) for name in SEALED_FIELDS}


def seal_snapshot(employee: Employee, values: dict[str, Any]) -> str:
    return (
        vault.seal(employee.tenant_id, SNAPSHOT_PURPOSE, json.dumps(values, sort_keys=True)) or ""
    )


def open_snapshot(tenant_id: int, token: str) -> dict[str, Any]:
    if not token:
        return {}
    opened: dict[str, Any] = json.loads(vault.unseal(tenant_id, SNAPSHOT_PURPOSE, token) or "{}")
    return opened
